//! [`Router`]: requests to handlers by method and path pattern.

use std::fmt;
use std::rc::Rc;

use super::middleware::{Handler, Layer, Next};
use super::pattern;
use super::tree::{Match, Tree};
use crate::http::stream::Stream;

/// Sends each request to the handler registered for its method and path,
/// through the middleware added with [`layer`](Self::layer).
///
/// ```
/// use silly_net::http::{self, Router};
/// use silly_net::tcp::TcpStream;
/// use std::io::Read;
///
/// silly_runtime::run(|| {
///     let router = Router::new()
///         .get("/", |s| {
///             let _ = s.close(b"home");
///         })
///         .get("/rooms/:id", |s| {
///             let body = format!("room {}", s.param("id").unwrap_or_default());
///             let _ = s.close(body.as_bytes());
///         });
///     let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
///
///     let mut conn = TcpStream::connect(server.local_addr()).unwrap();
///     conn.write_all(b"GET /rooms/42 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
///         .unwrap();
///     let mut reply = String::new();
///     conn.read_to_string(&mut reply).unwrap();
///     assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"));
///     assert!(reply.ends_with("\r\n\r\nroom 42"));
///     server.close();
/// });
/// ```
///
/// # Patterns
///
/// A pattern is a path made of `/`-separated segments, each one of:
///
/// * a literal (`users`), which matches a path segment equal to it once
///   the path segment is percent-decoded (`/a%20b` matches the literal
///   `a b`; a literal written percent-encoded is decoded when registered,
///   so `%3A` writes a literal that starts with `:`);
/// * `:name`, a parameter: any one non-empty segment;
/// * `*name`, a wildcard, only as the last segment: the rest of the path
///   from there, slashes included, possibly empty (`/static/*path` matches
///   `/static/` and `/static/css/a.css`, not `/static`).
///
/// Names are letters, digits and `_`, each used once per pattern. Matching
/// is exact: `/a/` is not `/a`, `//` holds an empty segment, which no
/// parameter matches. Handlers read the values with [`Stream::param`],
/// percent-decoded; a path with a `%2F` keeps it inside its segment
/// (decoded to `/` in the value). A value that is not UTF-8 once decoded
/// (`%FF`) makes the router answer 400. A wildcard's value is whatever the
/// client sent, `..` included: never a file path without checks.
///
/// # Which route wins
///
/// Segment by segment from the left, a literal is tried before a
/// parameter, and a parameter before a wildcard; when a branch leads to no
/// pattern the next is tried. So with `/users/new`, `/users/:id` and
/// `/users/*rest`, the path `/users/new` is the first, `/users/7` the
/// second, `/users/7/posts` the third. The path picks the pattern first,
/// then the method picks its handler: a path whose pattern has no handler
/// for the method gets 405 with `Allow`, even if a less specific pattern
/// has one.
///
/// # Answers of its own
///
/// * no pattern matches: 404, or the [`fallback`](Self::fallback);
/// * the pattern has no handler for the method: 405 with an `Allow` header
///   listing the methods it has (a GET route also answers HEAD, the
///   server dropping its body, unless HEAD has its own route);
/// * a parameter that is not UTF-8 once decoded: 400.
///
/// These go through the router's middleware too, so logging sees them.
///
/// # Registration errors panic
///
/// Routes are the program's own text, so a mistake in them panics when the
/// route is registered, with the pattern and the reason, never at request
/// time: a malformed pattern, a method that is not a token, the same method
/// and pattern twice, two names for one position (`/a/:id` with
/// `/a/:name/b`), a nested router that has a fallback.
///
/// # Cost
///
/// A path that is exactly a pattern of literals (`/`, `/health`) is found
/// with one compare per such pattern; other paths walk the tree of
/// patterns segment by segment (going back only where a literal branch
/// leads nowhere), comparing without copying. Parameters live in the
/// connection's [`Stream`], whose buffers a keep-alive connection reuses:
/// routing allocates nothing once its first requests grew them. A router
/// without middleware calls the handler directly. On the hello benchmark
/// (`examples/http_hello.rs` with `router`) it adds about 150 instructions
/// to about 2,700 per request, counted by callgrind.
#[derive(Clone, Default)]
pub struct Router {
    tree: Tree<Route>,
    /// Every route as registered, for [`nest`](Self::nest) and `Debug`.
    routes: Vec<Registered>,
    /// This router's middleware, first added first.
    layers: Vec<Layer>,
    fallback: Option<Handler>,
}

/// What a request that matches a route runs.
#[derive(Clone)]
struct Route {
    handler: Handler,
    /// The middleware of the nested routers the route came from, outermost
    /// first (empty for the router's own routes).
    layers: Rc<[Layer]>,
}

/// A route as registered, to be registered again under a prefix.
#[derive(Clone)]
struct Registered {
    method: Option<String>,
    pattern: String,
    route: Route,
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let routes: Vec<String> = self
            .routes
            .iter()
            .map(|r| format!("{} {}", r.method.as_deref().unwrap_or("*"), r.pattern))
            .collect();
        f.debug_struct("Router")
            .field("routes", &routes)
            .field("middleware", &self.layers.len())
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

impl Router {
    /// A router with no routes: every request gets 404.
    pub fn new() -> Router {
        Router::default()
    }

    /// Routes `method` requests (any token, case-sensitive as HTTP methods
    /// are: `"GET"`, `"PROPFIND"`) whose path matches `pattern` to
    /// `handler`.
    ///
    /// # Panics
    ///
    /// If `method` is not a token or the pattern is refused (see
    /// [Registration errors panic](Self#registration-errors-panic)).
    #[must_use]
    #[track_caller]
    pub fn route(
        self,
        method: &str,
        pattern: &str,
        handler: impl Fn(&mut Stream) + 'static,
    ) -> Router {
        if !pattern::valid_method(method) {
            panic!("route {method:?} {pattern}: the method is not an HTTP token");
        }
        self.add(Some(method), pattern, Rc::new(handler), Rc::from([]))
    }

    /// [`route`](Self::route) for GET (and HEAD, unless HEAD has a route).
    #[must_use]
    #[track_caller]
    pub fn get(self, pattern: &str, handler: impl Fn(&mut Stream) + 'static) -> Router {
        self.route("GET", pattern, handler)
    }

    /// [`route`](Self::route) for POST.
    #[must_use]
    #[track_caller]
    pub fn post(self, pattern: &str, handler: impl Fn(&mut Stream) + 'static) -> Router {
        self.route("POST", pattern, handler)
    }

    /// [`route`](Self::route) for PUT.
    #[must_use]
    #[track_caller]
    pub fn put(self, pattern: &str, handler: impl Fn(&mut Stream) + 'static) -> Router {
        self.route("PUT", pattern, handler)
    }

    /// [`route`](Self::route) for DELETE.
    #[must_use]
    #[track_caller]
    pub fn delete(self, pattern: &str, handler: impl Fn(&mut Stream) + 'static) -> Router {
        self.route("DELETE", pattern, handler)
    }

    /// [`route`](Self::route) for PATCH.
    #[must_use]
    #[track_caller]
    pub fn patch(self, pattern: &str, handler: impl Fn(&mut Stream) + 'static) -> Router {
        self.route("PATCH", pattern, handler)
    }

    /// Routes requests of every method that has no route of its own on
    /// `pattern` to `handler` (such a pattern never gets 405).
    ///
    /// # Panics
    ///
    /// If the pattern is refused (see
    /// [Registration errors panic](Self#registration-errors-panic)).
    #[must_use]
    #[track_caller]
    pub fn any(self, pattern: &str, handler: impl Fn(&mut Stream) + 'static) -> Router {
        self.add(None, pattern, Rc::new(handler), Rc::from([]))
    }

    /// Answers requests no pattern matches with `handler` instead of 404.
    /// It runs inside this router's middleware.
    #[must_use]
    pub fn fallback(mut self, handler: impl Fn(&mut Stream) + 'static) -> Router {
        self.fallback = Some(Rc::new(handler));
        self
    }

    /// Adds a middleware around every route of this router (those added
    /// before it and after it, nested ones included) and around its own
    /// answers (404 or the fallback, 405, 400). The first added is the
    /// outermost: it sees the request first and the finished response last.
    /// A nested router's middleware runs inside the outer router's, for its
    /// own routes only. See [`Next`] for an example.
    #[must_use]
    pub fn layer(mut self, middleware: impl Fn(&mut Stream, Next<'_>) + 'static) -> Router {
        self.layers.push(Rc::new(middleware));
        self
    }

    /// Serves the routes of `router` under `prefix`: its `/users/:id`
    /// becomes `prefix/users/:id`, its `/` becomes `prefix` itself. The
    /// prefix may hold parameters (`/rooms/:room`), which its routes' handlers
    /// read as their own. `router`'s middleware keeps wrapping its routes,
    /// inside this router's.
    ///
    /// # Panics
    ///
    /// If `prefix` does not start with `/`, ends with `/` (so `/` itself:
    /// use [`merge`](Self::merge)), holds a wildcard, or gives a nested
    /// pattern a name twice; if `router` has a
    /// [`fallback`](Self::fallback) (set it on the outer router); if a route
    /// conflicts with one of this router's.
    #[must_use]
    #[track_caller]
    pub fn nest(self, prefix: &str, router: Router) -> Router {
        if !prefix.starts_with('/') || prefix.ends_with('/') || prefix.contains('*') {
            panic!(
                "nest at {prefix:?}: a prefix starts with '/', does not end with one \
                 and holds no wildcard (to add routes at the root, use merge)"
            );
        }
        self.absorb(prefix, router)
    }

    /// Adds the routes of `router` to this one, as they are: [`nest`](Self::nest)
    /// without a prefix. `router`'s middleware wraps only its own routes.
    ///
    /// # Panics
    ///
    /// As [`nest`](Self::nest).
    #[must_use]
    #[track_caller]
    pub fn merge(self, router: Router) -> Router {
        self.absorb("", router)
    }

    #[track_caller]
    fn absorb(mut self, prefix: &str, router: Router) -> Router {
        if router.fallback.is_some() {
            panic!(
                "nest or merge at {prefix:?}: the router added has a fallback, which \
                 would never run; set the fallback on the outer router"
            );
        }
        for registered in router.routes {
            let pattern = match registered.pattern.as_str() {
                "/" if !prefix.is_empty() => prefix.to_owned(),
                inner => format!("{prefix}{inner}"),
            };
            let layers: Rc<[Layer]> = router
                .layers
                .iter()
                .chain(registered.route.layers.iter())
                .cloned()
                .collect();
            self = self.add(
                registered.method.as_deref(),
                &pattern,
                registered.route.handler,
                layers,
            );
        }
        self
    }

    #[track_caller]
    fn add(
        mut self,
        method: Option<&str>,
        pattern: &str,
        handler: Handler,
        layers: Rc<[Layer]>,
    ) -> Router {
        let route = Route { handler, layers };
        if let Err(err) = self.tree.insert(method, pattern, route.clone()) {
            panic!(
                "route {} {pattern}: {err}",
                method.unwrap_or("(any method)")
            );
        }
        self.routes.push(Registered {
            method: method.map(str::to_owned),
            pattern: pattern.to_owned(),
            route,
        });
        self
    }

    /// Answers `stream`'s request: finds its route and runs it inside the
    /// middleware, or answers 404, 405 or 400 (see the
    /// [type's docs](Self#answers-of-its-own)). For a handler that routes
    /// some requests itself and hands the others on; to serve with a router,
    /// [`into_handler`](Self::into_handler) is the short way.
    ///
    /// # Interrupts
    ///
    /// As the calls of the handler and middleware it runs: routing itself
    /// never waits.
    pub fn serve(&self, stream: &mut Stream) {
        let (path, method, params) = stream.routing();
        match self.tree.find(path, method, params) {
            Match::Route(route) => {
                Next::new(&self.layers, &route.layers, &*route.handler).run(stream);
            }
            Match::NotAllowed(allow) => {
                let answer = |s: &mut Stream| {
                    let headers = [("Allow", allow), ("Content-Type", "text/plain")];
                    let _ = s.reply(405, &headers, b"method not allowed");
                };
                Next::new(&self.layers, &[], &answer).run(stream);
            }
            Match::NoRoute => match &self.fallback {
                Some(fallback) => Next::new(&self.layers, &[], &**fallback).run(stream),
                None => Next::new(&self.layers, &[], &not_found).run(stream),
            },
            Match::NotUtf8 => Next::new(&self.layers, &[], &not_utf8).run(stream),
        }
    }

    /// This router as the handler of [`listen`](crate::http::listen) or
    /// [`listen_with`](crate::http::listen_with):
    /// `http::listen(addr, router.into_handler())`.
    pub fn into_handler(self) -> impl Fn(&mut Stream) + 'static {
        move |stream| self.serve(stream)
    }
}

fn not_found(stream: &mut Stream) {
    let _ = stream.reply(404, &[("Content-Type", "text/plain")], b"not found");
}

fn not_utf8(stream: &mut Stream) {
    let _ = stream.reply(
        400,
        &[("Content-Type", "text/plain")],
        b"path parameter is not UTF-8 once percent-decoded",
    );
}
