//! Following a redirect: where to, and what the next request keeps.

use std::borrow::Cow;

use url::Url;

use crate::http::error::{Error, ResponseError, Result};
use crate::http::headers::Headers;

/// A request as it goes from hop to hop of a redirect chain.
pub(super) struct Hop<'h, 'a> {
    pub(super) url: Url,
    pub(super) method: String,
    pub(super) headers: Cow<'h, [(&'a str, &'a str)]>,
    pub(super) body: &'h [u8],
}

/// Where a response sends the request next: its `Location`, if its status is
/// a redirect (301, 302, 303, 307, 308).
pub(super) fn location(status: u16, headers: &Headers) -> Option<String> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    headers.get("location").map(str::to_owned)
}

impl Hop<'_, '_> {
    /// Turns this request into the one a `status` redirect to `location`
    /// asks for.
    ///
    /// # Errors
    ///
    /// [`ResponseError::InvalidLocation`] if `location` does not resolve;
    /// [`Error::InsecureRedirect`] from https to http unless `https_to_http`.
    pub(super) fn follow(
        &mut self,
        status: u16,
        location: String,
        https_to_http: bool,
    ) -> Result<()> {
        let next = self.url.join(&location).map_err(|error| {
            Error::InvalidResponse(ResponseError::InvalidLocation { location, error })
        })?;
        if self.url.scheme() == "https" && next.scheme() == "http" && !https_to_http {
            return Err(Error::InsecureRedirect(next.into()));
        }
        if origin(&next) != origin(&self.url) {
            // Credentials given for one origin are not handed to another
            // (RFC 9110, section 15.4; a `Host` would misdirect it).
            self.drop_headers(|name| {
                ["authorization", "cookie", "proxy-authorization", "host"]
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(name))
            });
        }
        self.url = next;
        // RFC 9110, section 15.4: after 303 the new request is a GET (HEAD stays
        // HEAD); after 301/302 user agents turn POST into GET as well. The
        // body goes, and so do the headers that described it.
        let method = &self.method;
        let to_get = (status == 303 && !method.eq_ignore_ascii_case("HEAD"))
            || (matches!(status, 301 | 302) && method.eq_ignore_ascii_case("POST"));
        if to_get {
            self.method = "GET".to_owned();
            self.body = b"";
            self.drop_headers(|name| {
                name.get(..8)
                    .is_some_and(|p| p.eq_ignore_ascii_case("content-"))
                    || name.eq_ignore_ascii_case("transfer-encoding")
            });
        }
        Ok(())
    }

    /// Removes the header fields whose names `drop` picks.
    fn drop_headers(&mut self, drop: impl Fn(&str) -> bool) {
        if self.headers.iter().any(|(name, _)| drop(name)) {
            let kept = self.headers.iter().filter(|(name, _)| !drop(name));
            self.headers = kept.copied().collect();
        }
    }
}

/// A URL's origin: scheme, host, port (RFC 6454).
fn origin(url: &Url) -> (&str, Option<url::Host<&str>>, Option<u16>) {
    (url.scheme(), url.host(), url.port_or_known_default())
}
