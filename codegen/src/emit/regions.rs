//! `regions.rs`: the `DataCenter` and `Environment` enums.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc;
use crate::resolved::Resolved;

pub(super) fn emit(resolved: &Resolved<'_>) -> TokenStream {
    let spec = resolved.spec;
    let dc_defaults = spec
        .data_centers
        .iter()
        .map(|dc| default_attr(dc.id == spec.api.default_data_center));
    let env_defaults = spec
        .environments
        .iter()
        .map(|env| default_attr(env.id == spec.api.default_environment));
    let dc_variants: Vec<_> = resolved.data_centers.iter().map(|dc| &dc.ident).collect();
    let dc_ids: Vec<_> = spec.data_centers.iter().map(|dc| dc.id.as_str()).collect();
    let dc_docs = spec.data_centers.iter().map(|dc| {
        doc(&format!(
            "{} (`{}`): accounts at <{}>, API at `*.{}`.",
            dc.name, dc.id, dc.accounts_url, dc.api_domain
        ))
    });
    let env_variants: Vec<_> = resolved.environments.iter().map(|e| &e.ident).collect();
    let env_ids: Vec<_> = spec.environments.iter().map(|e| e.id.as_str()).collect();
    let env_docs = spec.environments.iter().map(|e| {
        doc(&format!(
            "{} (`{}`, API host `{}.*`).",
            e.doc.trim_end_matches('.'),
            e.id,
            e.host_prefix
        ))
    });
    let dc_defs = spec.data_centers.iter().map(|dc| {
        let (id, name, accounts, domain) = (&dc.id, &dc.name, &dc.accounts_url, &dc.api_domain);
        quote! {
            &::zoho_crm_runtime::DataCenterDef { id: #id, name: #name, accounts_url: #accounts, api_domain: #domain }
        }
    });
    let env_defs = spec.environments.iter().map(|env| {
        let (id, prefix) = (&env.id, &env.host_prefix);
        quote! { &::zoho_crm_runtime::EnvironmentDef { id: #id, host_prefix: #prefix } }
    });
    let dc_list = dc_ids.join(", ");
    let env_list = env_ids.join(", ");
    quote! {
        #![doc = " Data centres and environments: which accounts server and API host a client talks to."]

        /// A Zoho data centre. An account lives in one; its tokens work only there. The default is
        /// the spec's default data centre.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum DataCenter {
            #( #dc_docs #dc_defaults #dc_variants, )*
        }

        impl DataCenter {
            /// Every data centre, in spec order.
            pub const VALUES: &'static [DataCenter] = &[ #( DataCenter::#dc_variants ),* ];

            /// Its short id, as `ZOHO_DC` takes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    #( DataCenter::#dc_variants => #dc_ids, )*
                }
            }

            /// Its name, accounts server and API domain.
            pub const fn def(self) -> &'static ::zoho_crm_runtime::DataCenterDef {
                match self {
                    #( DataCenter::#dc_variants => #dc_defs, )*
                }
            }

            /// Its accounts server and API base URL for `environment`.
            pub fn endpoints(self, environment: Environment) -> ::zoho_crm_runtime::Endpoints {
                let (dc, env) = (self.def(), environment.def());
                ::zoho_crm_runtime::Endpoints {
                    api_base_url: ::std::format!("https://{}.{}", env.host_prefix, dc.api_domain),
                    accounts_url: dc.accounts_url.to_owned(),
                }
            }
        }

        impl ::std::str::FromStr for DataCenter {
            type Err = ::zoho_crm_runtime::ConfigError;

            /// Parses an id such as `eu` (any case).
            fn from_str(id: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::VALUES
                    .iter()
                    .copied()
                    .find(|dc| dc.as_str().eq_ignore_ascii_case(id.trim()))
                    .ok_or_else(|| ::zoho_crm_runtime::ConfigError::UnknownDataCenter {
                        given: id.to_owned(),
                        known: #dc_list.to_owned(),
                    })
            }
        }

        impl ::std::fmt::Display for DataCenter {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<DataCenter> for &'static ::zoho_crm_runtime::DataCenterDef {
            fn from(data_center: DataCenter) -> Self {
                data_center.def()
            }
        }

        /// An environment of a data centre. The default is the spec's default environment.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Environment {
            #( #env_docs #env_defaults #env_variants, )*
        }

        impl Environment {
            /// Every environment, in spec order.
            pub const VALUES: &'static [Environment] = &[ #( Environment::#env_variants ),* ];

            /// Its id, as `ZOHO_ENVIRONMENT` takes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    #( Environment::#env_variants => #env_ids, )*
                }
            }

            /// Its host prefix.
            pub const fn def(self) -> &'static ::zoho_crm_runtime::EnvironmentDef {
                match self {
                    #( Environment::#env_variants => #env_defs, )*
                }
            }
        }

        impl ::std::str::FromStr for Environment {
            type Err = ::zoho_crm_runtime::ConfigError;

            /// Parses an id such as `sandbox` (any case).
            fn from_str(id: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::VALUES
                    .iter()
                    .copied()
                    .find(|env| env.as_str().eq_ignore_ascii_case(id.trim()))
                    .ok_or_else(|| ::zoho_crm_runtime::ConfigError::UnknownEnvironment {
                        given: id.to_owned(),
                        known: #env_list.to_owned(),
                    })
            }
        }

        impl ::std::fmt::Display for Environment {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<Environment> for &'static ::zoho_crm_runtime::EnvironmentDef {
            fn from(environment: Environment) -> Self {
                environment.def()
            }
        }
    }
}

fn default_attr(is_default: bool) -> TokenStream {
    if is_default {
        quote! { #[default] }
    } else {
        quote! {}
    }
}
