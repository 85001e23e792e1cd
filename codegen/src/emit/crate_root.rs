//! `lib.rs` of the generated crate: crate docs, the API profile, the `Client` wrapper and the
//! re-exports users need from the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::inner_doc;
use crate::model::{Spec, TokenErrorKind};

pub(super) fn emit(spec: &Spec) -> TokenStream {
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
    let version = &spec.api.default_version;
    let header = &spec.auth.header;
    let scheme = &spec.auth.scheme;
    let base_url_doc =
        format!(" The API base URL of the default data centre and environment: `{base_url}`.");
    let dc_defs = spec.data_centers.iter().map(|dc| {
        let (id, name, accounts, domain) = (&dc.id, &dc.name, &dc.accounts_url, &dc.api_domain);
        quote! {
            ::zoho_crm_runtime::DataCenterDef { id: #id, name: #name, accounts_url: #accounts, api_domain: #domain }
        }
    });
    let env_defs = spec.environments.iter().map(|env| {
        let (id, prefix) = (&env.id, &env.host_prefix);
        quote! { ::zoho_crm_runtime::EnvironmentDef { id: #id, host_prefix: #prefix } }
    });
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
            ::zoho_crm_runtime::auth::TokenErrorDoc {
                error: #error,
                kind: ::zoho_crm_runtime::auth::TokenErrorKind::#kind,
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
            AccessToken, ActionResponse, ActionResults, ApiErrorInfo, AuthError, ConfigError,
            DecodeError, DocumentedError, Download, DownloadError, Endpoints, EnvSettings, Error,
            ExchangeError,
            FileSource, ListPage, OperationError, RetryPolicy, TokenProvider, TokenStore,
            UnreadableSuccess, UploadLimits, ValidationError,
        };
        pub use modules::Module;
        pub use regions::{DataCenter, Environment};
        pub use versions::ApiVersion;
        pub use scopes::ScopeOperation;

        /// The runtime crate, for lower-level access.
        pub use ::zoho_crm_runtime as runtime;

        #[doc = #base_url_doc]
        pub const DEFAULT_BASE_URL: &str = #base_url;
        /// The API version used unless another is configured.
        pub const DEFAULT_API_VERSION: &str = #version;

        /// The API-wide facts the runtime needs.
        pub const API_PROFILE: ::zoho_crm_runtime::ApiProfile = ::zoho_crm_runtime::ApiProfile {
            data_centers: &[ #( #dc_defs ),* ],
            environments: &[ #( #env_defs ),* ],
            default_data_center: #default_dc_id,
            default_environment: #default_env_id,
            default_version: DEFAULT_API_VERSION,
            auth_header: #header,
            auth_scheme: #scheme,
            refresh_on: &[ #( #refresh_on ),* ],
            oauth: ::zoho_crm_runtime::auth::OAuthProfile {
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
            /// centre, environment, URLs and token file.
            pub fn from_env() -> ::std::result::Result<Client, ConfigError> {
                Client::builder().from_env().build()
            }

            /// The runtime client underneath.
            pub fn runtime(&self) -> &::zoho_crm_runtime::Client {
                &self.runtime
            }
        }

        impl ::std::convert::From<::zoho_crm_runtime::Client> for Client {
            fn from(runtime: ::zoho_crm_runtime::Client) -> Self {
                Client { runtime }
            }
        }
    }
}
