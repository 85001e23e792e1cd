//! The structural pass: every item of the spec with what is worked out about it, once. Each
//! name's identifier is made, each operation's path template parsed, the parameters its
//! pagination names found by index and its narrowest scope found. Defects are kept, not
//! reported: a name that makes no identifier has `None`, a placeholder that names no path
//! parameter has no index. The checks read this and report them.

use std::collections::BTreeMap;

use proc_macro2::Ident;
use quote::format_ident;

use super::complete::ResponseTypes;
use super::names::{Made, camel, snake};
use super::template::{self, TemplateSegment};
use crate::model::{
    BuiltinModule, DataCenter, Environment, ErrorCase, Field, HttpMethod, Operation, Param,
    ParamIn, ResponseKind, ScopeOperation, Spec, TypeDef,
};
use crate::vocabulary::{field_name, narrowest_scope, operation_scope_templates, scope_templates};

/// Every item of a spec, with what is resolved about it.
#[derive(Debug)]
pub struct Resolution<'a> {
    /// The spec as loaded.
    pub spec: &'a Spec,
    /// The data centres, in spec order, with their `DataCenter` variants.
    pub data_centers: Vec<Made<'a, DataCenter>>,
    /// The environments, in spec order, with their `Environment` variants.
    pub environments: Vec<Made<'a, Environment>>,
    /// The built-in modules, in spec order, with their `Module` variants.
    pub modules: Vec<Made<'a, BuiltinModule>>,
    /// The scope operation types, in spec order.
    pub scopes: Vec<ScopeResolution<'a>>,
    /// The scope templates (name, template), `module` and `resource` first, each with its
    /// `ScopeTemplate` variant.
    pub scope_templates: Vec<(&'a str, &'a str, Option<Ident>)>,
    /// Each response type, by name.
    pub types: BTreeMap<&'a str, TypeResolution<'a>>,
    /// Each code of the error table, by code.
    pub error_codes: BTreeMap<&'a str, CodeResolution<'a>>,
    /// Each operation, by name.
    pub operations: BTreeMap<&'a str, OperationResolution<'a>>,
}

/// A scope operation type with its variant and the variants of the types it implies.
#[derive(Debug)]
pub struct ScopeResolution<'a> {
    /// The type as the spec gives it.
    pub def: &'a ScopeOperation,
    /// Its `ScopeOperation` variant.
    pub ident: Option<Ident>,
    /// The variants of the types it also grants, in spec order.
    pub implies: Vec<Option<Ident>>,
}

/// A response type with its Rust name and its fields' Rust names.
#[derive(Debug)]
pub struct TypeResolution<'a> {
    /// The type as the spec gives it.
    pub def: &'a TypeDef,
    /// Its Rust name.
    pub ident: Option<Ident>,
    /// Its fields, in spec order, each with its Rust name.
    pub fields: Vec<(Option<String>, &'a Field)>,
}

/// A code of the error table with its variant and predicate names.
#[derive(Debug)]
pub struct CodeResolution<'a> {
    /// Its documented cases.
    pub cases: &'a [ErrorCase],
    /// Its variant, e.g. `InvalidData`.
    pub variant: Option<Ident>,
    /// Its predicate, e.g. `is_invalid_data`.
    pub predicate: Option<Ident>,
}

/// What is resolved about one operation.
#[derive(Debug)]
pub struct OperationResolution<'a> {
    /// The operation as the spec gives it.
    pub op: &'a Operation,
    /// Its name as a method and module, e.g. `upload_attachment`.
    pub method: Option<Ident>,
    /// Its name in types and variants, e.g. `UploadAttachment`.
    pub camel: Option<Ident>,
    /// Its parameters, in spec order, with their field names.
    pub params: Vec<Made<'a, Param>>,
    /// Its path template's segments after the leading `/`; `None` when there is no such `/`.
    pub template: Option<Vec<TemplateSegment>>,
    /// The variants of the scope operation types that allow it, in spec order.
    pub scope_variants: Vec<Option<Ident>>,
    /// The index (in its scope operation types) of the one every other grants.
    pub narrowest_scope: Option<usize>,
    /// The `ScopeTemplate` variants of the scope templates it needs granted; `None` for a
    /// name that is no template.
    pub scope_templates: Vec<Option<Ident>>,
    /// Its response's types, when its kind has the types it needs.
    pub response: Option<ResponseTypes>,
    /// The parameters its pagination names, for a paginated one.
    pub pagination: Option<PagingParams>,
    /// Whether repeating it is harmless: as the spec says, else by its method.
    pub idempotent: bool,
}

/// The query parameters a pagination names, by index.
#[derive(Debug)]
pub struct PagingParams {
    /// The page-number parameter.
    pub page: Option<usize>,
    /// The page-token parameter, when one is named.
    pub token: Option<usize>,
}

/// Resolves everything in `spec` that can be; the checks report what cannot.
pub fn resolve(spec: &Spec) -> Resolution<'_> {
    Resolution {
        spec,
        data_centers: spec
            .data_centers
            .iter()
            .map(|d| Made::camel(d, &d.id))
            .collect(),
        environments: spec
            .environments
            .iter()
            .map(|e| Made::camel(e, &e.id))
            .collect(),
        modules: (spec.modules.builtin.iter())
            .map(|m| Made::camel(m, &m.api_name))
            .collect(),
        scopes: (spec.scopes.operations.iter())
            .map(|def| ScopeResolution {
                def,
                ident: camel(&def.name),
                implies: def.implies.iter().map(|name| camel(name)).collect(),
            })
            .collect(),
        scope_templates: (scope_templates(spec).into_iter())
            .map(|(name, template)| (name, template, camel(name)))
            .collect(),
        types: (spec.types.iter())
            .map(|(name, def)| {
                let fields = def.fields.iter().map(|f| (field_name(f), f)).collect();
                let ident = camel(name);
                (name.as_str(), TypeResolution { def, ident, fields })
            })
            .collect(),
        error_codes: (spec.errors.iter())
            .map(|(code, cases)| {
                let resolution = CodeResolution {
                    cases,
                    variant: camel(code),
                    predicate: snake(code).map(|snake| format_ident!("is_{snake}")),
                };
                (code.as_str(), resolution)
            })
            .collect(),
        operations: (spec.operations.iter())
            .map(|(name, op)| (name.as_str(), resolve_operation(spec, name, op)))
            .collect(),
    }
}

fn resolve_operation<'a>(spec: &Spec, name: &str, op: &'a Operation) -> OperationResolution<'a> {
    let query_param = |name: &str| {
        op.params
            .iter()
            .position(|p| p.name == name && p.location == ParamIn::Query)
    };
    let r = &op.response;
    let response = match (r.kind, &r.details, &r.item, &r.info) {
        (ResponseKind::Action, Some(details), _, _) => Some(ResponseTypes::Action {
            details: details.clone(),
        }),
        (ResponseKind::ActionList, Some(details), _, _) => Some(ResponseTypes::ActionList {
            details: details.clone(),
        }),
        (ResponseKind::List, _, Some(item), Some(info)) => Some(ResponseTypes::List {
            item: item.clone(),
            info: info.clone(),
        }),
        (ResponseKind::Binary, _, _, _) => Some(ResponseTypes::Binary),
        _ => None,
    };
    OperationResolution {
        op,
        method: snake(name),
        camel: camel(name),
        params: (op.params.iter())
            .map(|def| Made {
                def,
                ident: snake(&def.name),
            })
            .collect(),
        template: template::parse(&op.path, &op.params),
        scope_variants: op.scope_operations.iter().map(|s| camel(s)).collect(),
        narrowest_scope: narrowest_scope(spec, &op.scope_operations),
        scope_templates: (operation_scope_templates(op).into_iter())
            .map(|name| {
                let known = scope_templates(spec)
                    .iter()
                    .any(|(known, _)| *known == name);
                known.then(|| camel(name)).flatten()
            })
            .collect(),
        response,
        pagination: op.pagination.as_ref().map(|p| PagingParams {
            page: query_param(&p.page_param),
            token: p.token_param.as_deref().and_then(query_param),
        }),
        idempotent: op.idempotent.unwrap_or(matches!(
            op.method,
            HttpMethod::Get | HttpMethod::Put | HttpMethod::Delete
        )),
    }
}
