//! The spec as the emitters read it, made once validation has passed: each operation's path
//! parsed into segments, the parameters its pagination sets found by index, its response types
//! and narrowest scope looked up, and every Rust identifier made once (by [`crate::ident`]).
//! The emitters read these instead of working them out again, so they have nothing to fall
//! back on.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span};
use quote::format_ident;

use crate::model::{
    BuiltinModule, DataCenter, Environment, Field, Operation, Param, ResponseKind, ScopeOperation,
    Spec, TypeDef,
};
use crate::validate::{VERSION_PLACEHOLDER, field_name, narrowest_scope};

/// A spec item with the Rust identifier made for it.
#[derive(Debug)]
pub struct Named<'a, T> {
    /// The item as the spec gives it.
    pub def: &'a T,
    /// Its identifier.
    pub ident: Ident,
}

/// A scope operation type with its variant and the variants of the types it implies.
#[derive(Debug)]
pub struct ResolvedScope<'a> {
    /// The type as the spec gives it.
    pub def: &'a ScopeOperation,
    /// Its `ScopeOperation` variant.
    pub ident: Ident,
    /// The variants of the types it also grants.
    pub implies: Vec<Ident>,
}

/// An error code an operation lists, with its variant and predicate names.
#[derive(Debug)]
pub struct ResolvedCode<'a> {
    /// The code, e.g. `INVALID_DATA`.
    pub code: &'a str,
    /// Its variant, e.g. `InvalidData`.
    pub variant: Ident,
    /// Its predicate, e.g. `is_invalid_data`.
    pub predicate: Ident,
}

/// A validated spec with what the emitters need worked out.
#[derive(Debug)]
pub struct Resolved<'a> {
    /// The spec as loaded.
    pub spec: &'a Spec,
    /// Per operation (by name), what is resolved about it.
    pub operations: BTreeMap<&'a str, ResolvedOperation<'a>>,
    /// Each response type (by name) with its fields, in spec order, and their Rust names.
    pub types: BTreeMap<&'a str, ResolvedType<'a>>,
    /// The data centres, in spec order, with their `DataCenter` variants.
    pub data_centers: Vec<Named<'a, DataCenter>>,
    /// The environments, in spec order, with their `Environment` variants.
    pub environments: Vec<Named<'a, Environment>>,
    /// The built-in modules, in spec order, with their `Module` variants.
    pub modules: Vec<Named<'a, BuiltinModule>>,
    /// The scope operation types, in spec order.
    pub scopes: Vec<ResolvedScope<'a>>,
}

/// A response type with its fields' Rust names.
#[derive(Debug)]
pub struct ResolvedType<'a> {
    /// The type as the spec gives it.
    pub def: &'a TypeDef,
    /// Its fields, in spec order, each with its Rust name.
    pub fields: Vec<(String, &'a Field)>,
}

/// What is resolved about one operation.
#[derive(Debug)]
pub struct ResolvedOperation<'a> {
    /// The operation as the spec gives it.
    pub op: &'a Operation,
    /// Its name as a method and module, e.g. `upload_attachment`.
    pub method: Ident,
    /// Its name in types and variants, e.g. `UploadAttachment`.
    pub camel: Ident,
    /// Its parameters, in spec order, with their field names.
    pub params: Vec<Named<'a, Param>>,
    /// The variants of the scope operation types that allow it.
    pub scope_variants: Vec<Ident>,
    /// The variant of the narrowest scope operation type that allows it.
    pub narrowest_scope: Ident,
    /// The error codes it lists, in spec order.
    pub errors: Vec<ResolvedCode<'a>>,
    /// Whether repeating it is harmless: as the spec says, else by its method.
    pub idempotent: bool,
    /// Its path, segment by segment.
    pub segments: Vec<PathSegment>,
    /// Its response's types.
    pub response: ResponseTypes,
    /// How a listing is walked, for a paginated one.
    pub pagination: Option<PagingIndexes>,
}

/// One segment of a path.
#[derive(Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text.
    Literal(String),
    /// The API version.
    Version,
    /// The parameter at this index.
    Param(usize),
}

/// The types a response names, by its kind.
#[derive(Debug)]
pub enum ResponseTypes {
    /// An action result with these details.
    Action { details: String },
    /// One action result per item, each with these details.
    ActionList { details: String },
    /// A page of these items with this paging information.
    List { item: String, info: String },
    /// Content to stream.
    Binary,
}

/// Pagination, with its parameters by index.
#[derive(Debug)]
pub struct PagingIndexes {
    /// The index of the page-number parameter.
    pub page: usize,
    /// The wire name of the "more follow" flag.
    pub more: String,
    /// The index of the page-token parameter and the wire name of the next-token field.
    pub token: Option<(usize, String)>,
}

/// Resolves a spec that has passed every check; `problem(path, message)` records anything
/// the checks should have caught, so a gap in them is a located error, never a guess.
pub(crate) fn resolve<'a>(spec: &'a Spec, problem: &mut dyn FnMut(String, String)) -> Resolved<'a> {
    let mut operations = BTreeMap::new();
    for (name, op) in &spec.operations {
        let path = format!("operations.{name}");
        if let Some(resolved) = resolve_operation(spec, op, &path, problem) {
            operations.insert(name.as_str(), resolved);
        }
    }
    let mut types = BTreeMap::new();
    for (type_name, def) in &spec.types {
        let resolved = types.entry(type_name.as_str()).or_insert(ResolvedType {
            def,
            fields: Vec::new(),
        });
        for field in &def.fields {
            match field_name(field) {
                Some(rust) => resolved.fields.push((rust, field)),
                None => problem(
                    format!("types.{type_name}.fields.{}", field.wire),
                    "the field has no usable Rust name".to_owned(),
                ),
            }
        }
    }
    let mut names = Names { problem };
    let data_centers = spec
        .data_centers
        .iter()
        .enumerate()
        .filter_map(|(i, dc)| names.named(dc, &dc.id, &format!("data_centers[{i}].id")))
        .collect();
    let environments = spec
        .environments
        .iter()
        .enumerate()
        .filter_map(|(i, env)| names.named(env, &env.id, &format!("environments[{i}].id")))
        .collect();
    let modules = spec
        .modules
        .builtin
        .iter()
        .enumerate()
        .filter_map(|(i, m)| names.named(m, &m.api_name, &format!("modules.builtin[{i}]")))
        .collect();
    let scopes = spec
        .scopes
        .operations
        .iter()
        .enumerate()
        .filter_map(|(i, def)| {
            let path = format!("scopes.operations[{i}]");
            Some(ResolvedScope {
                def,
                ident: names.camel(&def.name, &path)?,
                implies: names.camels(&def.implies, &format!("{path}.implies"))?,
            })
        })
        .collect();
    Resolved {
        spec,
        operations,
        types,
        data_centers,
        environments,
        modules,
        scopes,
    }
}

/// Makes identifiers, recording a located problem for a name that has none.
struct Names<'p> {
    problem: &'p mut dyn FnMut(String, String),
}

impl Names<'_> {
    fn made(&mut self, made: Option<String>, path: &str) -> Option<Ident> {
        if made.is_none() {
            (self.problem)(
                path.to_owned(),
                "the name has no usable Rust identifier".to_owned(),
            );
        }
        made.map(|name| Ident::new(&name, Span::call_site()))
    }

    fn camel(&mut self, name: &str, path: &str) -> Option<Ident> {
        self.made(crate::ident::upper_camel(name), path)
    }

    fn snake(&mut self, name: &str, path: &str) -> Option<Ident> {
        self.made(crate::ident::snake(name), path)
    }

    fn camels(&mut self, names: &[String], path: &str) -> Option<Vec<Ident>> {
        names.iter().map(|name| self.camel(name, path)).collect()
    }

    fn named<'a, T>(&mut self, def: &'a T, name: &str, path: &str) -> Option<Named<'a, T>> {
        Some(Named {
            def,
            ident: self.camel(name, path)?,
        })
    }
}

fn resolve_operation<'a>(
    spec: &Spec,
    op: &'a Operation,
    path: &str,
    problem: &mut dyn FnMut(String, String),
) -> Option<ResolvedOperation<'a>> {
    let index = |name: &str| op.params.iter().position(|p| p.name == name);
    let mut missing = |what: &str, message: &str| {
        problem(format!("{path}.{what}"), message.to_owned());
    };
    let mut segments = Vec::new();
    for segment in op.path.split('/').filter(|s| !s.is_empty()) {
        segments.push(
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(VERSION_PLACEHOLDER) => PathSegment::Version,
                Some(placeholder) => match index(placeholder) {
                    Some(index) => PathSegment::Param(index),
                    None => {
                        missing("path", "a placeholder names no parameter");
                        return None;
                    }
                },
                None => PathSegment::Literal(segment.to_owned()),
            },
        );
    }
    let Some(narrowest_scope) = narrowest_scope(spec, &op.scope_operations) else {
        missing(
            "scope_ops",
            "no scope operation type is granted by all the others",
        );
        return None;
    };
    let r = &op.response;
    let response = match (r.kind, &r.details, &r.item, &r.info) {
        (ResponseKind::Action, Some(details), _, _) => ResponseTypes::Action {
            details: details.clone(),
        },
        (ResponseKind::ActionList, Some(details), _, _) => ResponseTypes::ActionList {
            details: details.clone(),
        },
        (ResponseKind::List, _, Some(item), Some(info)) => ResponseTypes::List {
            item: item.clone(),
            info: info.clone(),
        },
        (ResponseKind::Binary, _, _, _) => ResponseTypes::Binary,
        _ => {
            missing("response", "the response lacks a type its kind needs");
            return None;
        }
    };
    let pagination = match &op.pagination {
        None => None,
        Some(p) => {
            let Some(page) = index(&p.page_param) else {
                missing("pagination.page_param", "names no parameter");
                return None;
            };
            let token = match (&p.token_param, &p.next_token) {
                (Some(param), Some(next)) => match index(param) {
                    Some(param) => Some((param, next.clone())),
                    None => {
                        missing("pagination.token_param", "names no parameter");
                        return None;
                    }
                },
                (None, None) => None,
                _ => {
                    missing("pagination", "token_param and next_token go together");
                    return None;
                }
            };
            Some(PagingIndexes {
                page,
                more: p.more.clone(),
                token,
            })
        }
    };
    let mut names = Names { problem };
    let name = path.trim_start_matches("operations.");
    let method = names.snake(name, path)?;
    let camel = names.camel(name, path)?;
    let narrowest_scope = names.camel(narrowest_scope, &format!("{path}.scope_ops"))?;
    let scope_variants = names.camels(&op.scope_operations, &format!("{path}.scope_ops"))?;
    let params = op
        .params
        .iter()
        .map(|def| {
            Some(Named {
                def,
                ident: names.snake(&def.name, &format!("{path}.params.{}", def.name))?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let errors = op
        .errors
        .iter()
        .map(|code| {
            let at = format!("{path}.errors.{code}");
            let variant = names.camel(code, &at)?;
            let predicate = format_ident!("is_{}", names.snake(code, &at)?);
            Some(ResolvedCode {
                code,
                variant,
                predicate,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let idempotent = op.idempotent.unwrap_or(matches!(
        op.method,
        crate::model::HttpMethod::Get
            | crate::model::HttpMethod::Put
            | crate::model::HttpMethod::Delete
    ));
    Some(ResolvedOperation {
        op,
        method,
        camel,
        params,
        scope_variants,
        narrowest_scope,
        errors,
        idempotent,
        segments,
        response,
        pagination,
    })
}
