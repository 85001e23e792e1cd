//! `types.rs`: response structs, with serde renames that keep the wire names. Decoding is
//! liberal: only `required` fields must be present; every other field may be missing or null,
//! and fields the spec does not name are kept in `extra` rather than dropped.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc, ident};
use crate::model::{Field, Spec};
use crate::validate::{EXTRA_FIELD, field_name};

pub(super) fn emit(spec: &Spec) -> TokenStream {
    let extra = ident(EXTRA_FIELD);
    let structs = spec.types.iter().map(|(name, def)| {
        let type_name = ident(name);
        let type_doc = doc(&def.doc);
        let fields = def.fields.iter().map(emit_field);
        quote! {
            #type_doc
            #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
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

fn emit_field(field: &Field) -> TokenStream {
    let name = ident(&field_name(field).unwrap_or_else(|| "unnamed".to_owned()));
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
            let with = format!("::zoho_crm_runtime::wire::{module}");
            quote! {
                #field_doc
                #[serde(rename = #wire, with = #with)]
                pub #name: #base,
            }
        } else {
            let with = format!("::zoho_crm_runtime::wire::optional_{module}");
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
