//! `versions.rs`: the `ApiVersion` enum.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::model::Spec;

/// The `ApiVersion` variant of a version the validator has checked, e.g. `V2_1` for `v2.1`.
pub(super) fn variant(version: &str) -> Ident {
    format_ident!("{}", version.to_ascii_uppercase().replace('.', "_"))
}

/// The runtime's value of a version, for a descriptor or the profile: a const expression.
pub(super) fn runtime_value(version: &str) -> TokenStream {
    let variant = variant(version);
    quote! { crate::versions::ApiVersion::#variant.to_runtime() }
}

pub(super) fn emit(spec: &Spec) -> TokenStream {
    let ids: Vec<&str> = spec.api.versions.iter().map(String::as_str).collect();
    let variants: Vec<_> = ids.iter().map(|v| variant(v)).collect();
    let ranks = (0..ids.len()).map(proc_macro2::Literal::usize_unsuffixed);
    let docs = ids.iter().map(|v| format!(" API version `{v}`."));
    let defaults = ids.iter().map(|v| {
        if *v == spec.api.default_version {
            quote! { #[default] }
        } else {
            quote! {}
        }
    });
    let known = ids.join(", ");
    quote! {
        #![doc = " The API versions, a typed choice per client and per call."]

        /// An API version. The default is the spec's default version.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ApiVersion {
            #( #[doc = #docs] #defaults #variants, )*
        }

        impl ApiVersion {
            /// Every version, oldest first.
            pub const VALUES: &'static [ApiVersion] = &[ #( ApiVersion::#variants ),* ];

            /// As it appears in paths, e.g. `v2.1`.
            pub fn as_str(self) -> &'static str {
                match self {
                    #( ApiVersion::#variants => #ids, )*
                }
            }

            /// The version as the runtime holds it (its place among the versions and its name).
            pub const fn to_runtime(self) -> ::zoho_crm_runtime::Version {
                match self {
                    #( ApiVersion::#variants => ::zoho_crm_runtime::Version::new(#ranks, #ids), )*
                }
            }

            /// The version the runtime holds, when it is one of these.
            pub fn from_runtime(version: ::zoho_crm_runtime::Version) -> ::std::option::Option<ApiVersion> {
                Self::VALUES.get(usize::from(version.rank())).copied()
            }
        }

        impl ::std::convert::From<ApiVersion> for ::zoho_crm_runtime::Version {
            fn from(version: ApiVersion) -> Self {
                version.to_runtime()
            }
        }

        impl ::std::str::FromStr for ApiVersion {
            type Err = ::zoho_crm_runtime::ValidationError;

            /// Parses `v2`, `v2.1`, ... (any case).
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::VALUES
                    .iter()
                    .copied()
                    .find(|version| version.as_str().eq_ignore_ascii_case(value.trim()))
                    .ok_or_else(|| ::zoho_crm_runtime::ValidationError::InvalidVersion {
                        value: ::std::format!("{value} (known: {})", #known),
                    })
            }
        }

        impl ::std::fmt::Display for ApiVersion {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}
