//! What an operation is, as data: its method, path, parameters with their rules, statuses,
//! limits and pagination. The generated crate declares one `const` [`Operation`] per
//! operation; [`crate::call`] validates, builds, sends and decodes any of them. (How an answer
//! is read is decided by the response type, not by data here.)

use crate::file_source::UploadLimits;
use crate::version::Version;

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
    /// The API credits each attempt costs (a retry is a call too).
    pub credits: u32,
    /// The HTTP statuses that mean success.
    pub success_status: &'static [u16],
    /// The HTTP statuses that mean "nothing" (an empty page, no such item).
    pub empty_status: &'static [u16],
    /// The limits on uploaded files, for an operation that takes one.
    pub limits: Option<UploadLimits>,
    /// How to walk a paginated listing page by page.
    pub pagination: Option<Pagination>,
}

/// How a listing is walked: which parameters ask for a page. Where the next page is comes
/// from the page's paging information, through [`PageInfo`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pagination {
    /// The index in [`Operation::params`] of the page-number parameter.
    pub page: usize,
    /// The index of the page-token parameter, for a listing that has page tokens.
    pub token: Option<usize>,
}

impl Pagination {
    /// A listing walked by page number: `page` indexes the parameter.
    pub const fn new(page: usize) -> Pagination {
        Pagination { page, token: None }
    }

    /// Also walked by page token: `param` indexes the parameter.
    pub const fn token(mut self, param: usize) -> Pagination {
        self.token = Some(param);
        self
    }
}

/// What a listing's paging information says about the next page. The generated crate
/// implements it for each paginated listing's info type, from the fields the spec names.
pub trait PageInfo {
    /// Whether more pages follow (`false` when the server does not say).
    fn has_more(&self) -> bool;

    /// The next page's token, when the server gives one; always `None` for a listing without
    /// page tokens.
    fn next_token(&self) -> Option<&str>;
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

/// Where a parameter is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A multipart form field (or the query string for the versions in [`Param::query_in`]).
    Form,
    /// A key of the JSON object that is the request body.
    Json,
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
    /// Several files, streamed one after another as parts of the same form field; the bounds
    /// count the files.
    FileList,
    /// A JSON value the caller builds, sent as it is.
    Json,
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
    pub since: Option<Version>,
    /// The first API version that requires it.
    pub required_from: Option<Version>,
    /// The versions in which a form parameter goes in the query string instead.
    pub query_in: &'static [Version],
    /// For a module parameter, the built-in modules (by API name) the operation accepts, when
    /// not all of them; custom modules are accepted either way.
    pub modules: &'static [&'static str],
}

impl Param {
    /// A parameter of this kind sent in the query string, without bounds or version rules;
    /// [`Param::path`] and [`Param::form`] send it elsewhere.
    const fn new(name: &'static str, kind: Kind) -> Param {
        Param {
            name,
            location: Location::Query,
            kind,
            min: None,
            max: None,
            since: None,
            required_from: None,
            query_in: &[],
            modules: &[],
        }
    }

    /// A module API name.
    pub const fn module(name: &'static str) -> Param {
        Param::new(name, Kind::Module)
    }

    /// A record id.
    pub const fn record_id(name: &'static str) -> Param {
        Param::new(name, Kind::RecordId)
    }

    /// Another id.
    pub const fn id(name: &'static str) -> Param {
        Param::new(name, Kind::Id)
    }

    /// Text.
    pub const fn text(name: &'static str) -> Param {
        Param::new(name, Kind::Text)
    }

    /// An integer.
    pub const fn integer(name: &'static str) -> Param {
        Param::new(name, Kind::Integer)
    }

    /// A list of text items.
    pub const fn text_list(name: &'static str) -> Param {
        Param::new(name, Kind::TextList)
    }

    /// A list of ids.
    pub const fn id_list(name: &'static str) -> Param {
        Param::new(name, Kind::IdList)
    }

    /// A URL.
    pub const fn url(name: &'static str) -> Param {
        Param::new(name, Kind::Url)
    }

    /// A file.
    pub const fn file(name: &'static str) -> Param {
        Param::new(name, Kind::File)
    }

    /// Several files under one field name.
    pub const fn file_list(name: &'static str) -> Param {
        Param::new(name, Kind::FileList)
    }

    /// A JSON value.
    pub const fn json(name: &'static str) -> Param {
        Param::new(name, Kind::Json)
    }

    /// Sent as a path segment.
    pub const fn path(mut self) -> Param {
        self.location = Location::Path;
        self
    }

    /// Sent in the query string (as every parameter is unless told otherwise).
    pub const fn query(mut self) -> Param {
        self.location = Location::Query;
        self
    }

    /// Sent as a multipart form field.
    pub const fn form(mut self) -> Param {
        self.location = Location::Form;
        self
    }

    /// Sent as a key of the JSON request body.
    pub const fn json_body(mut self) -> Param {
        self.location = Location::Json;
        self
    }

    /// For a module parameter: only these built-in modules (and custom ones) are accepted.
    pub const fn modules(mut self, modules: &'static [&'static str]) -> Param {
        self.modules = modules;
        self
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
    pub const fn since(mut self, version: Version) -> Param {
        self.since = Some(version);
        self
    }

    /// Required from `version` on.
    pub const fn required_from(mut self, version: Version) -> Param {
        self.required_from = Some(version);
        self
    }

    /// Sent in the query string in these versions.
    pub const fn query_in(mut self, versions: &'static [Version]) -> Param {
        self.query_in = versions;
        self
    }
}
