//! The route table: a tree of pattern segments, matched against a request
//! path one segment at a time, without allocating.

use super::params::Params;
use super::pattern::{self, PatternError, Segment};

/// Routes by pattern and method. Generic over what a route holds, so the
/// matching is tested without handlers.
#[derive(Debug, Clone)]
pub(crate) struct Tree<T> {
    root: Node<T>,
}

/// The routes whose patterns share the segments that lead here.
#[derive(Debug, Clone)]
struct Node<T> {
    /// Literal segments, sorted by their (decoded) text for binary search.
    literals: Vec<(String, Node<T>)>,
    /// `:name` here, and what follows it.
    param: Option<Box<(String, Node<T>)>>,
    /// `*name` here: the routes that take the rest of the path.
    wildcard: Option<Box<(String, Endpoint<T>)>>,
    /// The routes whose pattern ends here.
    endpoint: Option<Endpoint<T>>,
}

impl<T> Default for Node<T> {
    fn default() -> Self {
        Node {
            literals: Vec::new(),
            param: None,
            wildcard: None,
            endpoint: None,
        }
    }
}

/// The routes of one pattern, by method.
#[derive(Debug, Clone)]
struct Endpoint<T> {
    /// The pattern as first registered, for error messages.
    pattern: String,
    /// By method, in registration order.
    methods: Vec<(String, T)>,
    /// The route for every method not in `methods`.
    any: Option<T>,
    /// The `Allow` header of a 405 for this pattern, built at registration.
    allow: String,
}

/// What a path and method found.
#[derive(Debug)]
pub(crate) enum Match<'t, T> {
    /// The route; its parameters are in the `Params` given.
    Route(&'t T),
    /// The path has routes, none for this method: the `Allow` value.
    NotAllowed(&'t str),
    /// No pattern matches the path.
    NoRoute,
    /// The route's parameters are not UTF-8 once percent-decoded.
    NotUtf8,
}

impl<T> Default for Tree<T> {
    fn default() -> Self {
        Tree {
            root: Node::default(),
        }
    }
}

impl<T> Tree<T> {
    /// Adds `route` for `method` (`None`: any method) and `pattern`.
    ///
    /// # Errors
    ///
    /// A malformed pattern; the same method and pattern twice; a parameter
    /// or wildcard whose name differs from the one an earlier pattern gave
    /// the same position (`/a/:id` and `/a/:name/b`: one segment, two names).
    pub(crate) fn insert(
        &mut self,
        method: Option<&str>,
        pattern: &str,
        route: T,
    ) -> Result<(), PatternError> {
        let segments = pattern::parse(pattern)?;
        let mut node = &mut self.root;
        let mut last = None;
        for segment in segments {
            match segment {
                Segment::Literal(text) => {
                    let at = match node.literals.binary_search_by(|(t, _)| t.cmp(&text)) {
                        Ok(at) => at,
                        Err(at) => {
                            node.literals.insert(at, (text, Node::default()));
                            at
                        }
                    };
                    node = &mut node.literals[at].1;
                }
                Segment::Param(name) => {
                    let param = node
                        .param
                        .get_or_insert_with(|| Box::new((name.clone(), Node::default())));
                    same_name(&param.0, &name, ':')?;
                    node = &mut param.1;
                }
                Segment::Wildcard(name) => last = Some(name),
            }
        }
        let endpoint = match last {
            None => node.endpoint.get_or_insert_with(|| Endpoint::new(pattern)),
            Some(name) => {
                let wildcard = node
                    .wildcard
                    .get_or_insert_with(|| Box::new((name.clone(), Endpoint::new(pattern))));
                same_name(&wildcard.0, &name, '*')?;
                &mut wildcard.1
            }
        };
        endpoint.add(method, route)
    }

    /// The route for `method` and `path` (a request's path, query removed),
    /// its parameters put in `params`.
    pub(crate) fn find<'t>(
        &'t self,
        path: &str,
        method: &str,
        params: &mut Params,
    ) -> Match<'t, T> {
        params.clear();
        if !path.starts_with('/') {
            return Match::NoRoute; // `OPTIONS *`
        }
        let Some(endpoint) = self.root.find(path, Some(1), params) else {
            return Match::NoRoute;
        };
        match endpoint.select(method) {
            Some(route) => match params.decode(path) {
                Ok(()) => Match::Route(route),
                Err(_) => Match::NotUtf8,
            },
            None => {
                params.clear();
                Match::NotAllowed(&endpoint.allow)
            }
        }
    }
}

/// Two patterns give one position two names: a route could not tell which
/// to fill.
fn same_name(existing: &str, new: &str, sigil: char) -> Result<(), PatternError> {
    if existing == new {
        return Ok(());
    }
    Err(PatternError(format!(
        "{sigil}{new} is where another route has {sigil}{existing}: one position, one name"
    )))
}

impl<T> Node<T> {
    /// The endpoint for the path from byte `at` on (`None`: the path ended),
    /// trying at each segment a literal, then the parameter, then the
    /// wildcard, and going back when a branch leads nowhere. Recursion is as
    /// deep as the longest pattern, whatever the path's length.
    fn find(&self, path: &str, at: Option<usize>, params: &mut Params) -> Option<&Endpoint<T>> {
        let Some(start) = at else {
            return self.endpoint.as_ref();
        };
        let rest = &path[start..];
        let (segment, next) = match rest.find('/') {
            Some(i) => (&rest[..i], Some(start + i + 1)),
            None => (rest, None),
        };
        if let Some(child) = self.literal(segment) {
            if let Some(found) = child.find(path, next, params) {
                return Some(found);
            }
        }
        if let Some(param) = &self.param {
            if !segment.is_empty() {
                params.push(&param.0, start..start + segment.len());
                if let Some(found) = param.1.find(path, next, params) {
                    return Some(found);
                }
                params.pop();
            }
        }
        let wildcard = self.wildcard.as_deref()?;
        params.push(&wildcard.0, start..path.len());
        Some(&wildcard.1)
    }

    /// The child for the literal `segment` (raw, as in the path).
    fn literal(&self, segment: &str) -> Option<&Node<T>> {
        if segment.contains('%') {
            return self
                .literals
                .iter()
                .find(|(text, _)| pattern::segment_is(segment, text))
                .map(|(_, node)| node);
        }
        let at = self
            .literals
            .binary_search_by(|(text, _)| text.as_str().cmp(segment))
            .ok()?;
        Some(&self.literals[at].1)
    }
}

impl<T> Endpoint<T> {
    fn new(pattern: &str) -> Self {
        Endpoint {
            pattern: pattern.to_owned(),
            methods: Vec::new(),
            any: None,
            allow: String::new(),
        }
    }

    fn add(&mut self, method: Option<&str>, route: T) -> Result<(), PatternError> {
        let taken = match method {
            None => self.any.is_some(),
            Some(m) => self.methods.iter().any(|(n, _)| n == m),
        };
        if taken {
            return Err(PatternError(format!(
                "{} {} is already a route",
                method.unwrap_or("any method of"),
                self.pattern
            )));
        }
        match method {
            None => self.any = Some(route),
            Some(m) => self.methods.push((m.to_owned(), route)),
        }
        self.allow = self.allow_header();
        Ok(())
    }

    /// The methods served, GET with HEAD after it unless HEAD has its own
    /// route (a GET route answers HEAD: the server drops the body).
    fn allow_header(&self) -> String {
        let has_head = self.methods.iter().any(|(m, _)| m == "HEAD");
        let mut allow = String::new();
        for (method, _) in &self.methods {
            if !allow.is_empty() {
                allow.push_str(", ");
            }
            allow.push_str(method);
            if method == "GET" && !has_head {
                allow.push_str(", HEAD");
            }
        }
        allow
    }

    /// The route for `method`: its own, else GET's for HEAD, else the one for
    /// any method.
    fn select(&self, method: &str) -> Option<&T> {
        let by_name = |wanted: &str| {
            self.methods
                .iter()
                .find(|(m, _)| m == wanted)
                .map(|(_, route)| route)
        };
        by_name(method)
            .or_else(|| {
                if method == "HEAD" {
                    by_name("GET")
                } else {
                    None
                }
            })
            .or(self.any.as_ref())
    }
}
