//! Items only the generated crate uses: operation descriptors, parameter values and the check
//! its tests run on them, paging information, the answer types' decoding, and the macro that
//! implements an operation's error enum. Hidden from the documentation and not part of the
//! public API: they may change in any release.

#[cfg(feature = "config")]
pub use crate::auth::parse_token_file;
pub use crate::call::{Answer, Call, IntoCall, Value, check_values};
pub use crate::client::PreparedRequest;
pub use crate::descriptor::{
    HttpMethod, Kind, Location, Operation, PageInfo, Pagination, Param, Segment,
};
pub use crate::download::{content_disposition_file_name, sanitize_file_name};
pub use crate::operation_error;
pub use crate::profile::{ApiProfile, OAuthProfile, TokenErrorDoc};
pub use crate::zoho::{decode_action, decode_action_list, decode_error, decode_list};
pub use serde_json;

/// Serde helpers for the generated types' fields (ids as strings, integers sent as strings).
pub mod wire {
    pub use crate::wire::*;
}

/// Declares an operation's error enum, with the given attributes (its doc), a variant per code
/// and `Unknown`, and implements it: its table of documented cases, the accessors every error
/// has (`info`, `code`, `message`, `http_status`, `details`, `documented`, `resolution`), an
/// `is_*` predicate per code, `Display`, `Error` and [`crate::OperationError`].
#[doc(hidden)]
#[macro_export]
macro_rules! operation_error {
    (
        $(#[$attr:meta])*
        $error:ident, $table:expr;
        $($variant:ident = $code:literal => $is:ident,)*
    ) => {
        $(#[$attr])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $error {
            $(
                #[doc = ::std::concat!(" Zoho's `", $code, "`.")]
                $variant($crate::ApiErrorInfo),
            )*
            /// A code the spec does not list for this operation.
            Unknown($crate::ApiErrorInfo),
        }

        impl $error {
            /// Every documented case of every code of this operation, from the spec.
            pub const DOCUMENTED: &'static [$crate::DocumentedError] = $table;

            /// What Zoho sent.
            pub fn info(&self) -> &$crate::ApiErrorInfo {
                match self {
                    $( $error::$variant(info) )|* | $error::Unknown(info) => info,
                }
            }

            /// Zoho's error code, e.g. `INVALID_DATA`.
            pub fn code(&self) -> &str {
                &self.info().code
            }

            /// Zoho's message.
            pub fn message(&self) -> &str {
                &self.info().message
            }

            /// The HTTP status.
            pub fn http_status(&self) -> u16 {
                self.info().status
            }

            /// Zoho's `details` object.
            pub fn details(&self) -> &$crate::__private::serde_json::Map<::std::string::String, $crate::__private::serde_json::Value> {
                &self.info().details
            }

            /// The documented case this error is, when it can be told.
            pub fn documented(&self) -> ::std::option::Option<&'static $crate::DocumentedError> {
                $crate::DocumentedError::find(Self::DOCUMENTED, self.info())
            }

            /// What the spec says to do about this error, when the case can be told.
            pub fn resolution(&self) -> ::std::option::Option<&'static str> {
                self.documented().map(|case| case.resolution)
            }

            /// For an HTTP 429, which limit refused the call, as the spec documents the case
            /// ([`Throttle::Either`]($crate::Throttle::Either) when it does not say); `None`
            /// for any other status.
            pub fn throttle(&self) -> ::std::option::Option<$crate::Throttle> {
                $crate::Throttle::of_answer(
                    self.http_status(),
                    self.documented().and_then(|case| case.throttle),
                )
            }

            $(
                #[doc = ::std::concat!(" Whether this is `", $code, "`.")]
                pub fn $is(&self) -> bool {
                    ::std::matches!(self, $error::$variant(_))
                }
            )*
        }

        impl ::std::fmt::Display for $error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.info(), f)
            }
        }

        impl ::std::error::Error for $error {}

        impl $crate::OperationError for $error {
            fn from_api(info: $crate::ApiErrorInfo) -> Self {
                match info.code.as_str() {
                    $( $code => $error::$variant(info), )*
                    _ => $error::Unknown(info),
                }
            }

            fn info(&self) -> &$crate::ApiErrorInfo {
                $error::info(self)
            }

            fn resolution(&self) -> ::std::option::Option<&'static str> {
                $error::resolution(self)
            }

            fn throttle(&self) -> ::std::option::Option<$crate::Throttle> {
                $error::throttle(self)
            }
        }
    };
}
