//! One shape for every failure the CLI reports: Zoho's error (code, HTTP status, message,
//! details and the spec's resolution), bad input, transport and auth failures, and local
//! ones. It decides the exit code and whether an upload's result is unknown.

use serde::Serialize;
use zoho_crm::AuthError;
use zoho_crm::{ConfigError, DownloadError, Error, ExchangeError, OperationError, Throttle};

use crate::exit::Exit;

/// Where to change the API base URL, for a redirect that was not followed.
const ADVICE_API_BASE: &str = "check --api-base (ZOHO_API_BASE) and --dc (ZOHO_DC)";
/// How to give the CLI a token it can refresh.
const ADVICE_REFRESH_TOKEN: &str = "set ZOHO_REFRESH_TOKEN with ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET (or a token file that holds a refresh token), or give a new --token";

/// What kind of failure, as the JSON `kind` field names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Bad input caught before anything was sent.
    InvalidInput,
    /// The configuration (credentials, URLs, data centre) is unusable; nothing was sent.
    Config,
    /// Zoho answered with an error.
    Api,
    /// The connection failed.
    Transport,
    /// A timeout.
    Timeout,
    /// No access token could be had.
    Auth,
    /// Zoho's answer could not be understood.
    Decode,
    /// A local problem after sending (a file that cannot be written, say).
    Local,
    /// Not sent: the budget of API credits (`--max-credits`, or the day's of
    /// `--max-credits-per-day`) is spent.
    Budget,
}

/// A failure, ready to print as text or JSON.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    /// What kind of failure.
    pub kind: Kind,
    /// Zoho's error code (e.g. `INVALID_DATA`), the token endpoint's error, or one of the
    /// CLI's: `INVALID_INPUT`, `CONFIG_ERROR`, `TRANSPORT_ERROR`, `TIMEOUT`, `AUTH_ERROR`,
    /// `DECODE_ERROR`, `UNREADABLE_SUCCESS`, `REDIRECTED`, `PAGINATION_STOPPED`, `BUDGET_SPENT`,
    /// `CALL_FAILED`,
    /// `NOT_FOUND`, `FILE_EXISTS`, `IO_ERROR`, `JOURNAL_ERROR`, `LEDGER_ERROR`.
    pub code: String,
    /// The HTTP status, when Zoho answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// What happened.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Zoho's `details` object, when not empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
    /// Whether the server may have carried the request out although it failed (for an
    /// upload: the file may be attached already).
    pub may_have_been_processed: bool,
    /// For an HTTP 429, which limit the spec documents its code for: `rate`, `quota` or
    /// `either`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "throttle_word"
    )]
    pub throttle: Option<Throttle>,
}

/// A throttle as the spec's word for it.
fn throttle_word<S: serde::Serializer>(
    throttle: &Option<Throttle>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match throttle {
        Some(throttle) => serializer.serialize_str(throttle.as_str()),
        None => serializer.serialize_none(),
    }
}

impl Failure {
    /// A failure of a kind with a code and message and nothing else.
    pub fn new(kind: Kind, code: &str, message: impl Into<String>) -> Self {
        Failure {
            kind,
            code: code.to_owned(),
            http_status: None,
            message: message.into(),
            resolution: None,
            details: None,
            may_have_been_processed: false,
            throttle: None,
        }
    }

    /// Bad input; nothing was sent.
    pub fn invalid(message: impl Into<String>) -> Self {
        Failure::new(Kind::InvalidInput, "INVALID_INPUT", message)
    }

    /// A local I/O problem.
    pub fn io(message: impl Into<String>) -> Self {
        Failure::new(Kind::Local, "IO_ERROR", message)
    }

    /// Adds a resolution.
    pub fn with_resolution(mut self, resolution: impl Into<String>) -> Self {
        self.resolution = Some(resolution.into());
        self
    }

    /// A failed call of any operation.
    pub fn from_call<E: OperationError>(error: &Error<E>) -> Self {
        match error {
            Error::Api(api) => Failure::from_api(api),
            Error::Validation(e) => Failure::invalid(e.to_string()),
            Error::Timeout { .. } => Failure {
                may_have_been_processed: error.may_have_been_processed(),
                ..Failure::new(Kind::Timeout, "TIMEOUT", error.to_string())
            },
            Error::Transport { .. } => Failure {
                may_have_been_processed: error.may_have_been_processed(),
                ..Failure::new(Kind::Transport, "TRANSPORT_ERROR", error.to_string())
            },
            Error::Auth(auth) => Failure::auth(auth),
            Error::Decode(decode) => Failure {
                http_status: Some(decode.status),
                may_have_been_processed: error.may_have_been_processed(),
                ..Failure::new(Kind::Decode, "DECODE_ERROR", decode.to_string())
            },
            Error::UnreadableSuccess(unreadable) => Failure {
                http_status: Some(unreadable.status),
                may_have_been_processed: true,
                ..Failure::new(Kind::Decode, "UNREADABLE_SUCCESS", unreadable.to_string())
            },
            Error::Redirect(redirect) => Failure {
                http_status: Some(redirect.status),
                may_have_been_processed: error.may_have_been_processed(),
                ..Failure::new(Kind::Transport, "REDIRECTED", error.to_string())
                    .with_resolution(ADVICE_API_BASE)
            },
            Error::Pagination(_) => {
                Failure::new(Kind::Decode, "PAGINATION_STOPPED", error.to_string())
            }
            Error::Budget(spent) => Failure {
                // A retry refused after an attempt that may have been carried out.
                may_have_been_processed: spent.may_have_been_processed,
                ..Failure::new(Kind::Budget, "BUDGET_SPENT", spent.to_string()).with_resolution(
                    "Raise --max-credits, or run the same command again later (what is done is kept).",
                )
            },
            // What a newer runtime may add.
            _ => Failure {
                may_have_been_processed: error.may_have_been_processed(),
                ..Failure::new(Kind::Transport, "CALL_FAILED", error.to_string())
            },
        }
    }

    /// Zoho's error for one call or one item.
    pub fn from_api<E: OperationError>(api: &E) -> Self {
        let info = api.info();
        Failure {
            kind: Kind::Api,
            code: info.code.clone(),
            http_status: Some(info.status),
            message: info.message.clone(),
            resolution: api.resolution().map(str::to_owned),
            details: (!info.details.is_empty()).then(|| info.details.clone()),
            // A 4xx refusal stored nothing; a 5xx may have come after storing.
            may_have_been_processed: info.status >= 500,
            throttle: api.throttle(),
        }
    }

    /// No access token could be had.
    pub fn auth(error: &AuthError) -> Self {
        match error {
            AuthError::Rejected {
                error: code,
                resolution,
                ..
            } => Failure::new(
                Kind::Auth,
                code,
                format!("the accounts server refused the token request ({code})"),
            )
            .with_resolution(*resolution),
            other => {
                let failure = Failure::new(Kind::Auth, "AUTH_ERROR", other.to_string());
                match other {
                    AuthError::CannotRefresh => failure.with_resolution(ADVICE_REFRESH_TOKEN),
                    AuthError::MissingRefreshToken => failure.with_resolution(
                        "set ZOHO_REFRESH_TOKEN (with ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET), or run `zoho-crm auth exchange` to keep one in the token file",
                    ),
                    AuthError::Redirected { .. } => failure.with_resolution(
                        "check --accounts-url (ZOHO_ACCOUNTS_URL) and --dc (ZOHO_DC)",
                    ),
                    _ => failure,
                }
            }
        }
    }

    /// A configuration that cannot make a client (the connection adds where to give a missing
    /// token, which depends on the token file).
    pub fn config(error: &ConfigError) -> Self {
        let failure = Failure::new(Kind::Config, "CONFIG_ERROR", error.to_string());
        match error {
            ConfigError::IncompleteCredentials(_) => failure.with_resolution(
                "a refresh token and a code exchange need --client-id (ZOHO_CLIENT_ID) and ZOHO_CLIENT_SECRET",
            ),
            _ => failure,
        }
    }

    /// A failed grant-code exchange.
    pub fn exchange(error: &ExchangeError) -> Self {
        match error {
            ExchangeError::Config(e) => Failure::config(e),
            ExchangeError::Auth(e) => Failure::auth(e),
        }
    }

    /// A download that failed while streaming or saving.
    pub fn download(error: &DownloadError) -> Self {
        match error {
            DownloadError::Exists { .. } => {
                Failure::new(Kind::Local, "FILE_EXISTS", error.to_string())
                    .with_resolution("choose another output path, or remove the existing file")
            }
            DownloadError::Io { .. } => Failure::io(error.to_string()),
            _ => Failure::new(Kind::Transport, "TRANSPORT_ERROR", error.to_string()),
        }
    }

    /// The exit code for this failure when it ends a single-item command.
    pub fn exit(&self) -> Exit {
        match self.kind {
            Kind::InvalidInput | Kind::Config => Exit::BadInput,
            Kind::Budget => Exit::BudgetSpent,
            _ if self.throttle == Some(Throttle::Quota) => Exit::ZohoCredits,
            _ => Exit::Failed,
        }
    }

    /// Whether an upload that failed like this may be attached anyway: its result is
    /// unknown, and uploading it again could attach it twice.
    pub fn is_unknown(&self) -> bool {
        self.may_have_been_processed
    }

    /// The failure as text: `CODE (HTTP n): message`, then indented details and resolution.
    pub fn describe(&self) -> String {
        // Per-item errors arrive inside a 200 reply; only an error status says something.
        let mut text = match self.http_status.filter(|status| *status >= 300) {
            Some(status) => format!("{} (HTTP {status}): {}", self.code, self.message),
            None if self.message.contains(&self.code) => self.message.clone(),
            None => format!("{}: {}", self.code, self.message),
        };
        if let Some(details) = &self.details {
            text.push_str(&format!(
                "\n  details:    {}",
                serde_json::Value::Object(details.clone())
            ));
        }
        if let Some(resolution) = &self.resolution {
            text.push_str(&format!("\n  resolution: {resolution}"));
        }
        if let Some(throttle) = self.throttle {
            text.push_str("\n  limit:      ");
            text.push_str(match throttle {
                Throttle::Rate => "Zoho's rate limit (its code says so): it clears within seconds",
                Throttle::Quota => {
                    "the day's API credits (Zoho's code says the quota is spent): they come back over 24 hours"
                }
                _ => {
                    "Zoho's concurrency cap (clears within seconds) or the day's API credits (come back over 24 hours): Zoho sends this code for both; upload-many and download-many tell them apart by how long the refusals last (--patience)"
                }
            });
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zoho_crm::ApiErrorInfo;
    use zoho_crm::operations::UploadAttachmentError;

    fn api(status: u16, code: &str) -> Error<UploadAttachmentError> {
        Error::Api(UploadAttachmentError::from_api(ApiErrorInfo::new(
            status, code, "m",
        )))
    }

    #[test]
    fn refusals_are_known_results_but_server_errors_are_not() {
        let refused = Failure::from_call(&api(403, "NO_PERMISSION"));
        assert!(!refused.is_unknown());
        assert_eq!(refused.exit(), Exit::Failed);
        assert!(refused.resolution.is_some());
        assert!(Failure::from_call(&api(500, "INTERNAL_ERROR")).is_unknown());
        let lost: Error<UploadAttachmentError> = Error::Transport {
            message: "reset".into(),
            may_have_been_processed: true,
            source: None,
        };
        assert!(Failure::from_call(&lost).is_unknown());
    }

    #[test]
    fn a_429_says_which_limit_it_could_be() {
        let either = Failure::from_call(&api(429, "TOO_MANY_REQUESTS"));
        assert_eq!(either.throttle, Some(Throttle::Either));
        assert_eq!(either.exit(), Exit::Failed);
        assert!(
            either.describe().contains("concurrency cap"),
            "{}",
            either.describe()
        );
        let json = serde_json::to_value(&either).unwrap_or_default();
        assert_eq!(json["throttle"], "either");
        let rate = Failure::from_call(&api(429, "RATE_LIMIT_EXCEEDED"));
        assert_eq!(rate.throttle, Some(Throttle::Rate));
        assert!(
            rate.describe().contains("rate limit"),
            "{}",
            rate.describe()
        );
        let refused = Failure::from_call(&api(403, "NO_PERMISSION"));
        assert_eq!(refused.throttle, None);
        let json = serde_json::to_value(&refused).unwrap_or_default();
        assert_eq!(json.get("throttle"), None);
    }

    #[test]
    fn the_description_carries_code_status_and_resolution() {
        let text = Failure::from_call(&api(403, "NO_PERMISSION")).describe();
        assert!(text.starts_with("NO_PERMISSION (HTTP 403): m"), "{text}");
        assert!(text.contains("resolution: "), "{text}");
    }
}
