//! `types.rs`: response structs, with serde renames that keep the wire names. Decoding is
//! liberal: only `required` fields must be present; every other field may be missing or null,
//! and fields the spec does not name are kept in `extra` rather than dropped. A listing's
//! paging information implements the runtime's `PageInfo` from the fields its pagination names.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{doc, ident};
use crate::model::Field;
use crate::resolved::{PageInfoFields, Resolved};
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
        let page_info = ty
            .page_info
            .as_ref()
            .map(|fields| emit_page_info(type_name, fields));
        // A type whose every field is optional can be built by a caller (for a request body):
        // start from `Default` and set fields.
        let default = (!ty.fields.iter().any(|(_, field)| field.required))
            .then(|| quote! { #[derive(Default)] });
        quote! {
            #type_doc
            #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #default
            #[non_exhaustive]
            pub struct #type_name {
                #( #fields )*
                /// The fields Zoho sent that the spec does not name, as received.
                #[serde(flatten)]
                pub #extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            }
            #page_info
        }
    });
    quote! {
        #![doc = " Types that responses carry."]
        #( #structs )*
    }
}

/// The runtime's `PageInfo` for a listing's paging information: an absent flag means no more
/// pages, and a listing without page tokens has no next token.
fn emit_page_info(type_name: &Ident, fields: &PageInfoFields) -> TokenStream {
    let more = ident(&fields.more);
    let has_more = if fields.more_required {
        quote! { self.#more }
    } else {
        quote! { self.#more == ::std::option::Option::Some(true) }
    };
    let next_token = match &fields.next_token {
        Some(token) => {
            let token = ident(token);
            quote! { self.#token.as_deref() }
        }
        None => quote! { ::std::option::Option::None },
    };
    quote! {
        impl ::zoho_crm_runtime::__private::PageInfo for #type_name {
            fn has_more(&self) -> bool {
                #has_more
            }

            fn next_token(&self) -> ::std::option::Option<&str> {
                #next_token
            }
        }
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
