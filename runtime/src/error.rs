//! The errors a call can end in: bad input caught before sending, transport and timeout failures,
//! undecodable responses, and the API's own error (typed per operation by the generated crate).

use std::path::PathBuf;

use crate::throttle::Throttle;

/// What Zoho said when it refused a call: one entry of its error table, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiErrorInfo {
    /// The HTTP status of the response.
    pub status: u16,
    /// Zoho's error code, e.g. `INVALID_DATA`.
    pub code: String,
    /// Zoho's message for this case.
    pub message: String,
    /// Zoho's `details` object (for example the offending parameter); empty when absent.
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl ApiErrorInfo {
    /// What a server sent: its status, code and message, with no details (for tests of code
    /// that handles API errors; the client makes these from responses).
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiErrorInfo {
            status,
            code: code.into(),
            message: message.into(),
            details: serde_json::Map::new(),
        }
    }

    /// With this `details` object.
    pub fn with_details(mut self, details: serde_json::Map<String, serde_json::Value>) -> Self {
        self.details = details;
        self
    }
}

impl std::fmt::Display for ApiErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.code, self.status, self.message)?;
        if !self.details.is_empty() {
            write!(f, " {}", serde_json::Value::Object(self.details.clone()))?;
        }
        Ok(())
    }
}

/// An operation's typed API error, generated from the spec's error table.
pub trait OperationError: std::error::Error + Sized {
    /// Classifies an error Zoho returned into the operation's variant for its code.
    fn from_api(info: ApiErrorInfo) -> Self;
    /// What Zoho sent.
    fn info(&self) -> &ApiErrorInfo;
    /// What the spec says to do about it, when the case can be told.
    fn resolution(&self) -> Option<&'static str>;
    /// For an HTTP 429, which limit refused the call, as the spec documents the case
    /// ([`Throttle::Either`] when it does not say, as here by default); `None` for any other
    /// status.
    fn throttle(&self) -> Option<Throttle> {
        Throttle::of_answer(self.info().status, None)
    }
}

/// Everything a call can fail with. `E` is the operation's generated API error enum.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E: std::error::Error> {
    /// The input was rejected before anything was sent.
    #[error("invalid input, nothing was sent: {0}")]
    Validation(#[from] ValidationError),
    /// Zoho answered with an error from its table.
    #[error("Zoho CRM refused the call: {0}")]
    Api(E),
    /// The call did not complete within a configured timeout.
    #[error("timed out: {message}{}", if *may_have_been_processed { MAY_HAVE_BEEN_PROCESSED } else { "" })]
    Timeout {
        /// Which timeout, and what was under way.
        message: String,
        /// Whether the server may have processed the request (it received all of it).
        may_have_been_processed: bool,
        /// The error that ended the call (a [`reqwest::Error`]), when the HTTP client's own
        /// timeout did; `None` for the runtime's timeouts.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The connection failed, or the body could not be read while sending.
    #[error("transport error: {message}{}", if *may_have_been_processed { MAY_HAVE_BEEN_PROCESSED } else { "" })]
    Transport {
        /// What failed, the causes included.
        message: String,
        /// Whether the server may have processed the request (it received all of it).
        may_have_been_processed: bool,
        /// The error that ended the call (a [`reqwest::Error`]), when there was one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// No access token could be had.
    #[error("authentication failed: {0}")]
    Auth(#[from] crate::auth_error::AuthError),
    /// Zoho's answer could not be understood.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Zoho said the call succeeded (for an upload: the file **was** stored), but the rest of
    /// its answer could not be read. Do not repeat the call: it would be carried out twice.
    #[error(transparent)]
    UnreadableSuccess(UnreadableSuccess),
    /// The server answered with a redirect that was not followed (to another origin, or for a
    /// request with a body); nothing was sent to its target.
    #[error(transparent)]
    Redirect(crate::redirect::RedirectError),
    /// A listing stopped because the server made no progress, or at its page limit.
    #[error(transparent)]
    Pagination(crate::pagination_error::PaginationError),
    /// Not sent: the call would have taken the client past its budget of API credits
    /// ([`crate::ClientBuilder::max_credits`]).
    #[error(transparent)]
    Budget(crate::usage::BudgetSpent),
}

impl<E: std::error::Error> Error<E> {
    /// The typed API error, if Zoho answered with one.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The validation error, if the input was rejected before sending.
    pub fn validation_error(&self) -> Option<&ValidationError> {
        match self {
            Error::Validation(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(err: reqwest::Error, may_have_been_processed: bool) -> Self {
        let message = error_chain(&err);
        if err.is_timeout() {
            Error::Timeout {
                message,
                may_have_been_processed,
                source: Some(Box::new(err)),
            }
        } else {
            Error::Transport {
                message,
                may_have_been_processed,
                source: Some(Box::new(err)),
            }
        }
    }
}

impl<E: OperationError> Error<E> {
    /// Whether the server may have processed the request although the call failed (so that
    /// repeating it could, for an upload, attach the file twice): a lost answer or a timeout
    /// after the whole request was sent, a 5xx, or an unreadable answer that was not a 4xx.
    /// Refusals (4xx) and errors before sending were not processed.
    pub fn may_have_been_processed(&self) -> bool {
        match self {
            Error::Timeout {
                may_have_been_processed,
                ..
            }
            | Error::Transport {
                may_have_been_processed,
                ..
            } => *may_have_been_processed,
            Error::Api(e) => e.info().status >= 500,
            Error::Decode(e) => !(400..500).contains(&e.status),
            Error::UnreadableSuccess(_) => true,
            // "See other" answers a request that was carried out; other redirects say the
            // request belongs elsewhere.
            Error::Redirect(e) => e.status == 303,
            // A retry refused by the budget after an attempt that may have been processed.
            Error::Budget(spent) => spent.may_have_been_processed,
            Error::Validation(_) | Error::Auth(_) | Error::Pagination(_) => false,
        }
    }

    /// Whether Zoho said the call succeeded although its answer could not be read (for an
    /// upload: the file is attached). Such a call must not be repeated.
    pub fn succeeded(&self) -> bool {
        matches!(self, Error::UnreadableSuccess(_))
    }

    /// When Zoho refused the call with HTTP 429 (after the client's own retries), which limit
    /// it was, as the spec documents the code: a short-term limit that clears in seconds, a
    /// quota such as the day's API credits, or either. `None` for any other error.
    pub fn throttle(&self) -> Option<Throttle> {
        self.api_error().and_then(OperationError::throttle)
    }
}

const MAY_HAVE_BEEN_PROCESSED: &str = "; the server received the whole request and may have processed it, so it was not retried (for an upload, a retry could attach the file twice): check the record before uploading again";

/// Joins an error and its sources into one line, so the root cause (say, an I/O error while
/// streaming a file) is not hidden behind "error sending request".
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A response that could not be decoded. Carries the status and a bounded, printable snippet.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("could not decode the response (HTTP {status}): {reason}; body starts: {snippet:?}")]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: u16,
    /// What was wrong with the body.
    pub reason: String,
    /// The start of the body (at most [`crate::SNIPPET_CHARS`] characters).
    pub snippet: String,
}

/// An answer that says SUCCESS but whose details could not be read: the call **was** carried
/// out (for an upload, the file was stored). Carries the id when the answer had one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "succeeded, but the answer could not be read: Zoho CRM answered SUCCESS (HTTP {status}){}, so the call was carried out and must not be repeated; {reason}; body starts: {snippet:?}",
    id.as_ref().map(|id| format!(" for id {id}")).unwrap_or_default()
)]
#[non_exhaustive]
pub struct UnreadableSuccess {
    /// The HTTP status of the response.
    pub status: u16,
    /// `details.id`, when the answer carried one.
    pub id: Option<String>,
    /// What could not be read.
    pub reason: String,
    /// The start of the body (at most [`crate::SNIPPET_CHARS`] characters).
    pub snippet: String,
}

impl UnreadableSuccess {
    /// A success answer that could not be read (for tests of code that handles it; the client
    /// makes these from responses): its status, the id when known, and why it was unreadable.
    pub fn new(status: u16, id: Option<String>, reason: impl Into<String>) -> Self {
        UnreadableSuccess {
            status,
            id,
            reason: reason.into(),
            snippet: String::new(),
        }
    }
}

/// Bad input, found before any byte was sent. Each variant says what to change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The file does not exist.
    #[error("file {path} does not exist; check the path")]
    FileNotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The path names a directory, not a file.
    #[error("{path} is a directory; give the path of a file")]
    IsDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The path names something other than a regular file or a directory (a FIFO, a socket, a
    /// device), which is refused before it is opened: opening a FIFO would block.
    #[error(
        "{path} is {kind}, not a regular file, and only regular files can be uploaded; give the path of a file"
    )]
    NotRegularFile {
        /// The path given.
        path: PathBuf,
        /// What it is, in words (e.g. "a FIFO (named pipe)").
        kind: &'static str,
    },
    /// The file exists but could not be opened or read.
    #[error("file {path} cannot be read ({source}); check its permissions")]
    Unreadable {
        /// The path given.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than the operation allows.
    #[error("{name} is {size} bytes, over the limit of {limit} bytes; upload a smaller file")]
    FileTooLarge {
        /// The file name.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file's type is not accepted by the operation.
    #[error("{name} has the extension .{extension}, which Zoho CRM does not accept")]
    ForbiddenExtension {
        /// The file name.
        name: String,
        /// The forbidden extension, lower case.
        extension: String,
    },
    /// The file name cannot be sent safely.
    #[error("file name {name:?} is not usable: {reason}; rename the file or give another name")]
    InvalidFileName {
        /// The file name (lossily converted if it was not UTF-8).
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The file name holds an RFC 2047 encoded word (`=?charset?Q?text?=` or
    /// `=?charset?B?text?=`, Q and B in either case). Java multipart parsers (Apache Commons
    /// FileUpload) decode such words in a file name, so the name stored would not be the name
    /// checked: `=?UTF-8?Q?evil.exe?=` is stored as `evil.exe`. Such a name is always refused
    /// with this variant, whatever it decodes to: an encoded `.exe` is refused here, not as
    /// [`ValidationError::ForbiddenExtension`].
    #[error(
        "file name {name:?} contains an RFC 2047 encoded word (=?charset?Q?text?= or =?charset?B?text?=), which Zoho CRM's multipart parser decodes: {}; rename the file so that it holds no \"=?\"",
        match read_as {
            Some(read_as) => format!("it would be stored as {read_as:?}"),
            None => "it would be stored under another name (its charset or encoding is unknown here)".to_owned(),
        }
    )]
    EncodedFileName {
        /// The file name, as given (without leading and trailing spaces and tabs).
        name: String,
        /// What a multipart parser decodes it to; `None` when it is in a charset not known
        /// here (UTF-8, ISO-8859-1 and US-ASCII are) or its Q or B text is malformed.
        read_as: Option<String>,
    },
    /// The operation takes images only, and the file is not one of the formats it accepts
    /// (told from the file's first bytes, whatever its name says).
    #[error(
        "{name} is not {} image: {}; upload an image in one of those formats",
        crate::image_header::list(allowed),
        match found {
            Some(found) => format!("it is a {found} image"),
            None => "its first bytes are not those of an image in any of those formats".to_owned(),
        }
    )]
    NotAnImage {
        /// The file name.
        name: String,
        /// The formats the operation accepts.
        allowed: &'static [crate::image_header::ImageFormat],
        /// The format it is, when it is an image of another format.
        found: Option<crate::image_header::ImageFormat>,
    },
    /// The image has more pixels (width × height, from its header) than the operation allows.
    #[error(
        "{name} is {width}x{height} pixels ({pixels} pixels), over the limit of {limit} pixels; scale the image down"
    )]
    TooManyPixels {
        /// The file name.
        name: String,
        /// The width in pixels.
        width: u32,
        /// The height in pixels.
        height: u32,
        /// Width × height.
        pixels: u64,
        /// The most pixels allowed.
        limit: u64,
    },
    /// The file starts like an image of an accepted format, but its header cannot be read
    /// (it is truncated or malformed), so its size cannot be checked.
    #[error(
        "{name} looks like an image but its header cannot be read: {reason}; check that the file is a valid image"
    )]
    UnreadableImage {
        /// The file name.
        name: String,
        /// What is wrong with the header.
        reason: &'static str,
    },
    /// The module API name is empty.
    #[error(
        "the module API name is empty; give one such as the API name of a built-in or custom module"
    )]
    EmptyModule,
    /// The module API name has characters a module API name never has.
    #[error("module API name {name:?} is invalid: it may hold only ASCII letters, digits and '_'")]
    InvalidModule {
        /// The name given.
        name: String,
    },
    /// The record id is not a positive integer.
    #[error(
        "record id {value:?} is invalid: it must be a positive integer such as 3477061000005177002"
    )]
    InvalidRecordId {
        /// The id given.
        value: String,
    },
    /// The API version is not one the spec knows.
    #[error("API version {value} is not one this SDK knows")]
    InvalidVersion {
        /// The version given.
        value: String,
    },
    /// A parameter this API version requires is missing.
    #[error(
        "parameter `{name}` is required from API version {required_from} on (this call uses {version}); set it"
    )]
    MissingParameter {
        /// The parameter.
        name: &'static str,
        /// The first version that requires it.
        required_from: &'static str,
        /// The version of the call.
        version: String,
    },
    /// A parameter was given that this API version does not have.
    #[error(
        "parameter `{name}` exists from API version {since} on, but this call uses {version}; use a later version or leave it out"
    )]
    ParameterNotInVersion {
        /// The parameter.
        name: &'static str,
        /// The first version that has it.
        since: &'static str,
        /// The version of the call.
        version: String,
    },
    /// The module exists only from a later API version on.
    #[error(
        "module {module} exists from API version {since} on, but this call uses {version}; use a later version"
    )]
    ModuleNotInVersion {
        /// The module's API name.
        module: String,
        /// The first version that has it.
        since: &'static str,
        /// The version of the call.
        version: String,
    },
    /// The operation does not take this built-in module.
    #[error(
        "module {module} does not support `{parameter}` of this operation; it takes {} or a custom module",
        supported.join(", ")
    )]
    ModuleNotSupported {
        /// The module's API name.
        module: String,
        /// The module parameter's name.
        parameter: &'static str,
        /// The built-in modules it takes.
        supported: &'static [&'static str],
    },
    /// A number or a list length is outside its allowed range.
    #[error("parameter `{name}` is {value}, outside the allowed range {}..={}", min.map_or(String::new(), |m| m.to_string()), max.map_or(String::new(), |m| m.to_string()))]
    OutOfRange {
        /// The parameter.
        name: &'static str,
        /// The value (for lists, the number of items).
        value: i64,
        /// The smallest allowed value.
        min: Option<i64>,
        /// The largest allowed value.
        max: Option<i64>,
    },
    /// A parameter's value cannot be sent.
    #[error("parameter `{name}` is invalid: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// The link is not an absolute http(s) URL.
    #[error("link {url:?} is invalid: {reason}; give an absolute http:// or https:// URL")]
    InvalidUrl {
        /// The link given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
}

/// A client that could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No credentials were configured.
    #[error(
        "no credentials were given: set an access token, or a refresh token with its client id and secret"
    )]
    MissingToken,
    /// The access token is empty or would break the Authorization header.
    #[error("the access token is invalid: {0}")]
    InvalidToken(&'static str),
    /// The API base URL or the accounts URL cannot be used.
    #[error("{setting} {url:?} is invalid: {reason}")]
    InvalidBaseUrl {
        /// Which URL: `the API base URL` or `the accounts URL`.
        setting: &'static str,
        /// The URL given, without any user name or password.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The data centre id is not one the spec knows.
    #[error("unknown data centre {given:?}; use one of: {known}")]
    UnknownDataCenter {
        /// The id given.
        given: String,
        /// The ids the spec knows.
        known: String,
    },
    /// The environment id is not one the spec knows.
    #[error("unknown environment {given:?}; use one of: {known}")]
    UnknownEnvironment {
        /// The id given.
        given: String,
        /// The ids the spec knows.
        known: String,
    },
    /// Part of a credential set is missing.
    #[error("incomplete credentials: {0}")]
    IncompleteCredentials(&'static str),
    /// A value from the environment cannot be used.
    #[error("environment variable {name}: {reason}")]
    InvalidEnvironmentVariable {
        /// The variable.
        name: &'static str,
        /// What is wrong with it (never its value, which may be a secret).
        reason: String,
    },
    /// A proxy cannot be used.
    #[error("proxy {url:?} from {setting} is invalid: {reason}")]
    InvalidProxy {
        /// Where it was configured: `ClientBuilder::proxy` or an environment variable's name.
        setting: &'static str,
        /// The proxy URL, without any user name or password.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Extra root certificates cannot be used.
    #[error("root certificates from {source_name} cannot be used: {reason}")]
    InvalidCertificate {
        /// Where they came from: `ClientBuilder::add_root_certificate` or `SSL_CERT_FILE=path`.
        source_name: String,
        /// Why not.
        reason: String,
    },
    /// The HTTP client could not be created.
    #[error("the HTTP client could not be created: {0}")]
    Http(String),
}

/// One row of the spec's error table: a documented case of an error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentedError {
    /// The error code.
    pub code: &'static str,
    /// The HTTP status it comes with.
    pub status: u16,
    /// Zoho's message for this case, when documented.
    pub message: Option<&'static str>,
    /// What to do about it.
    pub resolution: &'static str,
    /// For an HTTP 429, which limit the case comes from (see [`Throttle`]).
    pub throttle: Option<Throttle>,
}

impl DocumentedError {
    /// A documented case: its code, HTTP status, Zoho's message (when documented) and
    /// resolution.
    pub const fn new(
        code: &'static str,
        status: u16,
        message: Option<&'static str>,
        resolution: &'static str,
    ) -> DocumentedError {
        DocumentedError {
            code,
            status,
            message,
            resolution,
            throttle: None,
        }
    }

    /// The same case, documented as a refusal by `throttle` (for an HTTP 429).
    pub const fn throttled_by(self, throttle: Throttle) -> DocumentedError {
        DocumentedError {
            throttle: Some(throttle),
            ..self
        }
    }

    /// The documented case an error received from Zoho is: the only case of its code, else the
    /// case whose message it carries (ignoring case and surrounding space), else the only case
    /// of its code with its HTTP status.
    pub fn find<'a>(
        table: &'a [DocumentedError],
        info: &ApiErrorInfo,
    ) -> Option<&'a DocumentedError> {
        let cases = || table.iter().filter(|case| case.code == info.code);
        let mut all = cases();
        let first = all.next()?;
        if all.next().is_none() {
            return Some(first);
        }
        let message = info.message.trim();
        if let Some(case) = cases().find(|case| {
            case.message
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(message))
        }) {
            return Some(case);
        }
        let mut same_status = cases().filter(|case| case.status == info.status);
        match (same_status.next(), same_status.next()) {
            (Some(case), None) => Some(case),
            _ => None,
        }
    }
}

/// An operation error for the runtime's own unit tests.
#[cfg(test)]
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct TestError(pub(crate) ApiErrorInfo);

#[cfg(test)]
impl OperationError for TestError {
    fn from_api(info: ApiErrorInfo) -> Self {
        TestError(info)
    }

    fn info(&self) -> &ApiErrorInfo {
        &self.0
    }

    fn resolution(&self) -> Option<&'static str> {
        None
    }
}
