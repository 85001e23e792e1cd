//! `lib.rs` of the generated crate: crate docs, the API profile, the `Client` wrapper and the
//! re-exports users need from the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::inner_doc;
use crate::model::TokenErrorKind;
use crate::resolved::Resolved;

pub(super) fn emit(resolved: &Resolved<'_>) -> TokenStream {
    let spec = resolved.spec;
    let crate_doc = inner_doc(&format!(
        "{}\n\n{}\n\nGenerated from the API spec; the module docs and error docs quote it.",
        spec.api.name, spec.api.doc
    ));
    let default_dc = spec
        .data_centers
        .iter()
        .find(|dc| dc.id == spec.api.default_data_center);
    let default_env = spec
        .environments
        .iter()
        .find(|env| env.id == spec.api.default_environment);
    let base_url = match (default_dc, default_env) {
        (Some(dc), Some(env)) => format!("https://{}.{}", env.host_prefix, dc.api_domain),
        _ => String::new(),
    };
    let header = &spec.auth.header;
    let scheme = &spec.auth.scheme;
    let base_url_doc =
        format!(" The API base URL of the default data centre and environment: `{base_url}`.");
    let dc_variants = resolved.data_centers.iter().map(|dc| &dc.ident);
    let env_variants = resolved.environments.iter().map(|env| &env.ident);
    let default_version = super::versions::runtime_value(&spec.api.default_version);
    let default_version_variant = super::versions::variant(&spec.api.default_version);
    let default_dc_id = &spec.api.default_data_center;
    let default_env_id = &spec.api.default_environment;
    let refresh_on = &spec.auth.refresh_on;
    let endpoint = &spec.auth.token_endpoint;
    let token_path = &endpoint.path;
    let lifetime = endpoint.default_lifetime_seconds;
    let token_errors = endpoint.errors.iter().map(|e| {
        let (error, resolution) = (&e.error, e.resolution.trim());
        let kind = match e.kind {
            TokenErrorKind::InvalidClient => quote! { InvalidClient },
            TokenErrorKind::InvalidGrant => quote! { InvalidGrant },
            TokenErrorKind::InvalidRequest => quote! { InvalidRequest },
            TokenErrorKind::Throttled => quote! { Throttled },
        };
        quote! {
            ::zoho_crm_runtime::__private::TokenErrorDoc {
                error: #error,
                kind: ::zoho_crm_runtime::TokenErrorKind::#kind,
                resolution: #resolution,
            }
        }
    });
    let concurrency = spec.api.default_concurrency;
    quote! {
        #crate_doc
        #![warn(missing_docs)]

        pub mod errors;
        pub mod modules;
        pub mod operations;
        pub mod regions;
        pub mod scopes;
        pub mod types;
        pub mod versions;

        pub use ::zoho_crm_runtime::{
            AccessToken, ActionResponse, ActionResults, ApiErrorInfo, AuthError, BoxFuture, BudgetSpent,
            ConcurrencyStats, ConfigError, CustomModule, DataCenterDef, DecodeError, DocumentedError, Download,
            DownloadError, Endpoints, EnvironmentDef, Error, ExchangeError,
            FileSource, Grant, HttpVersion, ImageFormat, ImageLimits, IssuedToken, JsonValue, ListPage, MemoryTokenStore,
            OpenedFile, OperationError, PageMark, PaginationError, Progress, RedirectError,
            RedirectReason, RefreshTokenProvider, RetryPolicy, StagedDownload, StaticTokenProvider, StoreError,
            StoreErrorKind, StoreLock, StoredToken, Throttle, ThrottleListener, TokenErrorKind,
            TokenProvider, TokenStore, UnreadableSuccess, UploadLimits, Usage, ValidationError,
            Version, check_link_url, check_record_id, sanitize_file_name,
        };
        /// Settings from the environment and tokens kept in a file (feature `config`, on by
        /// default).
        #[cfg(feature = "config")]
        pub use ::zoho_crm_runtime::{EnvSettings, FileTokenStore};
        /// The limits and defaults the runtime applies.
        pub mod limits {
            pub use ::zoho_crm_runtime::{
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_LOW_SPEED_LIMIT, DEFAULT_LOW_SPEED_TIME,
                DEFAULT_MAX_PAGES, DEFAULT_READ_TIMEOUT, DEFAULT_REFRESH_MARGIN,
                DEFAULT_RESPONSE_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, MAX_REDIRECTS,
                MAX_RESPONSE_BYTES, MAX_TOKEN_LIFETIME, SNIPPET_CHARS,
            };
        }
        pub use modules::Module;
        pub use regions::{DataCenter, Environment};
        pub use versions::ApiVersion;
        pub use scopes::ScopeOperation;

        #[doc = #base_url_doc]
        pub const DEFAULT_BASE_URL: &str = #base_url;
        /// The API version used unless another is configured.
        pub const DEFAULT_API_VERSION: ApiVersion = ApiVersion::#default_version_variant;

        /// The API-wide facts the runtime needs.
        const API_PROFILE: ::zoho_crm_runtime::__private::ApiProfile = ::zoho_crm_runtime::__private::ApiProfile {
            data_centers: &[ #( *regions::DataCenter::#dc_variants.def() ),* ],
            environments: &[ #( *regions::Environment::#env_variants.def() ),* ],
            default_data_center: #default_dc_id,
            default_environment: #default_env_id,
            default_version: #default_version,
            auth_header: #header,
            auth_scheme: #scheme,
            refresh_on: &[ #( #refresh_on ),* ],
            oauth: ::zoho_crm_runtime::__private::OAuthProfile {
                token_path: #token_path,
                errors: &[ #( #token_errors ),* ],
                default_lifetime: ::std::time::Duration::from_secs(#lifetime),
            },
            default_concurrency: #concurrency,
        };

        /// Builds a [`Client`]: `Client::builder().access_token(token).build()`.
        pub type ClientBuilder = ::zoho_crm_runtime::ClientBuilder<Client>;

        /// A client for the API. Each operation is a method; cheap to clone.
        #[derive(Clone, Debug)]
        pub struct Client {
            runtime: ::zoho_crm_runtime::Client,
        }

        impl Client {
            /// A builder with the API's defaults (data centre, environment, version).
            pub fn builder() -> ClientBuilder {
                ::zoho_crm_runtime::ClientBuilder::new(API_PROFILE)
            }

            /// A client configured from the `ZOHO_*` environment variables (see
            /// [`EnvSettings`]): a refresh token with its client, or an access token; the data
            /// centre, environment, URLs and token file. Feature `config`, on by default.
            #[cfg(feature = "config")]
            pub fn from_env() -> ::std::result::Result<Client, ConfigError> {
                Client::builder().from_env().build()
            }

            /// The API base URL calls go to, without a trailing slash (the API domain the
            /// accounts server names with a token may take its place; see
            /// [`ClientBuilder::follow_api_domain`]).
            pub fn base_url(&self) -> &str {
                self.runtime.base_url()
            }

            /// The API version calls use unless a request sets its own.
            pub fn api_version(&self) -> ApiVersion {
                ApiVersion::from_runtime(self.runtime.api_version()).unwrap_or_default()
            }

            /// Where the client's access tokens come from.
            pub fn token_provider(&self) -> &::std::sync::Arc<dyn TokenProvider> {
                self.runtime.token_provider()
            }

            /// The most pages a listing's stream fetches (see [`ClientBuilder::max_pages`]).
            pub fn max_pages(&self) -> u32 {
                self.runtime.max_pages()
            }

            /// The adaptive concurrency limit now and what it went through (see
            /// [`ClientBuilder::max_concurrency`]).
            pub fn concurrency(&self) -> ConcurrencyStats {
                self.runtime.concurrency()
            }

            /// What this client and its clones have spent: calls (retries included), API
            /// credits as the spec prices each operation, retries, 429 answers, bytes each
            /// way, and the budget (see [`ClientBuilder::max_credits`]).
            pub fn usage(&self) -> Usage {
                self.runtime.usage()
            }
        }

        impl ::std::convert::From<::zoho_crm_runtime::Client> for Client {
            fn from(runtime: ::zoho_crm_runtime::Client) -> Self {
                Client { runtime }
            }
        }
    }
}
