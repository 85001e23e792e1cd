//! `lib.rs` of the generated crate: crate docs, the API profile, the `Client` wrapper and the
//! re-exports users need from the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::inner_doc;
use crate::model::Spec;

pub(super) fn emit(spec: &Spec) -> TokenStream {
    let crate_doc = inner_doc(&format!(
        "{}\n\n{}\n\nGenerated from the API spec; the module docs and error docs quote it.",
        spec.api.name, spec.api.doc
    ));
    let base_url = &spec.api.base_url;
    let version = &spec.api.default_version;
    let header = &spec.auth.header;
    let scheme = &spec.auth.scheme;
    let base_url_doc =
        format!(" The API base URL used unless another is configured: `{base_url}`.");
    quote! {
        #crate_doc
        #![warn(missing_docs)]

        pub mod modules;
        pub mod operations;
        pub mod scopes;
        pub mod types;

        pub use ::zoho_crm_runtime::{
            AccessToken, ActionResponse, ApiErrorInfo, ConfigError, DecodeError, DocumentedError,
            Error, FileSource, UploadLimits, ValidationError,
        };
        pub use modules::Module;
        pub use scopes::ScopeOperation;

        /// The runtime crate, for lower-level access.
        pub use ::zoho_crm_runtime as runtime;

        #[doc = #base_url_doc]
        pub const DEFAULT_BASE_URL: &str = #base_url;
        /// The API version used unless another is configured.
        pub const DEFAULT_API_VERSION: &str = #version;

        /// The API-wide facts the runtime needs.
        pub const API_PROFILE: ::zoho_crm_runtime::ApiProfile = ::zoho_crm_runtime::ApiProfile {
            default_base_url: DEFAULT_BASE_URL,
            default_version: DEFAULT_API_VERSION,
            auth_header: #header,
            auth_scheme: #scheme,
        };

        /// Builds a [`Client`]: `Client::builder().access_token(token).build()`.
        pub type ClientBuilder = ::zoho_crm_runtime::ClientBuilder<Client>;

        /// A client for the API. Each operation is a method; cheap to clone.
        #[derive(Clone, Debug)]
        pub struct Client {
            runtime: ::zoho_crm_runtime::Client,
        }

        impl Client {
            /// A builder with the API's default base URL and version.
            pub fn builder() -> ClientBuilder {
                ::zoho_crm_runtime::ClientBuilder::new(API_PROFILE)
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
