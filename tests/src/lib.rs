//! A test kit for code that uses `zoho-crm`: a loopback test double for Zoho CRM's attachment,
//! record photo, file store and file-upload field endpoints and its OAuth accounts server.
//! Start one with [`Server::start`], point a client at [`Server::base_url`] with
//! [`Server::token`], and inspect what it stored or switch on faults.
//!
//! [`LoopbackServer`] binds an HTTP server (HTTP/1.1, and HTTP/2 with prior knowledge or by
//! ALPN through a [`TlsFront`]) to a loopback address and answers
//! `/crm/{version}/{module_api_name}/{record_id}/Attachments[/{attachment_id}]` the way
//! Zoho CRM documents it: upload (`POST`, a file or a link), list (`GET`, with `fields`,
//! `page`, `per_page`, `ids` and v8's `page_token`), download (`GET` an item), delete one
//! (`DELETE` an item) and delete many (`DELETE ?ids=`), with the same success bodies, the
//! same error codes, messages and HTTP statuses, in both of Zoho's error envelopes (see
//! [`server`] for the routes and [`responses`]). Attachments live in memory, per module and
//! record, oldest first, whatever API version they came with.
//!
//! Files beyond the Attachments list go through the same checks, faults and conditions:
//! - record photos, `/crm/{version}/{module}/{record_id}/photo`: upload (`POST`, checked for
//!   type, size and resolution), download (`GET`) and delete (`DELETE`), see [`photos`];
//!   [`LoopbackServer::photo`], [`LoopbackServer::insert_photo`],
//!   [`LoopbackServer::set_locked`];
//! - Zoho's file store, `/crm/{version}/files`: upload one to ten files (`POST`) for
//!   single-use encrypted ids, download one (`GET ?id=`), see [`file_store`];
//!   [`LoopbackServer::stored_file`];
//! - records' file-upload fields, declared with [`LoopbackServer::add_file_field`]: read
//!   (`GET /crm/{version}/{module}/{record_id}?fields=`), set by attaching file-store ids or
//!   deleting entries (`PUT` the record), and a field's file downloaded (`GET
//!   .../{record_id}/actions/download_fields_attachment?fields_attachment_id=`), see
//!   [`file_fields`]; [`LoopbackServer::file_field`], [`LoopbackServer::insert_field_file`].
//!
//! Everything the server sees is recorded for assertions:
//! [`LoopbackServer::requests`] lists every request that reached the server (rejected ones
//! included) and [`LoopbackServer::attachments`] lists the stored attachments. Uploaded
//! files are streamed: they are hashed with SHA-256 chunk by chunk, counted and written to
//! a temporary directory the server owns ([`LoopbackServer::storage_dir`]), from which
//! downloads stream them; their bytes are kept in memory only up to [`KEEP_BYTES_LIMIT`],
//! so a 100 MiB upload does not need 100 MiB of server memory.
//! [`LoopbackServer::insert_file`] and [`LoopbackServer::insert_link`] seed attachments
//! without a request. [`LoopbackServer::respond_next_with`] queues canned replies
//! (429s, 500s, expired tokens, garbage bodies) and [`LoopbackServer::push_fault`] queues
//! other [`Fault`]s (429 with `Retry-After`, connections closed before or after the upload,
//! 5xx after storing, stalls, expiring tokens, truncated downloads, hostile
//! `Content-Disposition` values) to exercise a client's retries and error handling.
//!
//! A hostile world is at hand too: [`Fault::Redirect`] (e.g. to an [`OtherHost`] on
//! `127.0.0.2`, which records what reaches it), [`Fault::Drip`] (an answer one byte at a
//! time), [`Fault::Encode`] (gzip or deflate answers), [`Fault::Echo`] (a gateway echoing the
//! request, `Authorization` included), [`Paging`] styles that never end a listing or repeat a
//! page ([`LoopbackServer::set_paging`]), and on the accounts server
//! [`TokenFailure::Redirect`], [`TokenFailure::EchoForm`], [`TokenFailure::EchoFormAsError`],
//! [`TokenFailure::Drip`] and absurd lifetimes ([`AccountsServer::set_raw_expiry`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use zoho_crm_testkit::{CannedReply, LoopbackServer};
//!
//! let server = LoopbackServer::start().await?;
//! let url = format!("{}/crm/v2/Leads/1000000231009/Attachments", server.base_url());
//! let auth = format!("Zoho-oauthtoken {}", server.token());
//! server.respond_next_with(CannedReply::json(
//!     429,
//!     serde_json::json!({"code": "TOO_MANY_REQUESTS", "details": {}, "message": "too many requests", "status": "error"}),
//! ));
//! // ... point a client at `url` with `auth`, then inspect:
//! assert!(server.attachments().len() <= 1);
//! # let _ = (url, auth);
//! # Ok(())
//! # }
//! ```
//!
//! For OAuth, [`AccountsServer`] plays Zoho's token endpoint (`POST /oauth/v2/token`) on a
//! port of its own: it issues access tokens into a [`TokenRegistry`] that a
//! [`LoopbackServer`] started with [`LoopbackServer::start_with_tokens`] accepts, so a
//! client's refresh, expiry and single-flight logic can be tested end to end.
//!
//! ```no_run
//! # async fn oauth() -> std::io::Result<()> {
//! use zoho_crm_testkit::{
//!     AccountsConfig, AccountsServer, Fault, LoopbackServer, ServerConfig, TokenRegistry,
//! };
//!
//! let tokens = TokenRegistry::new();
//! let api = LoopbackServer::start_with_tokens(ServerConfig::default(), tokens.clone()).await?;
//! let accounts = AccountsServer::start(tokens, AccountsConfig::default()).await?;
//! accounts.set_api_domain(Some(api.base_url()));
//! api.push_fault(Fault::ExpireTokensFirst);
//! // ... point a client at `accounts.base_url()` with `accounts.config()`'s credentials,
//! // upload, then check that it refreshed after the 401 and retried (one refresh for the
//! // first token, one after the 401):
//! assert_eq!(accounts.refresh_count(), 2);
//! # Ok(())
//! # }
//! ```
//!
//! [`TlsFront`] puts HTTPS in front of a server, offering `h2` and `http/1.1` by ALPN, and
//! counts its handshakes ([`TlsFront::handshakes`]); [`LoopbackServer::stats`] gathers a
//! server's counts (and its fronts' handshakes), which [`LoopbackServer::serve_stats`] also
//! serves as JSON at `GET /testkit/stats` for a process outside the test (see [`stats`]).
//!
//! The `loopback-server` binary runs the same server as a standalone process (for
//! benchmarks against curl); with `--with-accounts` it runs an [`AccountsServer`] too.

#![warn(missing_docs)]

pub mod accounts;
mod bodies;
pub mod conditions;
pub mod file_fields;
mod file_parts;
mod file_state;
pub mod file_store;
pub mod hostile;
pub mod image;
pub mod multipart;
pub mod operations;
pub mod other_host;
pub mod photos;
mod query;
pub mod responses;
mod routes;
mod serve;
pub mod server;
mod server_files;
pub mod socks;
pub mod state;
pub mod stats;
mod storage;
pub mod tls_front;
pub mod tokens;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_attachments;
#[cfg(test)]
mod tests_conditions;
#[cfg(test)]
mod tests_faults;
#[cfg(test)]
mod tests_file_fields;
#[cfg(test)]
mod tests_file_store;
#[cfg(test)]
mod tests_files;
#[cfg(test)]
mod tests_hostile;
#[cfg(test)]
mod tests_oauth;
#[cfg(test)]
mod tests_photos;
#[cfg(test)]
mod tests_protocols;

pub use accounts::{AccountsConfig, AccountsServer, RawExpiry, TokenFailure, TokenRequest};
pub use conditions::Conditions;
pub use file_state::{DEFAULT_FIELD_MAX_FILES, StoredFieldFile, StoredFile, StoredPhoto};
pub use hostile::Coding;
pub use other_host::OtherHost;
pub use server::{LoopbackServer, ServerConfig};
pub use socks::Socks5Proxy;
pub use stats::Stats;
pub use tls_front::{Handshakes, TlsFront};

/// The loopback API server, by the name users of the test kit reach for first.
pub type Server = LoopbackServer;
pub use state::{
    AttachmentKind, CannedReply, Disposition, EmptyList, Fault, Paging, ReceivedRequest,
    StoredAttachment, StoredContent, UploadDetails,
};
pub use tokens::TokenRegistry;

/// The access token a server accepts unless [`ServerConfig::token`] says otherwise.
pub const DEFAULT_TOKEN: &str = "loopback-test-token";

/// Uploaded files up to this many bytes (8 MiB) keep their full content in memory, in
/// [`StoredContent::File::bytes`]; larger ones keep only their size and SHA-256 there.
/// Either way the content is on disk for downloads
/// ([`LoopbackServer::stored_file_bytes`]).
///
/// The limit can be changed per server with [`LoopbackServer::set_keep_bytes_limit`].
pub const KEEP_BYTES_LIMIT: u64 = 8 * 1024 * 1024;

/// Zoho's maximum attachment size, 100 MB, in bytes. A file one byte larger is rejected
/// with `FILE_SIZE_MORE_THAN_ALLOWED_SIZE`.
pub const MAX_FILE_SIZE: u64 = 104_857_600;

/// The module API names the server accepts besides the configured custom modules
/// ([`ServerConfig::custom_modules`]). Together with one custom module these are the 18
/// modules Zoho's page lists.
pub const SUPPORTED_MODULES: [&str; 17] = [
    "Leads",
    "Accounts",
    "Contacts",
    "Deals",
    "Campaigns",
    "Tasks",
    "Cases",
    "Events",
    "Solutions",
    "Products",
    "Vendors",
    "Price_Books",
    "Quotes",
    "Sales_Orders",
    "Purchase_Orders",
    "Invoices",
    "Notes",
];

/// Modules that take attachments only from a later API version, with that version: Calls from
/// v2.1, Appointments and Services from v3 (Zoho's v2.1 and v3 attachment and scope pages). In
/// an earlier version the server answers `INVALID_MODULE`, as for any unknown module.
pub const LATER_MODULES: [(&str, &str); 3] = [
    ("Calls", "v2.1"),
    ("Appointments", "v3"),
    ("Services", "v3"),
];

/// The API versions accepted in the URL's `{version}` segment.
pub const SUPPORTED_VERSIONS: [&str; 8] = ["v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"];
