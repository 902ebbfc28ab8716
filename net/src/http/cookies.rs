//! Cookies (feature `cookies`): the request's `Cookie` headers parsed, and
//! `Set-Cookie` headers added to the response, with the `cookie` crate's
//! [`Cookie`] (RFC 6265).

use cookie::Cookie;

use super::error::Result;
use super::stream::Stream;

#[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
impl Stream {
    /// Every cookie the request sent, from all its `Cookie` headers, in
    /// order; pairs that do not parse are skipped. Borrowed from the request:
    /// nothing is copied.
    pub fn cookies(&self) -> impl Iterator<Item = Cookie<'_>> + '_ {
        self.headers()
            .get_all("cookie")
            .flat_map(Cookie::split_parse)
            .filter_map(std::result::Result::ok)
    }

    /// The first request cookie named `name`.
    ///
    /// ```
    /// use silly_net::http::{self, Cookie, SameSite};
    /// fn handler(s: &mut http::Stream) {
    ///     let visits: u32 = s.cookie("visits").and_then(|c| c.value().parse().ok()).unwrap_or(0);
    ///     let cookie = Cookie::build(("visits", (visits + 1).to_string()))
    ///         .path("/")
    ///         .http_only(true)
    ///         .same_site(SameSite::Lax)
    ///         .max_age(http::cookie::time::Duration::days(30));
    ///     s.set_cookie(cookie).unwrap();
    ///     s.reply(200, &[], format!("visit {}\n", visits + 1).as_bytes()).unwrap();
    /// }
    /// # let _ = handler;
    /// ```
    pub fn cookie(&self, name: &str) -> Option<Cookie<'_>> {
        self.cookies().find(|c| c.name() == name)
    }

    /// Adds `Set-Cookie: <cookie with its attributes>` to the response about
    /// to be sent (see [`add_response_header`](Self::add_response_header));
    /// call it once per cookie. Takes a [`Cookie`], its builder, or a
    /// `(name, value)` pair. To delete a cookie, send one of the same
    /// name, path and domain made into a removal
    /// ([`Cookie::make_removal`]: empty, expired).
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyResponded`](super::Error::AlreadyResponded) once the
    /// response head is sent; [`Error::InvalidHeader`](super::Error::InvalidHeader)
    /// if the cookie holds CR, LF or NUL (it would inject headers).
    pub fn set_cookie<'c>(&mut self, cookie: impl Into<Cookie<'c>>) -> Result<()> {
        self.add_response_header("Set-Cookie", &cookie.into().to_string())
    }
}
