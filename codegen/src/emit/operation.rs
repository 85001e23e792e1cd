//! `operations/*.rs`: per operation, its constants, request type (parameters by location, with
//! constructor and setters), response type, typed error enum, the `Client` method that checks
//! every parameter (for the call's API version), builds the request and decodes the answer by
//! the response type, and tests that the request's values fit the descriptor. Everything here
//! is driven by spec data; nothing names an operation.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{doc, ident, versions};
use crate::model::{HttpMethod, ImageFormat, Param, ParamIn, ParamType};
use crate::resolved::{Named, PathSegment, Resolved, ResolvedOperation, ResponseTypes};

/// `operations/mod.rs`: one module per operation, re-exports, and the `Operation` enum.
pub(super) fn emit_index(resolved: &Resolved<'_>) -> TokenStream {
    let spec = resolved.spec;
    let items = resolved.operations.values().map(|op| {
        let module = &op.method;
        let names = TypeNames::new(op);
        let (request, response, error) = (&names.request, &names.response, &names.error);
        quote! {
            pub mod #module;
            pub use #module::{#error, #request, #response};
        }
    });
    let variants: Vec<_> = resolved.operations.values().map(|op| &op.camel).collect();
    let names: Vec<_> = spec.operations.keys().map(String::as_str).collect();
    let variant_docs = spec
        .operations
        .iter()
        .map(|(name, op)| doc(&format!("`{name}`: {}", first_sentence(&op.doc))));
    let narrowest = resolved.operations.values().map(|op| {
        let narrowest = &op.narrowest_scope;
        quote! { crate::scopes::ScopeOperation::#narrowest }
    });
    let modules: Vec<_> = resolved.operations.values().map(|op| &op.method).collect();
    quote! {
        #![doc = " The API's operations, one module each."]
        #( #items )*

        /// Every operation of the API, for scope computations and tools.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation {
            #( #variant_docs #variants, )*
        }

        impl Operation {
            /// Every operation, by name.
            pub const VALUES: &'static [Operation] = &[ #( Operation::#variants ),* ];

            /// Its name in the spec, e.g. `upload_attachment`.
            pub fn name(self) -> &'static str {
                match self {
                    #( Operation::#variants => #names, )*
                }
            }

            /// The operation with this spec name.
            pub fn parse(name: &str) -> ::std::option::Option<Self> {
                Self::VALUES.iter().copied().find(|operation| operation.name() == name.trim())
            }

            /// The scope operation types that allow it.
            pub fn scope_operations(self) -> &'static [crate::scopes::ScopeOperation] {
                match self {
                    #( Operation::#variants => #modules::SCOPE_OPERATIONS, )*
                }
            }

            /// The scope templates whose scopes it needs granted.
            pub fn scope_templates(self) -> &'static [crate::scopes::ScopeTemplate] {
                match self {
                    #( Operation::#variants => #modules::SCOPE_TEMPLATES, )*
                }
            }

            /// The narrowest scope operation type that allows it (the one to request).
            pub fn narrowest_scope(self) -> crate::scopes::ScopeOperation {
                match self {
                    #( Operation::#variants => #narrowest, )*
                }
            }
        }
    }
}

struct TypeNames {
    method: proc_macro2::Ident,
    request: proc_macro2::Ident,
    response: proc_macro2::Ident,
    error: proc_macro2::Ident,
}

impl TypeNames {
    fn new(operation: &ResolvedOperation<'_>) -> Self {
        let base = &operation.camel;
        TypeNames {
            method: operation.method.clone(),
            request: format_ident!("{}Request", base),
            response: format_ident!("{}Response", base),
            error: format_ident!("{}Error", base),
        }
    }
}

fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    match text.find(". ") {
        Some(end) => &text[..=end],
        None => text,
    }
}

/// Whether the parameter is a constructor argument (always needed) rather than an option.
fn is_required(param: &Param) -> bool {
    param.location == ParamIn::Path || param.required
}

fn value_type(ty: ParamType) -> TokenStream {
    match ty {
        ParamType::Module => quote! { crate::modules::Module },
        ParamType::RecordId | ParamType::Id | ParamType::String | ParamType::Url => {
            quote! { ::std::string::String }
        }
        ParamType::Integer => quote! { i64 },
        ParamType::StringList | ParamType::IdList => {
            quote! { ::std::vec::Vec<::std::string::String> }
        }
        ParamType::File => quote! { ::zoho_crm_runtime::FileSource },
        ParamType::FileList => quote! { ::std::vec::Vec<::zoho_crm_runtime::FileSource> },
        ParamType::Json => quote! { ::zoho_crm_runtime::JsonValue },
    }
}

/// The argument type a constructor or setter takes, and how it becomes the field's value.
fn argument(name: &Ident, param: &Param) -> (TokenStream, TokenStream) {
    match param.ty {
        ParamType::RecordId | ParamType::Id | ParamType::String | ParamType::Url => (
            quote! { impl ::std::convert::Into<::std::string::String> },
            quote! { #name.into() },
        ),
        ParamType::StringList | ParamType::IdList => (
            quote! { impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>> },
            quote! { #name.into_iter().map(::std::convert::Into::into).collect() },
        ),
        ParamType::FileList => (
            quote! { impl ::std::iter::IntoIterator<Item = ::zoho_crm_runtime::FileSource> },
            quote! { #name.into_iter().collect() },
        ),
        ParamType::Module | ParamType::Integer | ParamType::File | ParamType::Json => {
            let ty = value_type(param.ty);
            (quote! { #ty }, quote! { #name })
        }
    }
}

/// One operation's file.
pub(super) fn emit(name: &str, resolved: &ResolvedOperation<'_>) -> TokenStream {
    let op = resolved.op;
    let names = TypeNames::new(resolved);
    let module_doc = format!(
        " `{} {}`: {}",
        op.method.as_str(),
        op.path,
        first_sentence(&op.doc)
    );
    let constants = emit_constants(name, resolved);
    let request = emit_request(resolved, &names);
    let response = emit_response(resolved, &names);
    let error = emit_error(name, resolved, &names);
    let method = emit_client_method(resolved, &names);
    let tests = emit_tests(resolved, &names);
    quote! {
        #![doc = #module_doc]
        #constants
        #request
        #response
        #error
        #method
        #tests
    }
}

fn emit_constants(name: &str, resolved: &ResolvedOperation<'_>) -> TokenStream {
    let op = resolved.op;
    let rt = quote! { ::zoho_crm_runtime::__private };
    let method = format_ident!("{}", method_variant(op.method));
    let path = &op.path;
    let success = op
        .response
        .success_status
        .iter()
        .map(|s| Literal::u16_unsuffixed(*s));
    let empty = op
        .response
        .empty_status
        .iter()
        .map(|s| Literal::u16_unsuffixed(*s));
    let scope_variants = &resolved.scope_variants;
    let scope_templates = &resolved.scope_templates;
    let segments = resolved.segments.iter().map(|segment| match segment {
        PathSegment::Version => quote! { #rt::Segment::Version },
        PathSegment::Param(index) => {
            let index = Literal::usize_unsuffixed(*index);
            quote! { #rt::Segment::Param(#index) }
        }
        PathSegment::Literal(text) => quote! { #rt::Segment::Literal(#text) },
    });
    let params = op.params.iter().map(|param| {
        let location = format_ident!("{}", location_method(param.location));
        let kind = format_ident!("{}", kind_constructor(param.ty));
        let wire = &param.name;
        let mut tokens = quote! { #rt::Param::#kind(#wire).#location() };
        if let Some(min) = param.min {
            let min = Literal::i64_unsuffixed(min);
            tokens = quote! { #tokens.min(#min) };
        }
        if let Some(max) = param.max {
            let max = Literal::i64_unsuffixed(max);
            tokens = quote! { #tokens.max(#max) };
        }
        if let Some(since) = &param.since {
            let since = versions::runtime_value(since);
            tokens = quote! { #tokens.since(#since) };
        }
        if let Some(from) = &param.required_from {
            let from = versions::runtime_value(from);
            tokens = quote! { #tokens.required_from(#from) };
        }
        if !param.query_in.is_empty() {
            let versions = param.query_in.iter().map(|v| versions::runtime_value(v));
            tokens = quote! { #tokens.query_in(&[ #( #versions ),* ]) };
        }
        if !param.modules.is_empty() {
            let modules = &param.modules;
            tokens = quote! { #tokens.modules(&[ #( #modules ),* ]) };
        }
        tokens
    });
    let (limits_const, limits) = match &op.limits {
        Some(limits) => {
            let max = Literal::u64_unsuffixed(limits.max_file_bytes);
            let forbidden = &limits.forbidden_extensions;
            let (image, image_doc) = match &limits.image {
                Some(image) => {
                    let formats = image.formats.iter().map(|format| {
                        let variant = format_ident!("{}", image_format_variant(*format));
                        quote! { ::zoho_crm_runtime::ImageFormat::#variant }
                    });
                    let pixels = Literal::u64_unsuffixed(image.max_pixels);
                    let names: Vec<&str> = image
                        .formats
                        .iter()
                        .map(|f| image_format_variant(*f))
                        .collect();
                    (
                        quote! {
                            ::std::option::Option::Some(::zoho_crm_runtime::ImageLimits {
                                formats: &[ #( #formats ),* ],
                                max_pixels: #pixels,
                            })
                        },
                        format!(
                            ", an image ({}) of at most {} pixels",
                            names.join(", "),
                            image.max_pixels
                        ),
                    )
                }
                None => (quote! { ::std::option::Option::None }, String::new()),
            };
            let limit_doc = format!(
                " Limits on the uploaded file: at most {} bytes{}{image_doc}.",
                limits.max_file_bytes,
                if forbidden.is_empty() {
                    String::new()
                } else {
                    let list: Vec<String> = forbidden.iter().map(|e| format!(".{e}")).collect();
                    format!(", none of the extensions {}", list.join(", "))
                }
            );
            (
                quote! {
                    #[doc = #limit_doc]
                    pub const LIMITS: ::zoho_crm_runtime::UploadLimits = ::zoho_crm_runtime::UploadLimits {
                        max_file_bytes: #max,
                        forbidden_extensions: &[ #( #forbidden ),* ],
                        image: #image,
                    };
                },
                quote! { ::std::option::Option::Some(LIMITS) },
            )
        }
        None => (quote! {}, quote! { ::std::option::Option::None }),
    };
    let idempotent = resolved.idempotent;
    let credits = Literal::u32_unsuffixed(op.credits);
    let pagination = emit_pagination(resolved);
    quote! {
        /// The operation as data, which the runtime validates, builds, sends and decodes.
        pub const OPERATION: #rt::Operation = #rt::Operation {
            name: #name,
            method: #rt::HttpMethod::#method,
            path_template: #path,
            path: &[ #( #segments ),* ],
            params: &[ #( #params ),* ],
            idempotent: #idempotent,
            credits: #credits,
            success_status: &[ #( #success ),* ],
            empty_status: &[ #( #empty ),* ],
            limits: #limits,
            pagination: #pagination,
        };
        /// The scope operation types that allow this operation (see [`crate::scopes`]).
        pub const SCOPE_OPERATIONS: &[crate::scopes::ScopeOperation] =
            &[ #( crate::scopes::ScopeOperation::#scope_variants ),* ];
        /// The scope templates whose scopes this operation needs granted.
        pub const SCOPE_TEMPLATES: &[crate::scopes::ScopeTemplate] =
            &[ #( crate::scopes::ScopeTemplate::#scope_templates ),* ];
        #limits_const
    }
}

/// The descriptor's pagination, as the runtime reads it.
fn emit_pagination(resolved: &ResolvedOperation<'_>) -> TokenStream {
    let Some(pagination) = &resolved.pagination else {
        return quote! { ::std::option::Option::None };
    };
    let rt = quote! { ::zoho_crm_runtime::__private };
    let page = Literal::usize_unsuffixed(pagination.page);
    let mut tokens = quote! { #rt::Pagination::new(#page) };
    if let Some(param) = pagination.token {
        let param = Literal::usize_unsuffixed(param);
        tokens = quote! { #tokens.token(#param) };
    }
    quote! { ::std::option::Option::Some(#tokens) }
}

/// The runtime's `ImageFormat` variant of a spec image format.
fn image_format_variant(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "Png",
        ImageFormat::Jpeg => "Jpeg",
        ImageFormat::Gif => "Gif",
        ImageFormat::Bmp => "Bmp",
    }
}

fn method_variant(method: HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "Get",
        HttpMethod::Post => "Post",
        HttpMethod::Put => "Put",
        HttpMethod::Patch => "Patch",
        HttpMethod::Delete => "Delete",
    }
}

fn location_method(location: ParamIn) -> &'static str {
    match location {
        ParamIn::Path => "path",
        ParamIn::Query => "query",
        ParamIn::Form => "form",
        ParamIn::Json => "json_body",
    }
}

fn kind_constructor(ty: ParamType) -> &'static str {
    match ty {
        ParamType::Module => "module",
        ParamType::RecordId => "record_id",
        ParamType::Id => "id",
        ParamType::String => "text",
        ParamType::Integer => "integer",
        ParamType::StringList => "text_list",
        ParamType::IdList => "id_list",
        ParamType::Url => "url",
        ParamType::File => "file",
        ParamType::FileList => "file_list",
        ParamType::Json => "json",
    }
}

fn param_doc(param: &Param) -> String {
    let mut text = param.doc.trim().to_owned();
    let place = match param.location {
        ParamIn::Path => "the path",
        ParamIn::Query => "the query string",
        ParamIn::Form => "the form body",
        ParamIn::Json => "the JSON body",
    };
    text.push_str(&format!(" Sent as `{}` in {place}.", param.name));
    if let Some(version) = &param.required_from {
        text.push_str(&format!(" Required from {version} on."));
    }
    if let Some(version) = &param.since {
        text.push_str(&format!(" Only in {version} and later."));
    }
    if !param.modules.is_empty() {
        text.push_str(&format!(
            " Takes only these built-in modules: {}; and custom modules.",
            param.modules.join(", ")
        ));
    }
    let noun = match param.ty {
        ParamType::StringList | ParamType::IdList => Some(("item", "items")),
        ParamType::FileList => Some(("file", "files")),
        _ => None,
    };
    let items = |last: i64| match (noun, last) {
        (None, _) => String::new(),
        (Some((one, _)), 1) => format!(" {one}"),
        (Some((_, many)), _) => format!(" {many}"),
    };
    match (param.min, param.max) {
        (Some(min), Some(max)) => {
            text.push_str(&format!(" Allowed: {min} to {max}{}.", items(max)));
        }
        (Some(min), None) => text.push_str(&format!(" Allowed: at least {min}{}.", items(min))),
        (None, Some(max)) => text.push_str(&format!(" Allowed: at most {max}{}.", items(max))),
        (None, None) => {}
    }
    text
}

fn emit_request(resolved: &ResolvedOperation<'_>, names: &TypeNames) -> TokenStream {
    let op = resolved.op;
    let params = &resolved.params;
    let request = &names.request;
    let fields = params.iter().map(
        |Named {
             def: param,
             ident: name,
         }| {
            let ty = value_type(param.ty);
            let field_doc = doc(&param_doc(param));
            if is_required(param) {
                quote! { #field_doc #name: #ty, }
            } else {
                quote! { #field_doc #name: ::std::option::Option<#ty>, }
            }
        },
    );
    let ctor_args = params.iter().filter(|p| is_required(p.def)).map(|p| {
        let name = &p.ident;
        let (ty, _) = argument(name, p.def);
        quote! { #name: #ty }
    });
    let inits = params.iter().map(
        |Named {
             def: param,
             ident: name,
         }| {
            if is_required(param) {
                match param.ty {
                    ParamType::Module | ParamType::Integer | ParamType::File | ParamType::Json => {
                        quote! { #name }
                    }
                    _ => {
                        let (_, convert) = argument(name, param);
                        quote! { #name: #convert }
                    }
                }
            } else {
                quote! { #name: ::std::option::Option::None }
            }
        },
    );
    let setters = params.iter().filter(|p| !is_required(p.def)).map(|p| {
        let (param, name) = (p.def, &p.ident);
        let (ty, convert) = argument(name, param);
        let setter_doc = doc(&format!("Sets `{}`: {}", param.name, param_doc(param)));
        quote! {
            #setter_doc
            pub fn #name(mut self, #name: #ty) -> Self {
                self.#name = ::std::option::Option::Some(#convert);
                self
            }
        }
    });
    let clone = if op
        .params
        .iter()
        .any(|p| matches!(p.ty, ParamType::File | ParamType::FileList))
    {
        quote! { #[derive(Debug)] }
    } else {
        quote! { #[derive(Clone, Debug)] }
    };
    let values = params.iter().map(|p| {
        let field = &p.ident;
        quote! { ::zoho_crm_runtime::__private::Value::from(self.#field) }
    });
    let request_doc = doc(&format!(
        "The parameters of a call: {}",
        first_sentence(&op.doc)
    ));
    quote! {
        #request_doc
        #clone
        pub struct #request {
            #( #fields )*
            /// The API version of this call; the client's when `None`.
            version: ::std::option::Option<crate::versions::ApiVersion>,
        }

        impl #request {
            /// A request with the parameters every call needs; set others with the methods below.
            pub fn new( #( #ctor_args ),* ) -> Self {
                #request { #( #inits, )* version: ::std::option::Option::None }
            }

            #( #setters )*

            /// Uses this API version for this call instead of the client's.
            pub fn version(mut self, version: crate::versions::ApiVersion) -> Self {
                self.version = ::std::option::Option::Some(version);
                self
            }
        }

        impl ::zoho_crm_runtime::__private::IntoCall for #request {
            fn into_call(self) -> ::zoho_crm_runtime::__private::Call {
                let values = ::std::vec![ #( #values ),* ];
                (self.version.map(crate::versions::ApiVersion::to_runtime), values)
            }
        }
    }
}

fn type_ident(name: &str) -> TokenStream {
    let name = ident(name);
    quote! { crate::types::#name }
}

fn emit_response(resolved: &ResolvedOperation<'_>, names: &TypeNames) -> TokenStream {
    let response = &names.response;
    let error = &names.error;
    let (ty, text) = match &resolved.response {
        ResponseTypes::Action { details } => {
            let details = type_ident(details);
            (
                quote! { ::zoho_crm_runtime::ActionResponse<#details> },
                "Zoho's action result, with its details.".to_owned(),
            )
        }
        ResponseTypes::ActionList { details } => {
            let details = type_ident(details);
            (
                quote! { ::zoho_crm_runtime::ActionResults<#details, #error> },
                "One result per item, in order: each a success with its details, or the typed error for that item.".to_owned(),
            )
        }
        ResponseTypes::List { item, info } => {
            let item = type_ident(item);
            let info = type_ident(info);
            (
                quote! { ::zoho_crm_runtime::ListPage<#item, #info> },
                "One page of items with its paging information (an empty page has none).".to_owned(),
            )
        }
        ResponseTypes::Binary => (
            quote! { ::std::option::Option<::zoho_crm_runtime::Download> },
            "The content, ready to stream to a path or writer; `None` when the server has no such item.".to_owned(),
        ),
    };
    let response_doc = format!(" The successful result: {text}");
    quote! {
        #[doc = #response_doc]
        pub type #response = #ty;
    }
}

fn emit_error(name: &str, resolved: &ResolvedOperation<'_>, names: &TypeNames) -> TokenStream {
    let error = &names.error;
    let codes = resolved.errors.iter().map(|c| c.code);
    let variants = resolved.errors.iter().map(|c| &c.variant);
    let checks = resolved.errors.iter().map(|c| &c.predicate);
    let table = super::errors::table_ident(name);
    let error_doc = format!(
        " The errors `{name}` can return, a variant per documented code; [`crate::errors::{table}`] lists the documented cases."
    );
    quote! {
        ::zoho_crm_runtime::__private::operation_error! {
            #[doc = #error_doc]
            #error, crate::errors::#table;
            #( #variants = #codes => #checks, )*
        }
    }
}

fn emit_client_method(resolved: &ResolvedOperation<'_>, names: &TypeNames) -> TokenStream {
    let op = resolved.op;
    let method_name = &names.method;
    let (request, response, error) = (&names.request, &names.response, &names.error);
    let method_doc = doc(&format!(
        "{} Every parameter is checked (for the call's API version) before anything is sent; a bad one gives [`::zoho_crm_runtime::Error::Validation`].",
        op.doc.trim()
    ));
    let paginator = emit_paginator(resolved, names);
    quote! {
        impl crate::Client {
            #method_doc
            pub async fn #method_name(
                &self,
                request: #request,
            ) -> ::std::result::Result<#response, ::zoho_crm_runtime::Error<#error>> {
                self.runtime.call(&OPERATION, request).await
            }

            #paginator
        }
    }
}

/// For a paginated listing, a `<name>_stream` method yielding every item lazily; the runtime
/// walks the pages as the descriptor's pagination says.
fn emit_paginator(resolved: &ResolvedOperation<'_>, names: &TypeNames) -> TokenStream {
    let (Some(_), ResponseTypes::List { item, info }) = (&resolved.pagination, &resolved.response)
    else {
        return quote! {};
    };
    let (request, error) = (&names.request, &names.error);
    let stream_name = format_ident!("{}_stream", names.method);
    let item = type_ident(item);
    let info = type_ident(info);
    let stream_doc = doc(&format!(
        "Every item of [`Self::{}`], fetched lazily page by page (a walk that the server would make loop stops early with [`crate::PaginationError`]).",
        names.method
    ));
    quote! {
        #stream_doc
        pub fn #stream_name(
            &self,
            request: #request,
        ) -> impl ::zoho_crm_runtime::Stream<Item = ::std::result::Result<#item, ::zoho_crm_runtime::Error<#error>>> + '_ {
            self.runtime.paginate::<#info, _, _, _>(&OPERATION, request)
        }
    }
}

/// Tests that the request's values fit the descriptor: one request with every parameter set
/// and, when some are optional, one with only the required ones, each checked by the runtime.
fn emit_tests(resolved: &ResolvedOperation<'_>, names: &TypeNames) -> TokenStream {
    let request = &names.request;
    let rt = quote! { ::zoho_crm_runtime::__private };
    let args = (resolved.params.iter())
        .filter(|p| is_required(p.def))
        .map(|p| sample(p.def));
    let setters: Vec<_> = (resolved.params.iter())
        .filter(|p| !is_required(p.def))
        .map(|p| {
            let (name, value) = (&p.ident, sample(p.def));
            quote! { .#name(#value) }
        })
        .collect();
    let required = quote! { super::#request::new( #( #args ),* ) };
    let test = |name: &str, doc_text: &str, request: TokenStream| {
        let name = format_ident!("{}", name);
        let test_doc = doc(doc_text);
        quote! {
            #test_doc
            #[test]
            fn #name() {
                let request = #request;
                let (_, values) = #rt::IntoCall::into_call(request);
                let fit = #rt::check_values(&super::OPERATION, &values);
                ::std::assert_eq!(fit, ::std::result::Result::Ok(()));
            }
        }
    };
    let every = test(
        "a_request_with_every_parameter_fits_the_descriptor",
        "Every parameter set, each to a sample value of its kind.",
        quote! { #required #( #setters )* },
    );
    let only_required = (!setters.is_empty()).then(|| {
        test(
            "a_request_with_only_the_required_parameters_fits_the_descriptor",
            "Only the parameters the constructor takes; the others are absent.",
            required.clone(),
        )
    });
    quote! {
        #[cfg(test)]
        mod tests {
            #every
            #only_required
        }
    }
}

/// A sample value of the parameter's kind, within its bounds, as its constructor argument or
/// setter takes it.
fn sample(param: &Param) -> TokenStream {
    let (min, max) = (param.min, param.max);
    match param.ty {
        ParamType::Module => quote! { crate::modules::Module::BUILTIN[0].clone() },
        ParamType::RecordId | ParamType::Id => quote! { "1" },
        ParamType::String => quote! { "text" },
        ParamType::Url => quote! { "https://example.com/file.txt" },
        ParamType::Integer => {
            let number = min.unwrap_or_else(|| max.map_or(1, |max| max.min(1)));
            let number = Literal::i64_unsuffixed(number);
            quote! { #number }
        }
        ParamType::StringList | ParamType::IdList => {
            let item = if param.ty == ParamType::IdList {
                "1"
            } else {
                "text"
            };
            let length = min.unwrap_or(1).max(1).min(max.unwrap_or(i64::MAX)).max(0);
            let length = Literal::usize_unsuffixed(usize::try_from(length).unwrap_or(1));
            quote! { ::std::iter::repeat_n(#item, #length) }
        }
        ParamType::File => quote! {
            ::zoho_crm_runtime::FileSource::from_bytes("sample.txt", b"sample".to_vec())
        },
        ParamType::FileList => {
            let length = min.unwrap_or(1).max(1).min(max.unwrap_or(i64::MAX)).max(0);
            let length = Literal::usize_unsuffixed(usize::try_from(length).unwrap_or(1));
            quote! {
                (0..#length).map(|_| {
                    ::zoho_crm_runtime::FileSource::from_bytes("sample.txt", b"sample".to_vec())
                })
            }
        }
        ParamType::Json => quote! { ::zoho_crm_runtime::JsonValue::Null },
    }
}
