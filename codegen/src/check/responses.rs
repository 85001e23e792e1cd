//! Checks of an operation's `response` (the types its kind needs, and no others) and its
//! `pagination` (the info fields and query parameters it names, the same for every listing
//! that shares an info type).

use std::collections::BTreeMap;

use super::problems::Problems;
use crate::model::{Pagination, ParamType, ResponseKind, Spec};
use crate::resolved::{OperationResolution, Resolution};

/// Checks the response and the pagination of the operation at `path`.
pub fn check_response(
    spec: &Spec,
    path: &str,
    resolved: &OperationResolution<'_>,
    problems: &mut Problems<'_>,
) {
    let operation = resolved.op;
    let response = &operation.response;
    let key = |field: &str| format!("{path}.response.{field}");
    let unwanted = |problems: &mut Problems<'_>, field: &str, value: &Option<String>| {
        if value.is_some() {
            problems.add(key(field), "this response kind does not use it");
        }
    };
    match response.kind {
        ResponseKind::Action | ResponseKind::ActionList => {
            check_type_ref(spec, key("details"), response.details.as_ref(), problems);
            unwanted(problems, "item", &response.item);
            unwanted(problems, "info", &response.info);
        }
        ResponseKind::List => {
            check_type_ref(spec, key("item"), response.item.as_ref(), problems);
            check_type_ref(spec, key("info"), response.info.as_ref(), problems);
            unwanted(problems, "details", &response.details);
        }
        ResponseKind::Binary => {
            unwanted(problems, "details", &response.details);
            unwanted(problems, "item", &response.item);
            unwanted(problems, "info", &response.info);
        }
    }
    let (Some(pagination), Some(found)) = (&operation.pagination, &resolved.pagination) else {
        return;
    };
    let key = |field: &str| format!("{path}.pagination.{field}");
    if response.kind != ResponseKind::List {
        problems.add(
            format!("{path}.pagination"),
            "only a list response can be paginated",
        );
        return;
    }
    let info = response.info.as_ref().and_then(|name| spec.types.get(name));
    let info_field = |wire: &str| info.and_then(|t| t.fields.iter().find(|f| f.wire == wire));
    match info_field(&pagination.more) {
        Some(field) if field.ty == "bool" => {}
        _ => problems.add(
            key("more"),
            format!(
                "{:?} must be a bool field of the info type",
                pagination.more
            ),
        ),
    }
    let query_param = |index: Option<usize>| index.and_then(|i| operation.params.get(i));
    match query_param(found.page) {
        Some(param) if param.ty == ParamType::Integer && !param.required => {}
        _ => problems.add(
            key("page_param"),
            format!(
                "{:?} must be an optional integer query parameter",
                pagination.page_param
            ),
        ),
    }
    match (&pagination.next_token, &pagination.token_param) {
        (None, None) => {}
        (Some(next), Some(param)) => {
            if !info_field(next).is_some_and(|f| f.ty == "string" && !f.required) {
                problems.add(
                    key("next_token"),
                    format!("{next:?} must be an optional string field of the info type"),
                );
            }
            if !query_param(found.token).is_some_and(|p| p.ty == ParamType::String && !p.required) {
                problems.add(
                    key("token_param"),
                    format!("{param:?} must be an optional string query parameter"),
                );
            }
        }
        _ => problems.add(
            format!("{path}.pagination"),
            "next_token and token_param go together",
        ),
    }
}

/// Checks that the paginated listings sharing an info type name the same fields of it: the
/// type implements the runtime's `PageInfo` once, from those fields.
pub fn check_shared_info(resolution: &Resolution<'_>, problems: &mut Problems<'_>) {
    let mut first: BTreeMap<&str, (&str, &Pagination)> = BTreeMap::new();
    for (name, resolved) in &resolution.operations {
        let operation = resolved.op;
        let (Some(pagination), Some(info)) = (&operation.pagination, &operation.response.info)
        else {
            continue;
        };
        let (other, named) = *first.entry(info).or_insert((name, pagination));
        if (&named.more, &named.next_token) != (&pagination.more, &pagination.next_token) {
            let token = (named.next_token.as_ref())
                .map(|token| format!(", next_token: {token:?}"))
                .unwrap_or_default();
            problems.add(
                format!("operations.{name}.pagination"),
                format!(
                    "shares the info type {info} with {other}, whose pagination names other fields of it (more: {:?}{token}); listings that share an info type must name the same fields",
                    named.more
                ),
            );
        }
    }
}

/// Checks that a response names the type its kind needs there, and that the type exists.
fn check_type_ref(spec: &Spec, path: String, name: Option<&String>, problems: &mut Problems<'_>) {
    match name {
        None => problems.add(path, "this response kind needs a type here"),
        Some(name) if !spec.types.contains_key(name) => problems.add(
            path,
            format!(
                "unknown type {name:?} (types: {})",
                spec.types.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        ),
        Some(_) => {}
    }
}
