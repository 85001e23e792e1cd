//! The thin runtime behind the generated `zoho-crm` crate: a configured HTTP client, streaming
//! multipart bodies, checks that refuse bad input before anything is sent, and decoding of Zoho's
//! response envelopes into typed results and errors.
//!
//! It holds no endpoint facts: paths, field names, limits and error codes come from the spec
//! through the generated code.

#![warn(missing_docs)]

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
mod auth;
mod body;
mod builder;
mod call;
mod client;
mod custom_module;
mod descriptor;
mod download;
mod env;
mod error;
mod file_source;
mod http;
mod http_version;
mod multipart;
mod pagination;
mod profile;
mod query;
mod redact;
mod redirect;
mod response;
mod retry;
mod timeouts;
mod token;
mod validate;
mod version;
mod wire;

pub use auth::{
    AuthError, BoxFuture, DEFAULT_REFRESH_MARGIN, FileTokenStore, Grant, IssuedToken,
    MAX_TOKEN_LIFETIME, MemoryTokenStore, RefreshTokenProvider, StaticTokenProvider, StoreError,
    StoreErrorKind, StoreLock, StoredToken, TokenErrorKind, TokenProvider, TokenStore,
};
pub use builder::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_LOW_SPEED_LIMIT, DEFAULT_LOW_SPEED_TIME,
    DEFAULT_MAX_PAGES, DEFAULT_READ_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT, DEFAULT_TOTAL_TIMEOUT,
    ExchangeError,
};
pub use client::{Client, ThrottleListener};
pub use custom_module::CustomModule;
pub use download::{Download, DownloadError};
pub use env::EnvSettings;
pub use error::{
    ApiErrorInfo, ConfigError, DecodeError, DocumentedError, Error, OperationError,
    UnreadableSuccess, ValidationError,
};
pub use file_source::{FileSource, OpenedFile, Progress, UploadLimits};
pub use futures_util::Stream;
pub use http_version::{HttpVersion, UnknownHttpVersion};
pub use pagination::{PageMark, PaginationError};
pub use profile::{DataCenterDef, Endpoints, EnvironmentDef};
pub use redirect::{MAX_REDIRECTS, RedirectError, RedirectReason};
pub use response::{ActionResponse, ActionResults, ListPage, MAX_RESPONSE_BYTES, SNIPPET_CHARS};
pub use retry::RetryPolicy;
pub use token::AccessToken;
pub use validate::{http_url as check_link_url, record_id as check_record_id};
pub use version::Version;
