//! The thin runtime behind the generated `zoho-crm` crate: a configured HTTP client, streaming
//! multipart bodies, checks that refuse bad input before anything is sent, and decoding of Zoho's
//! response envelopes into typed results and errors.
//!
//! It holds no endpoint facts: paths, field names, limits and error codes come from the spec
//! through the generated code.
//!
//! # Layers
//!
//! Each module imports only from the layers below it (and, within a layer, without cycles);
//! `cargo xtask layers`, run by `cargo test`, fails naming the imports of any cycle. Bottom to top:
//!
//! 1. **Leaf types and policy values**: the errors every layer shares (`error`: the call's
//!    `Error<E>`, validation, configuration and decoding errors, Zoho's error info;
//!    `auth_error`, `pagination_error`), `retry`, `timeouts`, `concurrency` (the adaptive
//!    limit), `redirect`, `redact`, `token`, `version`, `http_version`, `query`, `validate`
//!    (generic checks), `wire` (serde helpers), `encoded_word` (RFC 2047 words in a file name,
//!    as a Java multipart parser decodes them), `image_header` (an image's format and size from
//!    its first bytes), `media_type` (a file name's media type), `usage` (calls, credits and
//!    bytes spent, and the budget of credits), `pacing` (the limits on attempts started per
//!    second and on bytes per second), `throttle` (which limit a 429 came from).
//! 2. **The operation as data**: `descriptor`, `file_source`, `multipart`, `body`, `response`
//!    (bounded reading, snippets), `download`, `profile` (the API-wide facts from the spec).
//! 3. **Zoho's protocol**: `zoho` — its JSON envelopes, how its token endpoint answers, its id
//!    formats. No module below knows them, and the engine above only asks it.
//! 4. **Transport**: `http` (the reqwest clients, TLS roots, proxies).
//! 5. **Auth**: `auth` (token providers, stores, the token endpoint's client).
//! 6. **The engine**: `client` (attempts, retries, timeouts, holding a place in the limit),
//!    `call` (an operation run from its descriptor), `pagination`.
//! 7. **The builder** (`builder`) and the `#[doc(hidden)]` module for generated code
//!    (`__private`). With the default feature `config`, `env` reads the `ZOHO_*` variables and
//!    `auth` keeps tokens in a file; without it the core has neither.

#![warn(missing_docs)]

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
mod auth;
mod auth_error;
mod body;
mod builder;
mod call;
mod client;
mod concurrency;
mod descriptor;
mod download;
mod encoded_word;
#[cfg(feature = "config")]
mod env;
mod error;
mod file_source;
mod http;
mod http_version;
mod image_header;
mod media_type;
mod multipart;
mod pacing;
mod pagination;
mod pagination_error;
mod profile;
mod query;
mod redact;
mod redirect;
mod response;
mod retry;
mod throttle;
mod timeouts;
mod token;
mod usage;
mod validate;
mod version;
mod wire;
mod zoho;

#[cfg(feature = "config")]
pub use auth::FileTokenStore;
pub use auth::{
    BoxFuture, DEFAULT_REFRESH_MARGIN, Grant, MemoryTokenStore, RefreshTokenProvider,
    StaticTokenProvider, StoreLock, StoredToken, TokenProvider, TokenStore,
};
pub use auth_error::{AuthError, StoreError, StoreErrorKind, TokenErrorKind};
pub use builder::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_LOW_SPEED_LIMIT, DEFAULT_LOW_SPEED_TIME,
    DEFAULT_MAX_PAGES, DEFAULT_READ_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT, DEFAULT_TOTAL_TIMEOUT,
    ExchangeError,
};
pub use client::{Client, ThrottleListener};
pub use concurrency::ConcurrencyStats;
pub use download::{Download, DownloadError, StagedDownload, sanitize_file_name};
#[cfg(feature = "config")]
pub use env::EnvSettings;
pub use error::{
    ApiErrorInfo, ConfigError, DecodeError, DocumentedError, Error, OperationError,
    UnreadableSuccess, ValidationError,
};
pub use file_source::{FileSource, OpenedFile, Progress, UploadLimits};
pub use futures_util::Stream;
pub use http_version::{HttpVersion, UnknownHttpVersion};
pub use image_header::{ImageFormat, ImageLimits};
pub use pagination_error::{PageMark, PaginationError};
pub use profile::{DataCenterDef, Endpoints, EnvironmentDef};
pub use redirect::{MAX_REDIRECTS, RedirectError, RedirectReason};
pub use response::{MAX_RESPONSE_BYTES, SNIPPET_CHARS};
pub use retry::RetryPolicy;
/// A JSON value, as a JSON request parameter takes it.
pub use serde_json::Value as JsonValue;
pub use throttle::Throttle;
pub use token::{AccessToken, IssuedToken, MAX_TOKEN_LIFETIME};
pub use usage::{BudgetSpent, Usage};
pub use validate::http_url as check_link_url;
pub use version::Version;
pub use zoho::{
    ActionResponse, ActionResults, CustomModule, ListPage, record_id as check_record_id,
};
