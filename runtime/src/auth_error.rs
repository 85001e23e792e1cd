//! The errors of getting a token: the token endpoint's refusals and failures ([`AuthError`],
//! [`TokenErrorKind`]) and a token store's ([`StoreError`], [`StoreErrorKind`]). They are leaf
//! types, so the call's [`crate::Error`] can carry them without depending on the auth machinery.
//! Their messages say what was wrong in the SDK's terms; a program that reads its settings from
//! somewhere (the CLI, its environment variables and options) adds where to change them.

use std::time::Duration;

/// Kinds of token-endpoint failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenErrorKind {
    /// The client id or secret is wrong, or belongs to another data centre.
    InvalidClient,
    /// The refresh token or grant code is invalid, expired or already used.
    InvalidGrant,
    /// The request was malformed (e.g. a redirect URI that does not match).
    InvalidRequest,
    /// Too many token requests: wait before trying again.
    Throttled,
    /// An error the spec does not describe.
    Other,
}

/// A failure to get an access token. Never contains a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint refused the request.
    #[error("the accounts server refused the token request ({error}): {resolution}")]
    Rejected {
        /// What kind of refusal.
        kind: TokenErrorKind,
        /// The endpoint's error text.
        error: String,
        /// What to do about it.
        resolution: &'static str,
    },
    /// The endpoint answered with an unexpected HTTP status.
    #[error("the accounts server answered HTTP {status}: {snippet:?}")]
    Http {
        /// The status.
        status: u16,
        /// The start of the body.
        snippet: String,
    },
    /// The endpoint could not be reached.
    #[error("the accounts server could not be reached: {0}")]
    Transport(String),
    /// The endpoint answered with a redirect, which is never followed.
    #[error(
        "the accounts server answered HTTP {status} redirecting the token request to {location}; not followed, so the client secret and the refresh token or grant code were not sent there: check the accounts URL and the data centre"
    )]
    Redirected {
        /// The status.
        status: u16,
        /// Where it pointed: scheme, host, port and path (no query, user name or password).
        location: String,
    },
    /// The endpoint did not answer in time.
    #[error("the accounts server did not answer the token request within {0:?}; try again later")]
    TimedOut(Duration),
    /// The endpoint's answer could not be understood.
    #[error("the accounts server's answer could not be understood: {0}")]
    Decode(String),
    /// The client has a fixed access token, which cannot be refreshed.
    #[error(
        "the access token was rejected and cannot be refreshed: configure a refresh token with its client id and secret, or a new access token"
    )]
    CannotRefresh,
    /// No refresh token was configured or stored.
    #[error("no refresh token: configure one, or exchange a grant code into the token store first")]
    MissingRefreshToken,
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthError {
    /// The kind of refusal, when the endpoint refused.
    pub fn kind(&self) -> Option<TokenErrorKind> {
        match self {
            AuthError::Rejected { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// A failure of a token store. Its message names what was wrong and what to do; it never quotes
/// the contents of a token file.
#[derive(Debug, thiserror::Error)]
#[error("token store {location}: {message}")]
#[non_exhaustive]
pub struct StoreError {
    /// Which store (a path, or a name).
    pub location: String,
    /// What went wrong, and what to do about it.
    pub message: String,
    /// What kind of failure it was, for code that reacts to it.
    pub kind: StoreErrorKind,
}

impl StoreError {
    /// A failure of the store at `location` (a path, or a name) of kind [`StoreErrorKind::Other`]:
    /// for stores a user plugs in.
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError {
            location: location.into(),
            message: message.into(),
            kind: StoreErrorKind::Other,
        }
    }
}

/// What kind of failure a [`StoreError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The token file's mode gives its group or others some access (Unix only). `mode` holds its
    /// permission bits, e.g. `0o640`; `chmod 600` fixes it.
    InsecureMode {
        /// The file's permission bits (`mode & 0o7777`).
        mode: u32,
    },
    /// The token file is owned by another user than the process's effective user (Unix only).
    WrongOwner {
        /// The uid that owns the file.
        owner: u32,
        /// The process's effective uid.
        user: u32,
    },
    /// Something other than a regular file is at the path: a directory, a pipe, a socket, a
    /// device.
    NotAFile,
    /// The path is a symbolic link into a directory that does not exist.
    DanglingLink,
    /// The file is larger than a token file can be.
    TooLarge {
        /// The file's size in bytes.
        bytes: u64,
    },
    /// The file's contents are not a token set: empty, not JSON, or missing or mistyped fields.
    Malformed,
    /// Reading, writing or locking failed with this I/O error.
    Io(std::io::ErrorKind),
    /// Any other failure, e.g. of a store a user plugged in.
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ConfigError;

    #[test]
    fn the_sdk_says_what_is_wrong_and_leaves_where_to_change_it_to_the_program() {
        let messages = [
            AuthError::CannotRefresh.to_string(),
            AuthError::MissingRefreshToken.to_string(),
            AuthError::Redirected {
                status: 307,
                location: "https://elsewhere.example/token".into(),
            }
            .to_string(),
            ConfigError::MissingToken.to_string(),
            ConfigError::IncompleteCredentials("a code exchange needs the client id and secret")
                .to_string(),
        ];
        for message in messages {
            assert!(!message.contains("ZOHO_"), "{message}");
            assert!(!message.contains("--"), "{message}");
        }
    }
}
