//! The spec's vocabulary, shared by resolution, the checks and emission: the placeholders its
//! templates use, the names generated code reserves, and how field and scope names are read.

use crate::ident;
use crate::model::{Field, Spec};

/// The placeholder every path template may use for the API version.
pub const VERSION_PLACEHOLDER: &str = "version";

/// The placeholder in the scope templates that stands for a module's scope name.
pub const MODULE_PLACEHOLDER: &str = "{module}";

/// The placeholder in the scope templates that stands for a scope operation type.
pub const OPERATION_PLACEHOLDER: &str = "{operation}";

/// The name of the per-module scope template among an operation's `scopes`.
pub const MODULE_TEMPLATE: &str = "module";

/// The name of the resource scope template among an operation's `scopes`.
pub const RESOURCE_TEMPLATE: &str = "resource";

/// The scope templates of an operation that names none.
pub const DEFAULT_SCOPE_TEMPLATES: &[&str] = &[MODULE_TEMPLATE, RESOURCE_TEMPLATE];

/// Every scope template of the spec by name, in order: `module`, `resource`, then
/// `scopes.others` (sorted by name).
pub fn scope_templates(spec: &Spec) -> Vec<(&str, &str)> {
    let mut templates = vec![
        (MODULE_TEMPLATE, spec.scopes.module.as_str()),
        (RESOURCE_TEMPLATE, spec.scopes.resource.as_str()),
    ];
    templates.extend((spec.scopes.others.iter()).map(|(name, t)| (name.as_str(), t.as_str())));
    templates
}

/// The names of the scope templates an operation needs granted.
pub fn operation_scope_templates(op: &crate::model::Operation) -> Vec<&str> {
    match &op.scopes {
        Some(names) => names.iter().map(String::as_str).collect(),
        None => DEFAULT_SCOPE_TEMPLATES.to_vec(),
    }
}

/// The placeholder in a resolution that stands for the operation's scopes.
pub const SCOPES_PLACEHOLDER: &str = "{scopes}";

/// The Rust field every response type has for the fields the spec does not name.
pub const EXTRA_FIELD: &str = "extra";

/// Primitive field types and the Rust types they become.
pub const PRIMITIVE_TYPES: &[&str] = &[
    "string",
    "id",
    "datetime",
    "bool",
    "integer",
    "integer_string",
    "json",
];

/// The variant every generated error enum has for codes the spec does not list.
pub const UNKNOWN_ERROR_VARIANT: &str = "Unknown";

/// Names an operation cannot take because the generated `Client` already has such a method.
pub const RESERVED_OPERATION_NAMES: &[&str] = &["builder", "runtime"];

/// The Rust name of a field: its explicit `name`, or its wire name in snake_case.
pub fn field_name(field: &Field) -> Option<String> {
    match &field.name {
        Some(name) if ident::is_snake(name) => Some(name.clone()),
        Some(_) => None,
        None => ident::snake(&field.wire),
    }
}

/// The narrowest of an operation's accepted scope types, by its index in `accepted`: the one
/// every other accepted type grants. This is the scope a client should ask for.
pub fn narrowest_scope(spec: &Spec, accepted: &[String]) -> Option<usize> {
    accepted.iter().position(|candidate| {
        accepted
            .iter()
            .all(|other| scope_grants(spec, other, candidate))
    })
}

/// Whether a scope of type `granted` allows an operation needing type `needed`.
fn scope_grants(spec: &Spec, granted: &str, needed: &str) -> bool {
    granted == needed
        || spec
            .scopes
            .operations
            .iter()
            .any(|o| o.name == granted && o.implies.iter().any(|i| i == needed))
}
