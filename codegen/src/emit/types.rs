//! `types.rs`: response structs, with serde renames that keep the wire names. Decoding is
//! liberal: only `required` fields must be present; every other field may be missing or null,
//! and fields the spec does not name are kept in `extra` rather than dropped.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc, ident};
use crate::model::Field;
use crate::resolved::Resolved;
use crate::vocabulary::EXTRA_FIELD;

pub(super) fn emit(resolved: &Resolved<'_>) -> TokenStream {
    let extra = ident(EXTRA_FIELD);
    let structs = resolved.types.values().map(|ty| {
        let type_name = &ty.ident;
        let type_doc = doc(&ty.def.doc);
        let fields = ty
            .fields
            .iter()
            .map(|(rust, field)| emit_field(rust, field));
        quote! {
            #type_doc
            #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[non_exhaustive]
            pub struct #type_name {
                #( #fields )*
                /// The fields Zoho sent that the spec does not name, as received.
                #[serde(flatten)]
                pub #extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            }
        }
    });
    quote! {
        #![doc = " Types that responses carry."]
        #( #structs )*
    }
}

fn emit_field(rust_name: &str, field: &Field) -> TokenStream {
    let name = ident(rust_name);
    let wire = &field.wire;
    let field_doc = doc(&field.doc);
    // Numbers and ids that Zoho may send as a string or as a number.
    let helper = match field.ty.as_str() {
        "integer_string" => Some(("integer_string", quote! { u64 })),
        "id" => Some(("id_string", quote! { ::std::string::String })),
        _ => None,
    };
    if let Some((module, base)) = helper {
        return if field.required {
            let with = format!("::zoho_crm_runtime::__private::wire::{module}");
            quote! {
                #field_doc
                #[serde(rename = #wire, with = #with)]
                pub #name: #base,
            }
        } else {
            let with = format!("::zoho_crm_runtime::__private::wire::optional_{module}");
            quote! {
                #field_doc
                #[serde(
                    rename = #wire,
                    default,
                    skip_serializing_if = "Option::is_none",
                    with = #with
                )]
                pub #name: ::std::option::Option<#base>,
            }
        };
    }
    let base = match field.ty.as_str() {
        "string" => quote! { ::std::string::String },
        "datetime" => quote! { ::chrono::DateTime<::chrono::FixedOffset> },
        "bool" => quote! { bool },
        "integer" => quote! { i64 },
        "json" => quote! { ::serde_json::Value },
        other => {
            let other = ident(other);
            quote! { crate::types::#other }
        }
    };
    if field.required {
        quote! {
            #field_doc
            #[serde(rename = #wire)]
            pub #name: #base,
        }
    } else {
        quote! {
            #field_doc
            #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
            pub #name: ::std::option::Option<#base>,
        }
    }
}
