//! `types.rs`: response structs, with serde renames that keep the wire names.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc, ident};
use crate::model::{Field, Spec};
use crate::validate::field_name;

pub(super) fn emit(spec: &Spec) -> TokenStream {
    let structs = spec.types.iter().map(|(name, def)| {
        let type_name = ident(name);
        let type_doc = doc(&def.doc);
        let fields = def.fields.iter().map(emit_field);
        quote! {
            #type_doc
            #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            pub struct #type_name {
                #( #fields )*
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
    if field.ty == "integer_string" {
        return if field.optional {
            quote! {
                #field_doc
                #[serde(
                    rename = #wire,
                    default,
                    skip_serializing_if = "Option::is_none",
                    with = "::zoho_crm_runtime::wire::optional_integer_string"
                )]
                pub #name: ::std::option::Option<u64>,
            }
        } else {
            quote! {
                #field_doc
                #[serde(rename = #wire, with = "::zoho_crm_runtime::wire::integer_string")]
                pub #name: u64,
            }
        };
    }
    let base = match field.ty.as_str() {
        "string" | "id" => quote! { ::std::string::String },
        "datetime" => quote! { ::chrono::DateTime<::chrono::FixedOffset> },
        "bool" => quote! { bool },
        "integer" => quote! { i64 },
        other => {
            let other = ident(other);
            quote! { crate::types::#other }
        }
    };
    if field.optional {
        quote! {
            #field_doc
            #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
            pub #name: ::std::option::Option<#base>,
        }
    } else {
        quote! {
            #field_doc
            #[serde(rename = #wire)]
            pub #name: #base,
        }
    }
}
