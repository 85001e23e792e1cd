//! The spec as the emitters read it, made once validation has passed: each operation's path
//! parsed into segments, the parameters its pagination sets found by index, its response types
//! and narrowest scope looked up, and each response field's Rust name chosen. The emitters read
//! these instead of working them out again, so they have nothing to fall back on.

use std::collections::BTreeMap;

use crate::model::{Field, Operation, ResponseKind, Spec, TypeDef};
use crate::validate::{VERSION_PLACEHOLDER, field_name, narrowest_scope};

/// A validated spec with what the emitters need worked out.
#[derive(Debug)]
pub struct Resolved<'a> {
    /// The spec as loaded.
    pub spec: &'a Spec,
    /// Per operation (by name), what is resolved about it.
    pub operations: BTreeMap<&'a str, ResolvedOperation<'a>>,
    /// Each response type (by name) with its fields, in spec order, and their Rust names.
    pub types: BTreeMap<&'a str, ResolvedType<'a>>,
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
    /// The narrowest scope operation type that allows it.
    pub narrowest_scope: String,
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
    Resolved {
        spec,
        operations,
        types,
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
    let idempotent = op.idempotent.unwrap_or(matches!(
        op.method,
        crate::model::HttpMethod::Get
            | crate::model::HttpMethod::Put
            | crate::model::HttpMethod::Delete
    ));
    Some(ResolvedOperation {
        op,
        narrowest_scope: narrowest_scope.to_owned(),
        idempotent,
        segments,
        response,
        pagination,
    })
}
