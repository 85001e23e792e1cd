//! The thin runtime behind the generated `zoho-crm` crate: a configured HTTP client, streaming
//! multipart bodies, checks that refuse bad input before anything is sent, and decoding of Zoho's
//! response envelopes into typed results and errors.
//!
//! It holds no endpoint facts: paths, field names, limits and error codes come from the spec
//! through the generated code.

#![warn(missing_docs)]

pub mod client;
pub mod error;
pub mod file_source;
pub mod multipart;
pub mod response;
pub mod token;
pub mod validate;

pub use client::{ApiProfile, Client, ClientBuilder, PreparedRequest};
pub use error::{
    ApiErrorInfo, ConfigError, DecodeError, DocumentedError, Error, OperationError, ValidationError,
};
pub use file_source::{FileSource, OpenedFile, UploadLimits};
pub use multipart::MultipartBody;
pub use reqwest::Method;
pub use response::ActionResponse;
pub use token::AccessToken;
