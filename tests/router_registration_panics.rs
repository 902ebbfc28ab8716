//! Mistakes in the routes panic where they are registered, naming the
//! pattern and the reason: never later, at request time.

use std::panic::{catch_unwind, AssertUnwindSafe};

use silly::net::http::Router;

/// The panic message of `build`.
fn panic_of(build: impl FnOnce() -> Router) -> String {
    let err = catch_unwind(AssertUnwindSafe(build)).expect_err("registration accepted");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}

/// Builds a router, or panics trying.
type Build = Box<dyn FnOnce() -> Router>;

fn ok(s: &mut silly::net::http::Stream) {
    let _ = s.close(b"");
}

#[test]
fn conflicts_and_bad_patterns_panic_clearly() {
    let cases: Vec<(Build, &str)> = vec![
        (
            Box::new(|| Router::new().get("/a/:id", ok).get("/a/:id", ok)),
            "route GET /a/:id: GET /a/:id is already a route",
        ),
        (
            Box::new(|| Router::new().get("/a/:id", ok).post("/a/:name/b", ok)),
            "route POST /a/:name/b: :name is where another route has :id",
        ),
        (
            Box::new(|| Router::new().get("/s/*path", ok).put("/s/*rest", ok)),
            "*rest is where another route has *path",
        ),
        (
            Box::new(|| Router::new().any("/x", ok).any("/x", ok)),
            "route (any method) /x",
        ),
        (
            Box::new(|| Router::new().get("nope", ok)),
            "starts with '/'",
        ),
        (
            Box::new(|| Router::new().get("/*a/b", ok)),
            "must be the last segment",
        ),
        (Box::new(|| Router::new().get("/:a/:a", ok)), "used twice"),
        (
            Box::new(|| Router::new().get("/:", ok)),
            "letters, digits or '_'",
        ),
        (Box::new(|| Router::new().get("/a?b=1", ok)), "'?' or '#'"),
        (
            Box::new(|| Router::new().route("GE T", "/", ok)),
            "not an HTTP token",
        ),
        (
            Box::new(|| Router::new().nest("/api/", Router::new())),
            "does not end with one",
        ),
        (
            Box::new(|| Router::new().nest("/", Router::new())),
            "use merge",
        ),
        (
            Box::new(|| Router::new().nest("/api", Router::new().fallback(ok))),
            "has a fallback",
        ),
        (
            Box::new(|| {
                Router::new()
                    .get("/api/users", ok)
                    .nest("/api", Router::new().get("/users", ok))
            }),
            "GET /api/users is already a route",
        ),
        (
            Box::new(|| Router::new().nest("/r/:id", Router::new().get("/x/:id", ok))),
            "used twice",
        ),
    ];
    for (build, wanted) in cases {
        let message = panic_of(build);
        assert!(message.contains(wanted), "{message:?} lacks {wanted:?}");
    }
    // Same names at one position, other methods, a wildcard beside a
    // parameter, and a merge: all fine.
    let router = Router::new()
        .get("/a/:id", ok)
        .post("/a/:id", ok)
        .get("/a/:id/b", ok)
        .get("/a/*rest", ok)
        .merge(Router::new().get("/b", ok));
    assert!(format!("{router:?}").contains("GET /b"));
}
