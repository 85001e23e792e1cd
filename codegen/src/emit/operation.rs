//! `operations/*.rs`: per operation, its constants, request type (parameters by location, with
//! constructor and setters), response type, typed error enum, and the `Client` method that
//! checks every parameter (for the call's API version), builds the request and decodes the
//! answer by the response kind. Everything here is driven by spec data; nothing names an
//! operation.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{camel_ident, doc, ident, snake_ident};
use crate::error_cases::{cases_for, resolution_for};
use crate::model::{HttpMethod, Operation, Param, ParamIn, ParamType, ResponseKind, Spec};
use crate::validate::VERSION_PLACEHOLDER;

/// `operations/mod.rs`: one module per operation, re-exports, and the `Operation` enum.
pub(super) fn emit_index(spec: &Spec) -> TokenStream {
    let items = spec.operations.keys().map(|name| {
        let module = ident(name);
        let names = TypeNames::new(name);
        let (request, response, error) = (&names.request, &names.response, &names.error);
        quote! {
            pub mod #module;
            pub use #module::{#error, #request, #response};
        }
    });
    let variants: Vec<_> = spec
        .operations
        .keys()
        .map(|name| camel_ident(name))
        .collect();
    let names: Vec<_> = spec.operations.keys().map(String::as_str).collect();
    let variant_docs = spec
        .operations
        .iter()
        .map(|(name, op)| doc(&format!("`{name}`: {}", first_sentence(&op.doc))));
    let narrowest = spec.operations.values().map(|op| {
        let narrowest = crate::validate::narrowest_scope(spec, &op.scope_operations)
            .map(camel_ident)
            .unwrap_or_else(|| camel_ident("unnamed"));
        quote! { crate::scopes::ScopeOperation::#narrowest }
    });
    let modules: Vec<_> = spec.operations.keys().map(|name| ident(name)).collect();
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
    request: proc_macro2::Ident,
    response: proc_macro2::Ident,
    error: proc_macro2::Ident,
}

impl TypeNames {
    fn new(operation: &str) -> Self {
        let base = camel_ident(operation);
        TypeNames {
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

fn method_str(method: HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Delete => "DELETE",
    }
}

/// Whether repeating the operation is harmless: as the spec says, else by its method.
pub(super) fn is_idempotent(op: &Operation) -> bool {
    op.idempotent.unwrap_or(matches!(
        op.method,
        HttpMethod::Get | HttpMethod::Put | HttpMethod::Delete
    ))
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
    }
}

/// The argument type a constructor or setter takes, and how it becomes the field's value.
fn argument(param: &Param) -> (TokenStream, TokenStream) {
    let name = snake_ident(&param.name);
    match param.ty {
        ParamType::RecordId | ParamType::Id | ParamType::String | ParamType::Url => (
            quote! { impl ::std::convert::Into<::std::string::String> },
            quote! { #name.into() },
        ),
        ParamType::StringList | ParamType::IdList => (
            quote! { impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>> },
            quote! { #name.into_iter().map(::std::convert::Into::into).collect() },
        ),
        ParamType::Module | ParamType::Integer | ParamType::File => {
            let ty = value_type(param.ty);
            (quote! { #ty }, quote! { #name })
        }
    }
}

/// One operation's file.
pub(super) fn emit(spec: &Spec, name: &str, op: &Operation) -> TokenStream {
    let names = TypeNames::new(name);
    let module_doc = format!(
        " `{} {}`: {}",
        method_str(op.method),
        op.path,
        first_sentence(&op.doc)
    );
    let constants = emit_constants(op);
    let request = emit_request(op, &names);
    let response = emit_response(op, &names);
    let error = emit_error(spec, name, op, &names);
    let method = emit_client_method(spec, name, op, &names);
    quote! {
        #![doc = #module_doc]
        #constants
        #request
        #response
        #error
        #method
    }
}

fn emit_constants(op: &Operation) -> TokenStream {
    let method = method_str(op.method);
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
    let scope_variants = op.scope_operations.iter().map(|s| camel_ident(s));
    let limits = op.limits.as_ref().map(|limits| {
        let max = Literal::u64_unsuffixed(limits.max_file_bytes);
        let max_bytes = limits.max_file_bytes;
        let forbidden = &limits.forbidden_extensions;
        let limit_doc = format!(
            " Limits on the uploaded file: at most {max_bytes} bytes{}.",
            if forbidden.is_empty() {
                String::new()
            } else {
                format!(
                    ", none of the extensions {}",
                    forbidden
                        .iter()
                        .map(|e| format!(".{e}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        quote! {
            #[doc = #limit_doc]
            pub const LIMITS: ::zoho_crm_runtime::UploadLimits = ::zoho_crm_runtime::UploadLimits {
                max_file_bytes: #max,
                forbidden_extensions: &[ #( #forbidden ),* ],
            };
        }
    });
    let idempotent = is_idempotent(op);
    quote! {
        /// The HTTP method.
        pub const METHOD: &str = #method;
        /// Whether repeating the call is harmless; if not, it is never retried once the server
        /// may have processed it.
        pub const IDEMPOTENT: bool = #idempotent;
        /// The path template below the API base URL.
        pub const PATH_TEMPLATE: &str = #path;
        /// The HTTP statuses that mean success.
        pub const SUCCESS_STATUS: &[u16] = &[ #( #success ),* ];
        /// The HTTP statuses that mean "nothing" (an empty page, no such item).
        pub const EMPTY_STATUS: &[u16] = &[ #( #empty ),* ];
        /// The scope operation types that allow this operation (see [`crate::scopes`]).
        pub const SCOPE_OPERATIONS: &[crate::scopes::ScopeOperation] =
            &[ #( crate::scopes::ScopeOperation::#scope_variants ),* ];
        #limits
    }
}

fn param_doc(param: &Param) -> String {
    let mut text = param.doc.trim().to_owned();
    let place = match param.location {
        ParamIn::Path => "the path",
        ParamIn::Query => "the query string",
        ParamIn::Form => "the form body",
    };
    text.push_str(&format!(" Sent as `{}` in {place}.", param.name));
    if let Some(version) = &param.required_from {
        text.push_str(&format!(" Required from {version} on."));
    }
    if let Some(version) = &param.since {
        text.push_str(&format!(" Only in {version} and later."));
    }
    if param.min.is_some() || param.max.is_some() {
        let bound = |b: Option<i64>| b.map_or(String::new(), |b| b.to_string());
        text.push_str(&format!(
            " Allowed: {}..={}.",
            bound(param.min),
            bound(param.max)
        ));
    }
    text
}

fn emit_request(op: &Operation, names: &TypeNames) -> TokenStream {
    let request = &names.request;
    let fields = op.params.iter().map(|param| {
        let name = snake_ident(&param.name);
        let ty = value_type(param.ty);
        let field_doc = doc(&param_doc(param));
        if is_required(param) {
            quote! { #field_doc pub #name: #ty, }
        } else {
            quote! { #field_doc pub #name: ::std::option::Option<#ty>, }
        }
    });
    let required: Vec<&Param> = op.params.iter().filter(|p| is_required(p)).collect();
    let ctor_args = required.iter().map(|param| {
        let name = snake_ident(&param.name);
        let (ty, _) = argument(param);
        quote! { #name: #ty }
    });
    let inits = op.params.iter().map(|param| {
        let name = snake_ident(&param.name);
        if is_required(param) {
            match param.ty {
                ParamType::Module | ParamType::Integer | ParamType::File => quote! { #name },
                _ => {
                    let (_, convert) = argument(param);
                    quote! { #name: #convert }
                }
            }
        } else {
            quote! { #name: ::std::option::Option::None }
        }
    });
    let setters = op.params.iter().filter(|p| !is_required(p)).map(|param| {
        let name = snake_ident(&param.name);
        let (ty, convert) = argument(param);
        let setter_doc = doc(&format!("Sets `{}`: {}", param.name, param_doc(param)));
        quote! {
            #setter_doc
            pub fn #name(mut self, #name: #ty) -> Self {
                self.#name = ::std::option::Option::Some(#convert);
                self
            }
        }
    });
    let clone = if op.params.iter().any(|p| p.ty == ParamType::File) {
        quote! { #[derive(Debug)] }
    } else {
        quote! { #[derive(Clone, Debug)] }
    };
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
            pub version: ::std::option::Option<crate::versions::ApiVersion>,
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
    }
}

fn type_ident(name: &Option<String>) -> TokenStream {
    let name = ident(name.as_deref().unwrap_or("Unnamed"));
    quote! { crate::types::#name }
}

fn emit_response(op: &Operation, names: &TypeNames) -> TokenStream {
    let response = &names.response;
    let error = &names.error;
    let r = &op.response;
    let (ty, text) = match r.kind {
        ResponseKind::Action => {
            let details = type_ident(&r.details);
            (
                quote! { ::zoho_crm_runtime::ActionResponse<#details> },
                "Zoho's action result, with its details.".to_owned(),
            )
        }
        ResponseKind::ActionList => {
            let details = type_ident(&r.details);
            (
                quote! { ::zoho_crm_runtime::ActionResults<#details, #error> },
                "One result per item, in order: each a success with its details, or the typed error for that item.".to_owned(),
            )
        }
        ResponseKind::List => {
            let item = type_ident(&r.item);
            let info = type_ident(&r.info);
            (
                quote! { ::zoho_crm_runtime::ListPage<#item, #info> },
                "One page of items with its paging information (an empty page has none).".to_owned(),
            )
        }
        ResponseKind::Binary => (
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

fn emit_error(spec: &Spec, name: &str, op: &Operation, names: &TypeNames) -> TokenStream {
    let error = &names.error;
    let codes: Vec<&str> = op.errors.iter().map(String::as_str).collect();
    let variants: Vec<_> = codes.iter().map(|c| camel_ident(c)).collect();
    let checks: Vec<_> = codes
        .iter()
        .map(|c| format_ident!("is_{}", snake_ident(c)))
        .collect();
    let check_docs = codes.iter().map(|c| format!(" Whether this is `{c}`."));
    let variant_docs = codes.iter().map(|code| {
        let mut text = format!("`{code}`.");
        for case in cases_for(spec, name, code) {
            match &case.message {
                Some(message) => {
                    text.push_str(&format!("\n\nHTTP {}: *{}*.", case.status, message.trim()))
                }
                None => text.push_str(&format!("\n\nHTTP {}.", case.status)),
            }
            let resolution = resolution_for(spec, op, case);
            text.push_str(&format!("\n\nResolution: {resolution}"));
        }
        doc(&text)
    });
    let table = codes.iter().flat_map(|code| {
        cases_for(spec, name, code).map(move |case| {
            let status = Literal::u16_unsuffixed(case.status);
            let resolution = resolution_for(spec, op, case);
            let message = match &case.message {
                Some(message) => {
                    let message = message.trim();
                    quote! { ::std::option::Option::Some(#message) }
                }
                None => quote! { ::std::option::Option::None },
            };
            quote! {
                ::zoho_crm_runtime::DocumentedError {
                    code: #code, status: #status, message: #message, resolution: #resolution,
                },
            }
        })
    });
    let error_doc = format!(" The errors `{name}` can return, one variant per documented code.");
    quote! {
        #[doc = #error_doc]
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum #error {
            #( #variant_docs #variants(::zoho_crm_runtime::ApiErrorInfo), )*
            /// A code the spec does not list for this operation.
            Unknown(::zoho_crm_runtime::ApiErrorInfo),
        }

        impl #error {
            /// Every documented case of every code of this operation, from the spec.
            pub const DOCUMENTED: &'static [::zoho_crm_runtime::DocumentedError] = &[ #( #table )* ];

            /// What Zoho sent.
            pub fn info(&self) -> &::zoho_crm_runtime::ApiErrorInfo {
                match self {
                    #( #error::#variants(info) )|* | #error::Unknown(info) => info,
                }
            }

            /// Zoho's error code, e.g. `INVALID_DATA`.
            pub fn code(&self) -> &str {
                &self.info().code
            }

            /// Zoho's message.
            pub fn message(&self) -> &str {
                &self.info().message
            }

            /// The HTTP status.
            pub fn http_status(&self) -> u16 {
                self.info().status
            }

            /// Zoho's `details` object.
            pub fn details(&self) -> &::serde_json::Map<::std::string::String, ::serde_json::Value> {
                &self.info().details
            }

            /// The documented case this error is, when it can be told.
            pub fn documented(&self) -> ::std::option::Option<&'static ::zoho_crm_runtime::DocumentedError> {
                ::zoho_crm_runtime::DocumentedError::find(Self::DOCUMENTED, self.info())
            }

            /// What the spec says to do about this error, when the case can be told.
            pub fn resolution(&self) -> ::std::option::Option<&'static str> {
                self.documented().map(|case| case.resolution)
            }

            #(
                #[doc = #check_docs]
                pub fn #checks(&self) -> bool {
                    ::std::matches!(self, #error::#variants(_))
                }
            )*
        }

        impl ::std::fmt::Display for #error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.info(), f)
            }
        }

        impl ::std::error::Error for #error {}

        impl ::zoho_crm_runtime::OperationError for #error {
            fn from_api(info: ::zoho_crm_runtime::ApiErrorInfo) -> Self {
                match info.code.as_str() {
                    #( #codes => #error::#variants(info), )*
                    _ => #error::Unknown(info),
                }
            }

            fn info(&self) -> &::zoho_crm_runtime::ApiErrorInfo {
                #error::info(self)
            }

            fn resolution(&self) -> ::std::option::Option<&'static str> {
                #error::resolution(self)
            }
        }
    }
}

/// The checks for one parameter's value (`value` is a `&` to it).
fn value_checks(param: &Param, value: TokenStream) -> TokenStream {
    let wire = &param.name;
    let bound = |b: Option<i64>| match b {
        Some(b) => quote! { ::std::option::Option::Some(#b) },
        None => quote! { ::std::option::Option::None },
    };
    let (min, max) = (bound(param.min), bound(param.max));
    match param.ty {
        ParamType::Module => quote! {
            ::zoho_crm_runtime::validate::module_api_name(crate::modules::Module::api_name(#value))?;
            if let ::std::option::Option::Some(since) = crate::modules::Module::since(#value)
                && !::zoho_crm_runtime::validate::version_at_least(version, since)
            {
                return ::std::result::Result::Err(::zoho_crm_runtime::ValidationError::ModuleNotInVersion {
                    module: crate::modules::Module::api_name(#value).to_owned(),
                    since,
                    version: version.to_owned(),
                }.into());
            }
        },
        ParamType::RecordId => quote! { ::zoho_crm_runtime::validate::record_id(#value)?; },
        ParamType::Id => quote! { ::zoho_crm_runtime::validate::id(#wire, #value)?; },
        ParamType::String => quote! { ::zoho_crm_runtime::validate::text(#wire, #value)?; },
        ParamType::Url => quote! { ::zoho_crm_runtime::validate::http_url(#value)?; },
        ParamType::Integer => quote! {
            ::zoho_crm_runtime::validate::range(#wire, *#value, #min, #max)?;
        },
        ParamType::StringList | ParamType::IdList => {
            let item_check = if param.ty == ParamType::IdList {
                quote! { ::zoho_crm_runtime::validate::id(#wire, item)?; }
            } else {
                quote! { ::zoho_crm_runtime::validate::list_item(#wire, item)?; }
            };
            quote! {
                let list: &::std::vec::Vec<::std::string::String> = #value;
                ::zoho_crm_runtime::validate::range(
                    #wire,
                    i64::try_from(list.len()).unwrap_or(i64::MAX),
                    #min,
                    #max,
                )?;
                for item in list {
                    #item_check
                }
            }
        }
        ParamType::File => quote! {},
    }
}

fn emit_client_method(spec: &Spec, name: &str, op: &Operation, names: &TypeNames) -> TokenStream {
    let method_name = ident(name);
    let (request, response, error) = (&names.request, &names.response, &names.error);
    let method_doc = doc(&format!(
        "{}\n\nEvery parameter is checked (for the call's API version) before anything is sent; a bad one gives [`::zoho_crm_runtime::Error::Validation`].",
        op.doc.trim()
    ));

    let mut checks = Vec::new();
    for param in &op.params {
        let field = snake_ident(&param.name);
        let wire = &param.name;
        if is_required(param) {
            checks.push(value_checks(param, quote! { &request.#field }));
        } else {
            let inner = value_checks(param, quote! { value });
            checks.push(quote! {
                if let ::std::option::Option::Some(value) = &request.#field {
                    #inner
                }
            });
        }
        if let Some(since) = &param.since {
            let present = if is_required(param) {
                quote! { true }
            } else {
                quote! { request.#field.is_some() }
            };
            checks.push(quote! {
                if #present && !::zoho_crm_runtime::validate::version_at_least(version, #since) {
                    return ::std::result::Result::Err(::zoho_crm_runtime::ValidationError::ParameterNotInVersion {
                        name: #wire,
                        since: #since,
                        version: version.to_owned(),
                    }.into());
                }
            });
        }
        if let Some(from) = &param.required_from {
            checks.push(quote! {
                if request.#field.is_none() && ::zoho_crm_runtime::validate::version_at_least(version, #from) {
                    return ::std::result::Result::Err(::zoho_crm_runtime::ValidationError::MissingParameter {
                        name: #wire,
                        required_from: #from,
                        version: version.to_owned(),
                    }.into());
                }
            });
        }
    }

    let mut template = String::new();
    let mut args = Vec::new();
    for segment in op.path.split('/').filter(|s| !s.is_empty()) {
        template.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(VERSION_PLACEHOLDER) => {
                template.push_str("{}");
                args.push(quote! { version });
            }
            Some(placeholder) => {
                template.push_str("{}");
                let field = snake_ident(placeholder);
                let is_module = op
                    .params
                    .iter()
                    .any(|p| p.name == placeholder && p.ty == ParamType::Module);
                args.push(if is_module {
                    quote! { request.#field.api_name() }
                } else {
                    quote! { request.#field }
                });
            }
            None => template.push_str(segment),
        }
    }

    let to_text = |param: &Param, value: TokenStream| -> TokenStream {
        match param.ty {
            ParamType::Integer => quote! { #value.to_string() },
            ParamType::StringList | ParamType::IdList => quote! { #value.join(",") },
            _ => quote! { #value.clone() },
        }
    };
    let mut query_pushes = Vec::new();
    let mut form_parts = Vec::new();
    for param in &op.params {
        let field = snake_ident(&param.name);
        let wire = &param.name;
        let required = is_required(param);
        let value = if required {
            quote! { request.#field }
        } else {
            quote! { (*value) }
        };
        // Wraps a statement using `value` so that it runs only when the option is set.
        let when_set = |statement: TokenStream| {
            if required {
                statement
            } else {
                quote! {
                    if let ::std::option::Option::Some(value) = &request.#field {
                        #statement
                    }
                }
            }
        };
        match param.location {
            ParamIn::Path => {}
            ParamIn::Query => {
                let text = to_text(param, value);
                query_pushes.push(when_set(quote! { query.push(#wire, #text); }));
            }
            ParamIn::Form if param.ty == ParamType::File => {
                form_parts.push(if required {
                    quote! { body = body.file(#wire, request.#field, LIMITS); }
                } else {
                    quote! {
                        if let ::std::option::Option::Some(source) = request.#field {
                            body = body.file(#wire, source, LIMITS);
                        }
                    }
                });
            }
            ParamIn::Form => {
                let text = to_text(param, value);
                let query_in = &param.query_in;
                form_parts.push(when_set(if query_in.is_empty() {
                    quote! { body = body.text(#wire, #text); }
                } else {
                    quote! {
                        if [ #( #query_in ),* ].contains(&version) {
                            query.push(#wire, #text);
                        } else {
                            body = body.text(#wire, #text);
                        }
                    }
                }));
            }
        }
    }
    let has_form = op.params.iter().any(|p| p.location == ParamIn::Form);
    let needs_query = op
        .params
        .iter()
        .any(|p| p.location == ParamIn::Query || !p.query_in.is_empty());
    let query_binding = if needs_query {
        quote! { mut query }
    } else {
        quote! { query }
    };
    let build_body = if has_form {
        quote! {
            let mut body = ::zoho_crm_runtime::RequestBody::multipart();
            #( #form_parts )*
            let body = if body.is_empty() {
                ::std::option::Option::None
            } else {
                ::std::option::Option::Some(body)
            };
        }
    } else {
        quote! { let body = ::std::option::Option::None; }
    };

    let http_method = format_ident!("{}", method_str(op.method));
    let execute = match op.response.kind {
        ResponseKind::Action => quote! {
            self.runtime().execute_action(prepared, SUCCESS_STATUS).await
        },
        ResponseKind::ActionList => quote! {
            self.runtime().execute_action_list(prepared, SUCCESS_STATUS).await
        },
        ResponseKind::List => quote! {
            self.runtime().execute_list(prepared, SUCCESS_STATUS, EMPTY_STATUS).await
        },
        ResponseKind::Binary => quote! {
            self.runtime().execute_binary(prepared, SUCCESS_STATUS, EMPTY_STATUS).await
        },
    };
    let paginator = emit_paginator(spec, name, op, names);
    quote! {
        impl crate::Client {
            #method_doc
            pub async fn #method_name(
                &self,
                request: #request,
            ) -> ::std::result::Result<#response, ::zoho_crm_runtime::Error<#error>> {
                let version: &str = match request.version {
                    ::std::option::Option::Some(version) => version.as_str(),
                    ::std::option::Option::None => self.runtime().api_version(),
                };
                #( #checks )*
                let mut path = ::std::format!(#template, #( #args ),*);
                let #query_binding = ::zoho_crm_runtime::Query::new();
                #( #query_pushes )*
                #build_body
                query.append_to(&mut path);
                let prepared = ::zoho_crm_runtime::PreparedRequest {
                    method: ::zoho_crm_runtime::Method::#http_method,
                    path,
                    path_template: PATH_TEMPLATE,
                    body,
                    idempotent: IDEMPOTENT,
                };
                #execute
            }

            #paginator
        }
    }
}

/// For a paginated listing, a `<name>_stream` method yielding every item lazily.
fn emit_paginator(spec: &Spec, name: &str, op: &Operation, names: &TypeNames) -> TokenStream {
    let Some(pagination) = &op.pagination else {
        return quote! {};
    };
    let (request, error) = (&names.request, &names.error);
    let method_name = ident(name);
    let stream_name = format_ident!("{}_stream", name);
    let item = type_ident(&op.response.item);
    let info_type = op.response.info.as_ref().and_then(|n| spec.types.get(n));
    let info_field = |wire: &str| {
        info_type
            .and_then(|t| t.fields.iter().find(|f| f.wire == wire))
            .and_then(crate::validate::field_name)
            .map(|n| ident(&n))
    };
    let more = info_field(&pagination.more).unwrap_or_else(|| ident("more"));
    let more_required = info_type
        .and_then(|t| t.fields.iter().find(|f| f.wire == pagination.more))
        .is_some_and(|f| f.required);
    // A missing or null `more` flag means no more pages.
    let no_more = if more_required {
        quote! { !info.#more }
    } else {
        quote! { info.#more != ::std::option::Option::Some(true) }
    };
    let page = snake_ident(&pagination.page_param);
    let token_step = match (&pagination.next_token, &pagination.token_param) {
        (Some(next), Some(param)) => {
            let next = info_field(next).unwrap_or_else(|| ident("next"));
            let param = snake_ident(param);
            quote! {
                if let ::std::option::Option::Some(token) = &info.#next {
                    next.#param = ::std::option::Option::Some(token.clone());
                    next.#page = ::std::option::Option::None;
                    return ::std::option::Option::Some((
                        next,
                        ::zoho_crm_runtime::PageMark::Token(token.clone()),
                    ));
                }
            }
        }
        _ => quote! {},
    };
    let stream_doc = doc(&format!(
        "Every item of `{name}`, fetched lazily page by page (following the page token where the server gives one, else the page number) until the server says there are no more. A server that makes no progress (the same page token or page number again, a page repeating earlier items, an empty page that says more follow) ends the stream with `Error::Pagination`, as does reaching the client's page limit (`ClientBuilder::max_pages`)."
    ));
    quote! {
        #stream_doc
        pub fn #stream_name(
            &self,
            request: #request,
        ) -> impl ::zoho_crm_runtime::Stream<Item = ::std::result::Result<#item, ::zoho_crm_runtime::Error<#error>>> + '_ {
            ::zoho_crm_runtime::pagination::paginate(
                self.runtime().max_pages(),
                request,
                move |request| self.#method_name(request),
                |request: &#request, info| {
                    if #no_more {
                        return ::std::option::Option::None;
                    }
                    let mut next = request.clone();
                    #token_step
                    let page = request.#page.unwrap_or(1).saturating_add(1);
                    next.#page = ::std::option::Option::Some(page);
                    ::std::option::Option::Some((next, ::zoho_crm_runtime::PageMark::Number(page)))
                },
            )
        }
    }
}
