//! Pattern parsing and matching, without sockets.

use super::params::Params;
use super::pattern::{parse, segment_is, valid_method, Segment};
use super::tree::{Match, Tree};

fn tree(routes: &[(&str, &'static str)]) -> Tree<&'static str> {
    let mut tree = Tree::default();
    for &(method, pattern) in routes {
        let method = (method != "*").then_some(method);
        tree.insert(method, pattern, pattern).unwrap();
    }
    tree
}

/// The route found for `method path` and its parameters, or the outcome's name.
fn find(tree: &Tree<&'static str>, method: &str, path: &str) -> (String, Vec<(String, String)>) {
    let mut params = Params::default();
    let found = match tree.find(path.as_bytes(), method.as_bytes(), &mut params) {
        Match::Route(route) => route.to_string(),
        Match::NotAllowed(allow) => format!("405 {allow}"),
        Match::NoRoute => "404".into(),
        Match::NotUtf8 => "400".into(),
    };
    let params = params
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    (found, params)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn patterns_parse_into_segments() {
    assert_eq!(parse("/").unwrap(), vec![Segment::Literal("".into())]);
    assert_eq!(
        parse("/a/:id/*rest").unwrap(),
        vec![
            Segment::Literal("a".into()),
            Segment::Param("id".into()),
            Segment::Wildcard("rest".into())
        ]
    );
    assert_eq!(
        parse("/%3Aid/a%20b").unwrap(),
        vec![
            Segment::Literal(":id".into()),
            Segment::Literal("a b".into())
        ]
    );
    for bad in [
        "", "a", "/:", "/*", "/*rest/a", "/:a/:a", "/:a/*a", "/:a-b", "/a?b", "/a#b", "/%FF",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn methods_are_tokens() {
    assert!(valid_method("GET"));
    assert!(valid_method("PROPFIND"));
    assert!(!valid_method(""));
    assert!(!valid_method("GE T"));
    assert!(!valid_method("GET\r\n"));
}

#[test]
fn segments_compare_decoded() {
    assert!(segment_is(b"a%20b", "a b"));
    assert!(segment_is(b"a b", "a b"));
    assert!(segment_is(b"100%", "100%"));
    assert!(!segment_is(b"a%20b", "a%20b"));
    assert!(!segment_is(b"a", "b"));
}

#[test]
fn literal_parameter_wildcard() {
    let t = tree(&[
        ("GET", "/"),
        ("GET", "/users/new"),
        ("GET", "/users/:id"),
        ("GET", "/users/:id/posts/:post"),
        ("GET", "/users/*rest"),
    ]);
    assert_eq!(find(&t, "GET", "/"), ("/".into(), vec![]));
    assert_eq!(find(&t, "GET", "/users/new"), ("/users/new".into(), vec![]));
    assert_eq!(
        find(&t, "GET", "/users/7"),
        ("/users/:id".into(), pairs(&[("id", "7")]))
    );
    assert_eq!(
        find(&t, "GET", "/users/7/posts/9"),
        (
            "/users/:id/posts/:post".into(),
            pairs(&[("id", "7"), ("post", "9")])
        )
    );
    // A parameter branch that leads nowhere gives its value back.
    assert_eq!(
        find(&t, "GET", "/users/7/likes"),
        ("/users/*rest".into(), pairs(&[("rest", "7/likes")]))
    );
    assert_eq!(
        find(&t, "GET", "/users/"),
        ("/users/*rest".into(), pairs(&[("rest", "")]))
    );
    assert_eq!(find(&t, "GET", "/users").0, "404");
    assert_eq!(find(&t, "GET", "/nope").0, "404");
    assert_eq!(find(&t, "GET", "").0, "404");
    assert_eq!(find(&t, "OPTIONS", "*").0, "404");
}

#[test]
fn literal_branch_goes_back_to_parameter() {
    let t = tree(&[("GET", "/users/new"), ("GET", "/users/:id/edit")]);
    assert_eq!(
        find(&t, "GET", "/users/new/edit"),
        ("/users/:id/edit".into(), pairs(&[("id", "new")]))
    );
}

#[test]
fn parameters_are_decoded_and_checked() {
    let t = tree(&[("GET", "/f/:name"), ("GET", "/w/*rest")]);
    assert_eq!(
        find(&t, "GET", "/f/a%20b%2Fc"),
        ("/f/:name".into(), pairs(&[("name", "a b/c")]))
    );
    assert_eq!(
        find(&t, "GET", "/f/%00"),
        ("/f/:name".into(), pairs(&[("name", "\0")]))
    );
    assert_eq!(
        find(&t, "GET", "/f/%zz%"),
        ("/f/:name".into(), pairs(&[("name", "%zz%")]))
    );
    assert_eq!(find(&t, "GET", "/f/%FF"), ("400".into(), vec![]));
    assert_eq!(
        find(&t, "GET", "/w/a/../b"),
        ("/w/*rest".into(), pairs(&[("rest", "a/../b")]))
    );
    // Empty segments: no parameter takes one.
    assert_eq!(find(&t, "GET", "/f/").0, "404");
    assert_eq!(find(&t, "GET", "//").0, "404");
}

#[test]
fn literals_match_encoded_paths() {
    let t = tree(&[("GET", "/hello world"), ("GET", "/%3Araw")]);
    assert_eq!(find(&t, "GET", "/hello%20world").0, "/hello world");
    assert_eq!(find(&t, "GET", "/%3araw").0, "/%3Araw");
    assert_eq!(find(&t, "GET", "/:raw").0, "/%3Araw");
}

#[test]
fn methods_405_allow_and_head() {
    let t = tree(&[
        ("GET", "/a"),
        ("POST", "/a"),
        ("PUT", "/b"),
        ("GET", "/c"),
        ("HEAD", "/c"),
        ("GET", "/d"),
        ("*", "/d"),
    ]);
    assert_eq!(find(&t, "DELETE", "/a").0, "405 GET, HEAD, POST");
    assert_eq!(find(&t, "HEAD", "/a").0, "/a");
    assert_eq!(find(&t, "GET", "/b").0, "405 PUT");
    assert_eq!(find(&t, "HEAD", "/b").0, "405 PUT");
    assert_eq!(find(&t, "POST", "/c").0, "405 GET, HEAD");
    assert_eq!(find(&t, "BREW", "/d").0, "/d");
    assert_eq!(find(&t, "get", "/a").0, "405 GET, HEAD, POST");
}

#[test]
fn method_mismatch_leaves_no_parameters() {
    let t = tree(&[("POST", "/r/:id")]);
    assert_eq!(find(&t, "GET", "/r/1"), ("405 POST".into(), vec![]));
}

#[test]
fn conflicts_are_refused() {
    let mut t = tree(&[("GET", "/a/:id"), ("GET", "/w/*rest"), ("*", "/any")]);
    assert!(t.insert(Some("GET"), "/a/:id", "dup").is_err());
    assert!(t.insert(Some("GET"), "/a/:name/b", "names").is_err());
    assert!(t.insert(Some("GET"), "/w/*tail", "names").is_err());
    assert!(t.insert(None, "/any", "dup").is_err());
    // Same names, other methods or deeper: fine.
    t.insert(Some("POST"), "/a/:id", "post").unwrap();
    t.insert(Some("GET"), "/a/:id/b", "deeper").unwrap();
    t.insert(Some("GET"), "/a/:id/*rest", "tail").unwrap();
}

#[test]
fn long_paths_and_many_segments() {
    let t = tree(&[("GET", "/:a/*rest"), ("GET", "/x/y")]);
    let long = format!("/{}", "a/".repeat(20_000));
    let (found, params) = find(&t, "GET", &long);
    assert_eq!(found, "/:a/*rest");
    assert_eq!(params[1].1.len(), long.len() - 3);
    let slashes = "/".repeat(10_000);
    assert_eq!(find(&t, "GET", &slashes).0, "404");
}

#[test]
fn params_buffers_are_reused() {
    let t = tree(&[("GET", "/a/:x/:y")]);
    let mut params = Params::default();
    assert!(matches!(
        t.find(b"/a/1/2", b"GET", &mut params),
        Match::Route(_)
    ));
    assert!(matches!(
        t.find(b"/a/3/4", b"GET", &mut params),
        Match::Route(_)
    ));
    assert_eq!(params.get("x"), Some("3"));
    assert_eq!(params.get("y"), Some("4"));
    assert!(matches!(t.find(b"/b", b"GET", &mut params), Match::NoRoute));
    assert_eq!(params.get("x"), None);
}

#[test]
fn exact_paths_agree_with_the_walk() {
    // A literal holding an encoded slash is one segment, never two.
    let t = tree(&[("GET", "/a%2Fb"), ("GET", "/a/:x")]);
    assert_eq!(
        find(&t, "GET", "/a/b"),
        ("/a/:x".into(), pairs(&[("x", "b")]))
    );
    assert_eq!(find(&t, "GET", "/a%2Fb").0, "/a%2Fb");
    assert_eq!(find(&t, "GET", "/a%2fb").0, "/a%2Fb");
}

#[test]
fn many_routes_use_the_sorted_searches() {
    let names: Vec<&'static str> = (0..40)
        .map(|i| &*Box::leak(format!("r{i}").into_boxed_str()))
        .collect();
    let mut t = Tree::default();
    for name in &names {
        let exact: &'static str = Box::leak(format!("/{name}").into_boxed_str());
        let nested: &'static str = Box::leak(format!("/{name}/:id/x").into_boxed_str());
        t.insert(Some("GET"), exact, exact).unwrap();
        t.insert(Some("GET"), nested, nested).unwrap();
    }
    for name in &names {
        assert_eq!(find(&t, "GET", &format!("/{name}")).0, format!("/{name}"));
        assert_eq!(
            find(&t, "GET", &format!("/{name}/7/x")),
            (format!("/{name}/:id/x"), pairs(&[("id", "7")]))
        );
    }
    assert_eq!(find(&t, "GET", "/r40").0, "404");
    assert_eq!(find(&t, "GET", "/r1/7/y").0, "404");
}
