//! Middleware: code around a route's handler, as a chain each link of which
//! calls the rest through [`Next`].

use std::fmt;
use std::rc::Rc;

use crate::http::stream::Stream;

/// A middleware as the router keeps it.
pub(crate) type Layer = Rc<dyn Fn(&mut Stream, Next<'_>)>;

/// A request handler as the router keeps it.
pub(crate) type Handler = Rc<dyn Fn(&mut Stream)>;

/// The rest of the chain after a middleware: the middleware that follow it,
/// then the handler. A middleware added with
/// [`Router::layer`](super::Router::layer) gets one and calls
/// [`run`](Self::run) to go on, or does not, to answer the request itself.
///
/// ```
/// use silly_net::http::{self, Next, Router, Stream};
/// use std::time::Instant;
///
/// // Refuses requests without the token; the handler never runs for them.
/// fn auth(s: &mut Stream, next: Next<'_>) {
///     if s.header("authorization") != Some("Bearer secret") {
///         let _ = s.reply(401, &[("WWW-Authenticate", "Bearer")], b"");
///         return;
///     }
///     next.run(s);
/// }
///
/// // Sees what the handler answered, and how long it took.
/// fn log(s: &mut Stream, next: Next<'_>) {
///     let start = Instant::now();
///     next.run(s);
///     eprintln!(
///         "{} {} -> {:?}, {} bytes, {:?}",
///         s.method(),
///         s.path(),
///         s.status(),
///         s.bytes_written(),
///         start.elapsed()
///     );
/// }
///
/// let router = Router::new()
///     .get("/secret", |s| {
///         let _ = s.close(b"42");
///     })
///     .layer(log) // first added: outermost, so it also logs the 401s
///     .layer(auth);
/// # let _ = router;
/// ```
pub struct Next<'a> {
    /// The router's middleware still to run.
    layers: &'a [Layer],
    /// Then those of the nested routers the route came from.
    route_layers: &'a [Layer],
    /// Then this.
    handler: &'a dyn Fn(&mut Stream),
}

impl fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next")
            .field(
                "middleware_left",
                &(self.layers.len() + self.route_layers.len()),
            )
            .finish_non_exhaustive()
    }
}

impl<'a> Next<'a> {
    pub(crate) fn new(
        layers: &'a [Layer],
        route_layers: &'a [Layer],
        handler: &'a dyn Fn(&mut Stream),
    ) -> Self {
        Next {
            layers,
            route_layers,
            handler,
        }
    }

    /// Runs the rest of the chain (the next middleware, or the handler) on
    /// `stream`, and returns when it has: the response is then begun, or
    /// done ([`Stream::status`], [`Stream::bytes_written`]).
    ///
    /// # Interrupts
    ///
    /// As the calls of the middleware and handler it runs: `run` itself
    /// never waits.
    pub fn run(self, stream: &mut Stream) {
        if let Some((first, layers)) = self.layers.split_first() {
            first(stream, Next { layers, ..self });
        } else if let Some((first, route_layers)) = self.route_layers.split_first() {
            first(
                stream,
                Next {
                    route_layers,
                    ..self
                },
            );
        } else {
            (self.handler)(stream);
        }
    }
}
