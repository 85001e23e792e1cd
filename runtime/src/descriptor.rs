//! What an operation is, as data: its method, path, parameters with their rules, statuses,
//! response kind and limits. The generated crate declares one `const` [`Operation`] per
//! operation; [`crate::call`] validates, builds, sends and decodes any of them.

use crate::file_source::UploadLimits;

/// One operation of the API, from the spec.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// Its name in the spec, e.g. `upload_attachment`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template below the API base URL, for logs (it holds no ids).
    pub path_template: &'static str,
    /// The path, segment by segment.
    pub path: &'static [Segment],
    /// The parameters, in the order the request passes their values.
    pub params: &'static [Param],
    /// Whether repeating the call is harmless; if not, it is never retried once the server may
    /// have processed it.
    pub idempotent: bool,
    /// The HTTP statuses that mean success.
    pub success_status: &'static [u16],
    /// The HTTP statuses that mean "nothing" (an empty page, no such item).
    pub empty_status: &'static [u16],
    /// How a successful answer is read.
    pub response: ResponseKind,
    /// The limits on uploaded files, for an operation that takes one.
    pub limits: Option<UploadLimits>,
}

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl HttpMethod {
    /// The method as reqwest knows it.
    pub fn to_reqwest(self) -> reqwest::Method {
        match self {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
        }
    }
}

/// One segment of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Literal text.
    Literal(&'static str),
    /// The call's API version.
    Version,
    /// The value of the path parameter at this index of [`Operation::params`].
    Param(usize),
}

/// How a successful answer is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// A `data[]` list whose first item is the action's result.
    Action,
    /// A `data[]` list with one result per item.
    ActionList,
    /// A page of items with its paging information.
    List,
    /// Content to stream (a file).
    Binary,
}

/// Where a parameter is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A multipart form field (or the query string for the versions in [`Param::query_in`]).
    Form,
}

/// What a parameter holds, which decides how it is checked and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A module API name.
    Module,
    /// A record id.
    RecordId,
    /// Another id (a positive integer).
    Id,
    /// Text without control characters.
    Text,
    /// An integer, within the bounds.
    Integer,
    /// A comma-separated list of text items, its length within the bounds.
    TextList,
    /// A comma-separated list of ids, its length within the bounds.
    IdList,
    /// An absolute http or https URL.
    Url,
    /// A file, streamed.
    File,
}

/// One parameter and its rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name on the wire.
    pub name: &'static str,
    /// Where it is sent.
    pub location: Location,
    /// What it holds.
    pub kind: Kind,
    /// The smallest value (or list length) allowed.
    pub min: Option<i64>,
    /// The largest value (or list length) allowed.
    pub max: Option<i64>,
    /// The first API version that has it.
    pub since: Option<&'static str>,
    /// The first API version that requires it.
    pub required_from: Option<&'static str>,
    /// The versions in which a form parameter goes in the query string instead.
    pub query_in: &'static [&'static str],
}

impl Param {
    /// A parameter without bounds or version rules.
    pub const fn new(name: &'static str, location: Location, kind: Kind) -> Param {
        Param {
            name,
            location,
            kind,
            min: None,
            max: None,
            since: None,
            required_from: None,
            query_in: &[],
        }
    }

    /// At least `min` (a list: at least `min` items).
    pub const fn min(mut self, min: i64) -> Param {
        self.min = Some(min);
        self
    }

    /// At most `max` (a list: at most `max` items).
    pub const fn max(mut self, max: i64) -> Param {
        self.max = Some(max);
        self
    }

    /// Only in `version` and later.
    pub const fn since(mut self, version: &'static str) -> Param {
        self.since = Some(version);
        self
    }

    /// Required from `version` on.
    pub const fn required_from(mut self, version: &'static str) -> Param {
        self.required_from = Some(version);
        self
    }

    /// Sent in the query string in these versions.
    pub const fn query_in(mut self, versions: &'static [&'static str]) -> Param {
        self.query_in = versions;
        self
    }
}
