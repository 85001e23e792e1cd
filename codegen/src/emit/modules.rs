//! `modules.rs`: the `Module` enum, with API names, scope names and parsing.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc;
use crate::resolved::Resolved;

pub(super) fn emit(resolved: &Resolved<'_>) -> TokenStream {
    let spec = resolved.spec;
    let modules = &spec.modules.builtin;
    let variants: Vec<_> = resolved.modules.iter().map(|m| &m.ident).collect();
    let api_names: Vec<_> = modules.iter().map(|m| m.api_name.as_str()).collect();
    let lower_names: Vec<_> = modules
        .iter()
        .map(|m| m.api_name.to_ascii_lowercase())
        .collect();
    let scope_names: Vec<_> = modules.iter().map(|m| m.scope_name.as_str()).collect();
    let later: Vec<_> = resolved
        .modules
        .iter()
        .filter_map(|m| {
            let variant = super::versions::variant(m.def.since.as_ref()?);
            let module = &m.ident;
            Some(quote! { Module::#module => ::std::option::Option::Some(crate::versions::ApiVersion::#variant), })
        })
        .collect();
    let variant_docs: Vec<_> = modules
        .iter()
        .map(|m| {
            doc(&format!(
                "The `{}` module (scope name `{}`).",
                m.api_name, m.scope_name
            ))
        })
        .collect();
    let type_doc = doc(&spec.modules.doc);

    let is_custom = match &spec.modules.custom {
        Some(_) => quote! { ::std::matches!(module, Module::Custom(_)) },
        None => quote! { false },
    };
    let (custom_variant, custom_api_name, custom_scope, custom_parse) = match &spec.modules.custom {
        Some(custom) => {
            let custom_doc = doc(&custom.doc);
            let scope = &custom.scope_name;
            (
                quote! { #custom_doc Custom(::zoho_crm_runtime::CustomModule), },
                quote! { Module::Custom(name) => name.as_str(), },
                quote! { Module::Custom(_) => #scope, },
                quote! {
                    ::std::result::Result::Ok(Module::Custom(::zoho_crm_runtime::CustomModule::new(name)?))
                },
            )
        }
        None => (
            quote! {},
            quote! {},
            quote! {},
            quote! {
                ::zoho_crm_runtime::CustomModule::new(name)?;
                ::std::result::Result::Err(::zoho_crm_runtime::ValidationError::InvalidModule {
                    name: name.to_owned(),
                })
            },
        ),
    };

    quote! {
        #![doc = " The modules that hold records, by API name."]

        #type_doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Module {
            #( #variant_docs #variants, )*
            #custom_variant
        }

        impl Module {
            /// Every built-in module, in spec order.
            pub const BUILTIN: &'static [Module] = &[ #( Module::#variants ),* ];

            /// The API name used in request paths.
            pub fn api_name(&self) -> &str {
                match self {
                    #( Module::#variants => #api_names, )*
                    #custom_api_name
                }
            }

            /// The module's name in OAuth scopes.
            pub fn scope_name(&self) -> &'static str {
                match self {
                    #( Module::#variants => #scope_names, )*
                    #custom_scope
                }
            }

            /// The first API version that has the module, when it came later than the first.
            pub fn since(&self) -> ::std::option::Option<crate::versions::ApiVersion> {
                match self {
                    #( #later )*
                    #[allow(unreachable_patterns)]
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::str::FromStr for Module {
            type Err = ::zoho_crm_runtime::ValidationError;

            /// Parses an API name; built-in names match regardless of case.
            fn from_str(name: &str) -> ::std::result::Result<Self, Self::Err> {
                match name.to_ascii_lowercase().as_str() {
                    #( #lower_names => ::std::result::Result::Ok(Module::#variants), )*
                    _ => { #custom_parse }
                }
            }
        }

        impl ::std::convert::From<Module> for ::zoho_crm_runtime::__private::Value {
            fn from(module: Module) -> Self {
                ::zoho_crm_runtime::__private::Value::module(
                    module.api_name(),
                    module.since().map(crate::versions::ApiVersion::to_runtime),
                    #is_custom,
                )
            }
        }

        impl ::std::fmt::Display for Module {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.api_name())
            }
        }
    }
}
