//! `operations/*.rs`: per operation, its constants, request and body types, response alias,
//! typed error enum, and the `Client` method that validates, builds and sends the request.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{camel_ident, doc, ident, snake_ident};
use crate::model::{HttpMethod, Operation, PartType, PathParamType, Spec};
use crate::validate::VERSION_PLACEHOLDER;

/// `operations/mod.rs`: one module per operation and re-exports of its main types.
pub(super) fn emit_index(spec: &Spec) -> TokenStream {
    let items = spec.operations.iter().map(|(name, op)| {
        let module = ident(name);
        let names = TypeNames::new(name);
        let (request, response, error) = (&names.request, &names.response, &names.error);
        let body = op.body.as_ref().map(|_| {
            let body = &names.body;
            quote! { #body, }
        });
        let summary = doc(first_sentence(&op.doc));
        quote! {
            #summary
            pub mod #module;
            pub use #module::{#body #error, #request, #response};
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
    body: proc_macro2::Ident,
    response: proc_macro2::Ident,
    error: proc_macro2::Ident,
}

impl TypeNames {
    fn new(operation: &str) -> Self {
        let base = camel_ident(operation);
        TypeNames {
            request: format_ident!("{}Request", base),
            body: format_ident!("{}Body", base),
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
    let body = emit_body(op, &names);
    let request = emit_request(op, &names);
    let response = emit_response(op, &names);
    let error = emit_error(spec, name, op, &names);
    let method = emit_client_method(name, op, &names);
    quote! {
        #![doc = #module_doc]
        #constants
        #body
        #request
        #response
        #error
        #method
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

fn emit_constants(op: &Operation) -> TokenStream {
    let method = method_str(op.method);
    let path = &op.path;
    let success = op
        .response
        .success_status
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
        /// The scope operation types that allow this operation (see [`crate::scopes`]).
        pub const SCOPE_OPERATIONS: &[crate::scopes::ScopeOperation] =
            &[ #( crate::scopes::ScopeOperation::#scope_variants ),* ];
        #limits
    }
}

/// Whether repeating the operation is harmless: as the spec says, else by its method.
pub(super) fn is_idempotent(op: &Operation) -> bool {
    op.idempotent.unwrap_or(matches!(
        op.method,
        HttpMethod::Get | HttpMethod::Put | HttpMethod::Delete
    ))
}

fn emit_body(op: &Operation, names: &TypeNames) -> TokenStream {
    let Some(body) = &op.body else {
        return quote! {};
    };
    let body_name = &names.body;
    let variants = body.multipart_one_of.iter().map(|v| {
        let variant = ident(&v.variant);
        let variant_doc = doc(&format!("{} Sent as the form field `{}`.", v.doc, v.field));
        let ty = match v.ty {
            PartType::File => quote! { ::zoho_crm_runtime::FileSource },
            PartType::Url => quote! { ::std::string::String },
        };
        quote! { #variant_doc #variant(#ty), }
    });
    let choices = body
        .multipart_one_of
        .iter()
        .map(|v| format!("`{}`", v.field))
        .collect::<Vec<_>>()
        .join(" or ");
    let body_doc = format!(" The request body: exactly one of {choices}.");
    quote! {
        #[doc = #body_doc]
        #[derive(Debug)]
        pub enum #body_name {
            #( #variants )*
        }
    }
}

fn param_type(ty: PathParamType) -> TokenStream {
    match ty {
        PathParamType::Module => quote! { crate::modules::Module },
        PathParamType::RecordId => quote! { ::std::string::String },
    }
}

fn emit_request(op: &Operation, names: &TypeNames) -> TokenStream {
    let request = &names.request;
    let field_names: Vec<_> = op
        .path_params
        .iter()
        .map(|p| snake_ident(&p.name))
        .collect();
    let field_docs = op.path_params.iter().map(|p| doc(&p.doc));
    let field_types: Vec<_> = op.path_params.iter().map(|p| param_type(p.ty)).collect();
    let arg_types = op.path_params.iter().map(|p| match p.ty {
        PathParamType::Module => quote! { crate::modules::Module },
        PathParamType::RecordId => quote! { impl ::std::convert::Into<::std::string::String> },
    });
    let conversions = op.path_params.iter().map(|p| {
        let name = snake_ident(&p.name);
        match p.ty {
            PathParamType::Module => quote! { #name },
            PathParamType::RecordId => quote! { #name: #name.into() },
        }
    });
    let (body_field, body_arg, body_init) = match &op.body {
        Some(_) => {
            let body = &names.body;
            (
                quote! { /// The request body.
                pub body: #body, },
                quote! { body: #body },
                quote! { body },
            )
        }
        None => (quote! {}, quote! {}, quote! {}),
    };
    let request_doc = doc(&format!(
        "The parameters of a call: {}",
        first_sentence(&op.doc)
    ));
    quote! {
        #request_doc
        #[derive(Debug)]
        pub struct #request {
            #( #field_docs pub #field_names: #field_types, )*
            #body_field
        }

        impl #request {
            /// A request with every parameter the operation needs.
            pub fn new( #( #field_names: #arg_types, )* #body_arg ) -> Self {
                #request { #( #conversions, )* #body_init }
            }
        }
    }
}

fn emit_response(op: &Operation, names: &TypeNames) -> TokenStream {
    let response = &names.response;
    let details = ident(&op.response.details);
    let response_doc = format!(
        " The successful result: Zoho's action result with [`crate::types::{}`] as its details.",
        op.response.details
    );
    quote! {
        #[doc = #response_doc]
        pub type #response = ::zoho_crm_runtime::ActionResponse<crate::types::#details>;
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
        let cases = spec
            .errors
            .get(*code)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut text = format!("`{code}`.");
        for case in cases {
            match &case.message {
                Some(message) => {
                    text.push_str(&format!("\n\nHTTP {}: *{}*.", case.status, message.trim()))
                }
                None => text.push_str(&format!("\n\nHTTP {}.", case.status)),
            }
            text.push_str(&format!("\n\nResolution: {}", case.resolution.trim()));
        }
        doc(&text)
    });
    let table = codes.iter().flat_map(|code| {
        spec.errors
            .get(*code)
            .into_iter()
            .flatten()
            .map(move |case| {
                let status = Literal::u16_unsuffixed(case.status);
                let resolution = case.resolution.trim();
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
        }
    }
}

fn emit_client_method(name: &str, op: &Operation, names: &TypeNames) -> TokenStream {
    let method_name = ident(name);
    let (request, response, error) = (&names.request, &names.response, &names.error);
    let method_doc = doc(&format!(
        "{}\n\nEvery input is checked before anything is sent; a bad one gives [`::zoho_crm_runtime::Error::Validation`].",
        op.doc
    ));
    let checks = op.path_params.iter().map(|p| {
        let field = snake_ident(&p.name);
        match p.ty {
            PathParamType::Module => quote! {
                ::zoho_crm_runtime::validate::module_api_name(request.#field.api_name())?;
            },
            PathParamType::RecordId => quote! {
                ::zoho_crm_runtime::validate::record_id(&request.#field)?;
            },
        }
    });
    let mut template = String::new();
    let mut args = Vec::new();
    for segment in op.path.split('/').filter(|s| !s.is_empty()) {
        template.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(VERSION_PLACEHOLDER) => {
                template.push_str("{}");
                args.push(quote! { self.runtime().api_version() });
            }
            Some(param) => {
                template.push_str("{}");
                let field = snake_ident(param);
                let is_module = op
                    .path_params
                    .iter()
                    .any(|p| p.name == param && p.ty == PathParamType::Module);
                args.push(if is_module {
                    quote! { request.#field.api_name() }
                } else {
                    quote! { request.#field }
                });
            }
            None => template.push_str(segment),
        }
    }
    let build_body = match &op.body {
        Some(body) => {
            let body_name = &names.body;
            let arms = body.multipart_one_of.iter().map(|v| {
                let variant = ident(&v.variant);
                let field = &v.field;
                match v.ty {
                    PartType::File => quote! {
                        #body_name::#variant(source) => ::zoho_crm_runtime::RequestBody::multipart()
                            .file(#field, source, LIMITS),
                    },
                    PartType::Url => quote! {
                        #body_name::#variant(url) => {
                            ::zoho_crm_runtime::validate::http_url(&url)?;
                            ::zoho_crm_runtime::RequestBody::multipart().text(#field, url)
                        }
                    },
                }
            });
            quote! {
                let body = ::std::option::Option::Some(match request.body { #( #arms )* });
            }
        }
        None => quote! { let body = ::std::option::Option::None; },
    };
    let http_method = format_ident!("{}", method_str(op.method));
    quote! {
        impl crate::Client {
            #method_doc
            pub async fn #method_name(
                &self,
                request: #request,
            ) -> ::std::result::Result<#response, ::zoho_crm_runtime::Error<#error>> {
                #( #checks )*
                let path = ::std::format!(#template, #( #args ),*);
                #build_body
                let prepared = ::zoho_crm_runtime::PreparedRequest {
                    method: ::zoho_crm_runtime::Method::#http_method,
                    path,
                    path_template: PATH_TEMPLATE,
                    body,
                    idempotent: IDEMPOTENT,
                };
                self.runtime().execute_action(prepared, SUCCESS_STATUS).await
            }
        }
    }
}
