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
pub mod auth;
pub mod body;
pub mod builder;
mod call;
pub mod client;
mod descriptor;
pub mod download;
pub mod env;
pub mod error;
pub mod file_source;
mod http;
pub mod multipart;
pub mod pagination;
pub mod profile;
pub mod query;
mod redact;
pub mod redirect;
pub mod response;
pub mod retry;
mod timeouts;
pub mod token;
pub mod validate;
pub mod wire;

pub use auth::{AuthError, TokenProvider, TokenStore};
pub use body::RequestBody;
pub use builder::{ClientBuilder, ExchangeError};
pub use client::{Client, PreparedRequest};
pub use download::{Download, DownloadError};
pub use env::EnvSettings;
pub use error::{
    ApiErrorInfo, ConfigError, DecodeError, DocumentedError, Error, OperationError,
    UnreadableSuccess, ValidationError,
};
pub use file_source::{FileSource, OpenedFile, UploadLimits};
pub use futures_util::Stream;
pub use multipart::MultipartBody;
pub use pagination::{PageMark, PaginationError};
pub use profile::{ApiProfile, DataCenterDef, Endpoints, EnvironmentDef};
pub use query::Query;
pub use redirect::{RedirectError, RedirectReason};
pub use reqwest::Method;
pub use response::{ActionResponse, ActionResults, ListPage};
pub use retry::RetryPolicy;
pub use token::AccessToken;
