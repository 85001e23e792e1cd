//! What our spec says about each operation in one API version: the parameters that exist in
//! it and where they go in it, the fields of its response types, its statuses and error codes.

use std::collections::{BTreeMap, BTreeSet};

use zoho_crm_codegen::error_cases::applies_to;
use zoho_crm_codegen::model::{Operation, ParamIn, ResponseKind, Spec};
use zoho_crm_codegen::vocabulary::{
    MODULE_TEMPLATE, OPERATION_PLACEHOLDER, narrowest_scope, operation_scope_templates,
    scope_templates,
};

use super::facts::{Body, Facts, Location, Role, SpecOperation, path_shape};

/// Every operation of `spec` as it is in `version` (one of `spec.api.versions`), by name.
pub fn operations(spec: &Spec, version: &str) -> Vec<SpecOperation> {
    spec.operations
        .iter()
        .map(|(name, operation)| {
            let mut type_names = BTreeMap::new();
            let response = &operation.response;
            let roles = match response.kind {
                ResponseKind::List => {
                    vec![(Role::Item, &response.item), (Role::Info, &response.info)]
                }
                ResponseKind::Action | ResponseKind::ActionList => {
                    vec![(Role::Details, &response.details)]
                }
                ResponseKind::Binary => Vec::new(),
            };
            let mut fields = BTreeMap::new();
            for (role, type_name) in roles {
                if let Some(type_name) = type_name {
                    type_names.insert(role, type_name.clone());
                    let mut paths = BTreeSet::new();
                    field_paths(spec, type_name, "", &mut Vec::new(), &mut paths);
                    fields.insert(role, paths);
                }
            }
            let (path_params, params) = parameters(spec, operation, version);
            let body = match response.kind {
                ResponseKind::Binary => Body::Binary,
                ResponseKind::Action | ResponseKind::ActionList | ResponseKind::List => Body::Json,
            };
            let (scopes, requested_scopes) = scopes(spec, operation);
            SpecOperation {
                name: name.clone(),
                method: operation.method.as_str().to_owned(),
                shape: path_shape(&operation.path),
                facts: Facts {
                    path_params,
                    params,
                    fields,
                    statuses: statuses(spec, name, operation),
                    error_codes: operation.errors.iter().cloned().collect(),
                    bodies: BTreeSet::from([body]),
                    scopes,
                    requested_scopes,
                },
                type_names,
            }
        })
        .collect()
}

/// The number of path parameters, and the other parameters that exist in `version` with
/// where they go in it (a form parameter whose `query_in` names the version goes in the query).
fn parameters(
    spec: &Spec,
    operation: &Operation,
    version: &str,
) -> (usize, BTreeSet<(String, Location)>) {
    let position = |v: &str| spec.api.versions.iter().position(|known| known == v);
    let exists = |since: Option<&String>| match since {
        None => true,
        Some(since) => matches!(
            (position(since), position(version)),
            (Some(since), Some(version)) if since <= version
        ),
    };
    let mut path_params = 0;
    let mut params = BTreeSet::new();
    for param in &operation.params {
        let location = match param.location {
            ParamIn::Path => {
                path_params += 1;
                continue;
            }
            ParamIn::Query => Location::Query,
            ParamIn::Form if param.query_in.iter().any(|v| v == version) => Location::Query,
            ParamIn::Form => Location::Form,
            ParamIn::Json => Location::Json,
        };
        if exists(param.since.as_ref()) {
            params.insert((param.name.clone(), location));
        }
    }
    (path_params, params)
}

/// The scopes that allow `operation` (each of its templates for each of its scope operation
/// types, `{module}` left in, and the scope that grants everything when it needs the module
/// scope), and those it asks for (each template for its narrowest type).
fn scopes(spec: &Spec, operation: &Operation) -> (BTreeSet<String>, BTreeSet<String>) {
    let known = scope_templates(spec);
    let needed = operation_scope_templates(operation);
    let templates: Vec<&str> = needed
        .iter()
        .filter_map(|name| known.iter().find(|(known, _)| known == name))
        .map(|(_, template)| *template)
        .collect();
    let render = |kind: &String| -> Vec<String> {
        (templates.iter())
            .map(|template| template.replace(OPERATION_PLACEHOLDER, kind))
            .collect()
    };
    let mut accepted: BTreeSet<String> =
        operation.scope_operations.iter().flat_map(render).collect();
    if needed.contains(&MODULE_TEMPLATE) {
        accepted.insert(spec.scopes.all.clone());
    }
    let requested = narrowest_scope(spec, &operation.scope_operations)
        .and_then(|index| operation.scope_operations.get(index))
        .map(|kind| render(kind).into_iter().collect())
        .unwrap_or_default();
    (accepted, requested)
}

/// The success and empty statuses, and the status of every error case that applies to the
/// operation `name`.
fn statuses(spec: &Spec, name: &str, operation: &Operation) -> BTreeSet<String> {
    let response = &operation.response;
    let errors = operation
        .errors
        .iter()
        .filter_map(|code| spec.errors.get(code))
        .flatten()
        .filter(|case| applies_to(case, name))
        .map(|case| case.status);
    response
        .success_status
        .iter()
        .chain(&response.empty_status)
        .copied()
        .chain(errors)
        .map(|status| status.to_string())
        .collect()
}

/// The wire names of the fields of `type_name`, and of the fields of the types they hold as
/// dotted paths below them (`Owner.id`). `visiting` holds the types being walked, so a type
/// that holds itself ends the walk rather than looping.
fn field_paths(
    spec: &Spec,
    type_name: &str,
    prefix: &str,
    visiting: &mut Vec<String>,
    out: &mut BTreeSet<String>,
) {
    let Some(type_def) = spec.types.get(type_name) else {
        return;
    };
    visiting.push(type_name.to_owned());
    for field in &type_def.fields {
        let path = format!("{prefix}{}", field.wire);
        if spec.types.contains_key(&field.ty) && !visiting.contains(&field.ty) {
            field_paths(spec, &field.ty, &format!("{path}."), visiting, out);
        }
        out.insert(path);
    }
    visiting.pop();
}
