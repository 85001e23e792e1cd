//! Which documented cases of an error code apply to an operation, and their resolution text
//! for it: a case may be limited to some operations, and `{scopes}` in a resolution becomes the
//! scopes that operation needs.

use crate::model::{ErrorCase, Operation, Spec};
use crate::vocabulary::{
    MODULE_TEMPLATE, OPERATION_PLACEHOLDER, SCOPES_PLACEHOLDER, operation_scope_templates,
    scope_templates,
};

/// The cases of `code` that apply to the operation `op_name`, in table order.
pub fn cases_for<'a>(
    spec: &'a Spec,
    op_name: &'a str,
    code: &str,
) -> impl Iterator<Item = &'a ErrorCase> + 'a {
    spec.errors
        .get(code)
        .into_iter()
        .flatten()
        .filter(move |case| applies_to(case, op_name))
}

/// Whether a case applies to the operation `op_name`.
pub fn applies_to(case: &ErrorCase, op_name: &str) -> bool {
    case.operations.is_empty() || case.operations.iter().any(|name| name == op_name)
}

/// A case's resolution for `op`, with `{scopes}` replaced by the scopes that allow it.
pub fn resolution_for(spec: &Spec, op: &Operation, case: &ErrorCase) -> String {
    let resolution = case.resolution.trim();
    if !resolution.contains(SCOPES_PLACEHOLDER) {
        return resolution.to_owned();
    }
    resolution.replace(SCOPES_PLACEHOLDER, &scope_text(spec, op))
}

/// The scopes that allow `op`, as a sentence fragment: the all-scope (for an operation that
/// needs the module scope), or the scopes of its templates for one of its operation types.
fn scope_text(spec: &Spec, op: &Operation) -> String {
    let scoped: Vec<&str> = op
        .scope_operations
        .iter()
        .map(String::as_str)
        .filter(|name| {
            spec.scopes
                .operations
                .iter()
                .any(|known| known.name == *name)
        })
        .collect();
    let templates = scope_templates(spec);
    let needed = operation_scope_templates(op);
    let set = |operation: &str| {
        let scopes: Vec<String> = (needed.iter())
            .filter_map(|name| templates.iter().find(|(known, _)| known == name))
            .map(|(_, template)| template.replace(OPERATION_PLACEHOLDER, operation))
            .collect();
        scopes.join(" with ")
    };
    let mut sets: Vec<String> = Vec::new();
    if needed.contains(&MODULE_TEMPLATE) {
        sets.push(spec.scopes.all.clone());
    }
    sets.extend(scoped.into_iter().map(set));
    sets.join(", or ")
}
