//! `regions.rs`: the `DataCenter` and `Environment` enums.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc;
use crate::resolved::{Named, Resolved};

pub(super) fn emit(resolved: &Resolved<'_>) -> TokenStream {
    let spec = resolved.spec;
    let data_centers = emit_choice(&Choice {
        name: quote! { DataCenter },
        doc: "A Zoho data centre. An account lives in one; its tokens work only there. The default is the spec's default data centre.",
        def_type: quote! { ::zoho_crm_runtime::DataCenterDef },
        def_doc: "Its id, name, accounts server and API domain.",
        id_doc: "Its short id, as `ZOHO_DC` takes it.",
        parse_doc: "Parses an id such as `eu` (any case).",
        unknown: quote! { UnknownDataCenter },
        variants: resolved
            .data_centers
            .iter()
            .map(|Named { def: dc, ident }| Variant {
                ident,
                id: &dc.id,
                is_default: dc.id == spec.api.default_data_center,
                doc: format!(
                    "{} (`{}`): accounts at <{}>, API at `*.{}`.",
                    dc.name, dc.id, dc.accounts_url, dc.api_domain
                ),
                def: {
                    let (id, name, accounts, domain) =
                        (&dc.id, &dc.name, &dc.accounts_url, &dc.api_domain);
                    quote! {
                        ::zoho_crm_runtime::DataCenterDef { id: #id, name: #name, accounts_url: #accounts, api_domain: #domain }
                    }
                },
            })
            .collect(),
    });
    let environments = emit_choice(&Choice {
        name: quote! { Environment },
        doc: "An environment of a data centre. The default is the spec's default environment.",
        def_type: quote! { ::zoho_crm_runtime::EnvironmentDef },
        def_doc: "Its id and API host prefix.",
        id_doc: "Its id, as `ZOHO_ENVIRONMENT` takes it.",
        parse_doc: "Parses an id such as `sandbox` (any case).",
        unknown: quote! { UnknownEnvironment },
        variants: resolved
            .environments
            .iter()
            .map(|Named { def: env, ident }| Variant {
                ident,
                id: &env.id,
                is_default: env.id == spec.api.default_environment,
                doc: format!(
                    "{} (`{}`, API host `{}.*`).",
                    env.doc.trim_end_matches('.'),
                    env.id,
                    env.host_prefix
                ),
                def: {
                    let (id, prefix) = (&env.id, &env.host_prefix);
                    quote! { ::zoho_crm_runtime::EnvironmentDef { id: #id, host_prefix: #prefix } }
                },
            })
            .collect(),
    });
    quote! {
        #![doc = " Data centres and environments: which accounts server and API host a client talks to."]

        #data_centers

        impl DataCenter {
            /// Its accounts server and API base URL for `environment`.
            pub fn endpoints(self, environment: Environment) -> ::zoho_crm_runtime::Endpoints {
                let (dc, env) = (self.def(), environment.def());
                ::zoho_crm_runtime::Endpoints {
                    api_base_url: ::std::format!("https://{}.{}", env.host_prefix, dc.api_domain),
                    accounts_url: dc.accounts_url.to_owned(),
                }
            }
        }

        #environments
    }
}

/// A typed choice among spec items with ids (a data centre, an environment).
struct Choice<'a> {
    name: TokenStream,
    doc: &'a str,
    def_type: TokenStream,
    def_doc: &'a str,
    id_doc: &'a str,
    parse_doc: &'a str,
    unknown: TokenStream,
    variants: Vec<Variant<'a>>,
}

/// One item of a [`Choice`].
struct Variant<'a> {
    ident: &'a proc_macro2::Ident,
    id: &'a str,
    is_default: bool,
    doc: String,
    def: TokenStream,
}

/// The enum, its `VALUES`, `def` (the runtime's description of the item), `as_str`, parsing by
/// id, `Display`, and the conversion the client builder takes.
fn emit_choice(choice: &Choice<'_>) -> TokenStream {
    let Choice {
        name,
        def_type,
        unknown,
        ..
    } = choice;
    let type_doc = doc(choice.doc);
    let (def_doc, id_doc, parse_doc) = (choice.def_doc, choice.id_doc, choice.parse_doc);
    let idents: Vec<_> = choice.variants.iter().map(|v| v.ident).collect();
    let docs = choice.variants.iter().map(|v| doc(&v.doc));
    let defaults = choice.variants.iter().map(|v| {
        if v.is_default {
            quote! { #[default] }
        } else {
            quote! {}
        }
    });
    let defs = choice.variants.iter().map(|v| &v.def);
    let known = choice
        .variants
        .iter()
        .map(|v| v.id)
        .collect::<Vec<_>>()
        .join(", ");
    quote! {
        #type_doc
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #docs #defaults #idents, )*
        }

        impl #name {
            /// Every value, in spec order.
            pub const VALUES: &'static [#name] = &[ #( #name::#idents ),* ];

            #[doc = #def_doc]
            pub const fn def(self) -> &'static #def_type {
                match self {
                    #( #name::#idents => &#defs, )*
                }
            }

            #[doc = #id_doc]
            pub fn as_str(self) -> &'static str {
                self.def().id
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::zoho_crm_runtime::ConfigError;

            #[doc = #parse_doc]
            fn from_str(id: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::VALUES
                    .iter()
                    .copied()
                    .find(|value| value.as_str().eq_ignore_ascii_case(id.trim()))
                    .ok_or_else(|| ::zoho_crm_runtime::ConfigError::#unknown {
                        given: id.to_owned(),
                        known: #known.to_owned(),
                    })
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<#name> for &'static #def_type {
            fn from(value: #name) -> Self {
                value.def()
            }
        }
    }
}
