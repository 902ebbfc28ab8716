//! The route table: a tree of pattern segments, matched against a request
//! path one segment at a time, without allocating.

use super::params::Params;
use super::pattern::{self, PatternError, Segment};

/// Up to this many literal children, or exact paths, are searched one by
/// one: cheaper than a binary search's string orderings for so few.
const LINEAR: usize = 12;

/// Routes by pattern and method. Generic over what a route holds, so the
/// matching is tested without handlers.
#[derive(Debug, Clone)]
pub(crate) struct Tree<T> {
    root: Node,
    /// Every pattern's routes; nodes refer to them by index.
    endpoints: Vec<Endpoint<T>>,
    /// Patterns made of literals only, as the exact path they match, for
    /// one compare instead of a walk (the walk would find the same
    /// endpoint: literals are tried first). Sorted by length, then bytes.
    exact: Vec<(String, usize)>,
}

/// The patterns that share the segments leading here.
#[derive(Debug, Clone, Default)]
struct Node {
    /// Literal segments, sorted by their (decoded) text.
    literals: Vec<(String, Node)>,
    /// `:name` here, and what follows it.
    param: Option<Box<(String, Node)>>,
    /// `*name` here: the endpoint of the patterns that take the rest.
    wildcard: Option<(String, usize)>,
    /// The endpoint of the pattern that ends here.
    endpoint: Option<usize>,
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
    /// Where GET is in `methods`.
    get: Option<usize>,
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
            endpoints: Vec::new(),
            exact: Vec::new(),
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
        let exact = exact_path(&segments);
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
        let next = self.endpoints.len();
        let index = match last {
            None => *node.endpoint.get_or_insert(next),
            Some(name) => {
                let wildcard = node.wildcard.get_or_insert_with(|| (name.clone(), next));
                same_name(&wildcard.0, &name, '*')?;
                wildcard.1
            }
        };
        if index == next {
            self.endpoints.push(Endpoint::new(pattern));
            if let Some(path) = exact {
                let at = self
                    .exact
                    .binary_search_by(|(p, _)| by_length(p.as_bytes(), path.as_bytes()))
                    .unwrap_or_else(|at| at);
                self.exact.insert(at, (path, index));
            }
        }
        self.endpoints[index].add(method, route)
    }

    /// The endpoint of the literal-only pattern that is exactly `path`. A
    /// path with `%` is left to the walk, which compares decoded segments.
    #[inline]
    fn exact_match(&self, path: &[u8]) -> Option<usize> {
        if pattern::position(path, b'%').is_some() {
            return None;
        }
        if self.exact.len() <= LINEAR {
            return self
                .exact
                .iter()
                .find(|(p, _)| pattern::same(p.as_bytes(), path))
                .map(|&(_, index)| index);
        }
        let at = self
            .exact
            .binary_search_by(|(p, _)| by_length(p.as_bytes(), path))
            .ok()?;
        Some(self.exact[at].1)
    }

    /// The route for `method` and `path` (a request's path, query removed),
    /// its parameters put in `params`. Inlined into the router's `serve`:
    /// a call less on every request.
    #[inline]
    pub(crate) fn find<'t>(
        &'t self,
        path: &[u8],
        method: &[u8],
        params: &mut Params,
    ) -> Match<'t, T> {
        params.clear();
        if path.first() != Some(&b'/') {
            return Match::NoRoute; // `OPTIONS *`
        }
        let index = match self.exact_match(path) {
            Some(index) => index,
            None => match self.root.find(path, Some(1), params) {
                Some(index) => index,
                None => return Match::NoRoute,
            },
        };
        let endpoint = &self.endpoints[index];
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

/// The path a pattern of literals only matches exactly, if it is one (and
/// no literal holds a `/`, written `%2F`: that one is a segment of its own).
fn exact_path(segments: &[Segment]) -> Option<String> {
    let mut path = String::new();
    for segment in segments {
        match segment {
            Segment::Literal(text) if !text.contains('/') => {
                path.push('/');
                path.push_str(text);
            }
            _ => return None,
        }
    }
    Some(path)
}

/// The order of the exact paths: by length, then bytes.
fn by_length(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
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

impl Node {
    /// The endpoint for the path from byte `at` on (`None`: the path ended),
    /// trying at each segment a literal, then the parameter, then the
    /// wildcard, and going back when a branch leads nowhere. Recursion is as
    /// deep as the longest pattern, whatever the path's length.
    fn find(&self, path: &[u8], at: Option<usize>, params: &mut Params) -> Option<usize> {
        let Some(start) = at else {
            return self.endpoint;
        };
        let rest = &path[start..];
        let (segment, next) = match pattern::position(rest, b'/') {
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
        let (name, index) = self.wildcard.as_ref()?;
        params.push(name, start..path.len());
        Some(*index)
    }

    /// The child for the literal `segment` (raw, as in the path).
    fn literal(&self, segment: &[u8]) -> Option<&Node> {
        if pattern::position(segment, b'%').is_some() {
            return self
                .literals
                .iter()
                .find(|(text, _)| pattern::segment_is(segment, text))
                .map(|(_, node)| node);
        }
        if self.literals.len() <= LINEAR {
            // Most compares stop at the length.
            return self
                .literals
                .iter()
                .find(|(text, _)| pattern::same(text.as_bytes(), segment))
                .map(|(_, node)| node);
        }
        let at = self
            .literals
            .binary_search_by(|(text, _)| text.as_bytes().cmp(segment))
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
            get: None,
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
            Some(m) => {
                if m == "GET" {
                    self.get = Some(self.methods.len());
                }
                self.methods.push((m.to_owned(), route));
            }
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
    fn select(&self, method: &[u8]) -> Option<&T> {
        if method == b"GET" {
            // Most requests: a compare with a constant, then a stored index.
            if let Some(at) = self.get {
                return Some(&self.methods[at].1);
            }
        }
        let by_name = |wanted: &[u8]| {
            self.methods
                .iter()
                .find(|(m, _)| pattern::same(m.as_bytes(), wanted))
                .map(|(_, route)| route)
        };
        by_name(method)
            .or_else(|| {
                if method == b"HEAD" {
                    by_name(b"GET")
                } else {
                    None
                }
            })
            .or(self.any.as_ref())
    }
}
