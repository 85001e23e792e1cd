//! What one side (the OpenAPI description or our spec) says about an operation, in the terms
//! both share, so that comparing them is a matter of comparing sets.

use std::collections::{BTreeMap, BTreeSet};

/// Where a non-path parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// The query string.
    Query,
    /// A field of a multipart/form-data or url-encoded body.
    Form,
    /// A key of a JSON request body.
    Json,
    /// A request header (only an OpenAPI description can say so).
    Header,
    /// A cookie (only an OpenAPI description can say so).
    Cookie,
}

impl Location {
    /// The word the report uses, e.g. `query`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Query => "query",
            Location::Form => "form",
            Location::Json => "json",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// Where a set of response fields sits in a JSON success response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Each item of a listing's `data` array.
    Item,
    /// A listing's `info` object.
    Info,
    /// The `details` of each item of an action's `data` array.
    Details,
}

impl Role {
    /// Where the fields sit, for a report line when the spec names no type for them.
    pub fn json_location(self) -> &'static str {
        match self {
            Role::Item => "data[] items",
            Role::Info => "info",
            Role::Details => "data[].details",
        }
    }
}

/// What a success response's body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Body {
    /// A JSON document (an action result or a listing).
    Json,
    /// The content itself: a file or an image (any media type that is not JSON).
    Binary,
}

impl Body {
    /// The word the report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Body::Json => "JSON",
            Body::Binary => "binary",
        }
    }
}

/// What one side says about one operation (or about several merged into one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// How many path parameters it declares.
    pub path_params: usize,
    /// Its other parameters, by wire name, with where each goes.
    pub params: BTreeSet<(String, Location)>,
    /// The response fields in each role, as dotted paths (`Owner.id`).
    pub fields: BTreeMap<Role, BTreeSet<String>>,
    /// Every HTTP status it can answer with, as written (`200`, `4XX`).
    pub statuses: BTreeSet<String>,
    /// The error codes it can return.
    pub error_codes: BTreeSet<String>,
    /// What its success bodies are (none for an operation whose successes have no body).
    pub bodies: BTreeSet<Body>,
    /// The OAuth scopes it names: those an OpenAPI operation lists under `security`; every
    /// scope the spec accepts for the operation (with `{module}` left in), compared with the
    /// OpenAPI ones without regard to case.
    pub scopes: BTreeSet<String>,
    /// The scopes the spec asks for (the narrowest of each template it needs); none on the
    /// OpenAPI side, which does not say which of its scopes is the one to ask for.
    pub requested_scopes: BTreeSet<String>,
}

impl Facts {
    /// Adds everything `other` says to this: several spec operations that share one HTTP
    /// operation are compared as one.
    pub fn merge(&mut self, other: &Facts) {
        self.path_params = self.path_params.max(other.path_params);
        self.params.extend(other.params.iter().cloned());
        for (role, fields) in &other.fields {
            self.fields
                .entry(*role)
                .or_default()
                .extend(fields.iter().cloned());
        }
        self.statuses.extend(other.statuses.iter().cloned());
        self.error_codes.extend(other.error_codes.iter().cloned());
        self.bodies.extend(other.bodies.iter().copied());
        self.scopes.extend(other.scopes.iter().cloned());
        self.requested_scopes
            .extend(other.requested_scopes.iter().cloned());
    }
}

/// An operation of the OpenAPI description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenApiOperation {
    /// The HTTP method, upper case.
    pub method: String,
    /// The path as written under `paths` (below the server URL).
    pub path: String,
    /// The server URL's path followed by `path`, each placeholder written `{}`.
    pub shape: String,
    /// Its `operationId`, when it has one.
    pub operation_id: Option<String>,
    /// What it says.
    pub facts: Facts,
}

impl OpenApiOperation {
    /// How the report names it: `METHOD path (operationId)`.
    pub fn title(&self) -> String {
        match &self.operation_id {
            Some(id) => format!("{} {} ({id})", self.method, self.path),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

/// An operation of our spec, seen in one API version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecOperation {
    /// Its snake_case name.
    pub name: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// Its path template, each placeholder written `{}`.
    pub shape: String,
    /// What it says.
    pub facts: Facts,
    /// The spec type that describes the fields of each role it has.
    pub type_names: BTreeMap<Role, String>,
}

/// A path template with every `{placeholder}` written `{}` and no trailing `/`, so that
/// `/{moduleApiName}/x` and `/{module_api_name}/x` compare equal.
pub fn path_shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    let mut in_placeholder = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_placeholder = true;
                shape.push_str("{}");
            }
            '}' if in_placeholder => in_placeholder = false,
            _ if in_placeholder => {}
            _ => shape.push(c),
        }
    }
    while shape.len() > 1 && shape.ends_with('/') {
        shape.pop();
    }
    shape
}

/// `shape` with each segment that names the API version `version` (`v8` in `/crm/v8/{}`)
/// written `{}`, as the spec writes the `{version}` placeholder: an OpenAPI file of one version
/// may write it into its paths.
pub fn version_as_placeholder(shape: &str, version: &str) -> String {
    shape
        .split('/')
        .map(|segment| {
            let names_version = segment
                .strip_prefix(['v', 'V'])
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
                && version_name(segment) == version;
            if names_version { "{}" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The spec version an OpenAPI `info.version` stands for: `8.0` is `v8`, `2.1` is `v2.1`.
pub fn version_name(info_version: &str) -> String {
    let trimmed = info_version.trim();
    let mut version = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
    while let Some(shorter) = version.strip_suffix(".0") {
        version = shorter;
    }
    format!("v{version}")
}
