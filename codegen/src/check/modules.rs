//! Checks of `modules`: the built-in modules' API names, scope names and variants, and the
//! custom-module settings.

use std::collections::{BTreeMap, BTreeSet};

use super::problems::Problems;
use crate::resolved::Resolution;

/// Checks the built-in modules and the custom-module settings.
pub fn check_modules(resolution: &Resolution<'_>, problems: &mut Problems<'_>) {
    let spec = resolution.spec;
    let mut api_names = BTreeSet::new();
    let mut variants = BTreeMap::new();
    if spec.modules.builtin.is_empty() {
        problems.add("modules.builtin", "at least one module is needed");
    }
    for (index, made) in resolution.modules.iter().enumerate() {
        let module = made.def;
        let path = format!("modules.builtin[{index}]");
        if !is_module_name(&module.api_name) {
            problems.add(
                format!("{path}.api_name"),
                format!(
                    "{:?} is not a module API name (letters, digits, '_')",
                    module.api_name
                ),
            );
        }
        if !api_names.insert(module.api_name.to_ascii_lowercase()) {
            problems.add(
                format!("{path}.api_name"),
                format!("module {:?} is listed twice", module.api_name),
            );
        }
        if let Some(variant) = &made.ident
            && let Some(other) = variants.insert(variant.to_string(), module.api_name.clone())
            && other != module.api_name
        {
            problems.add(
                format!("{path}.api_name"),
                format!(
                    "{:?} and {other:?} both become the variant {variant}",
                    module.api_name
                ),
            );
        }
        if !is_scope_word(&module.scope_name) {
            problems.add(
                format!("{path}.scope_name"),
                format!(
                    "{:?} is not a scope module name (lower-case letters)",
                    module.scope_name
                ),
            );
        }
    }
    if let Some(custom) = &spec.modules.custom {
        if !is_scope_word(&custom.scope_name) {
            problems.add(
                "modules.custom.scope_name",
                format!(
                    "{:?} is not a scope module name (lower-case letters)",
                    custom.scope_name
                ),
            );
        }
        if variants.contains_key("Custom") {
            problems.add(
                "modules.custom",
                "a built-in module already uses the variant Custom",
            );
        }
    }
}

/// Whether `value` is a module API name: a letter, then letters, digits and `_`.
fn is_module_name(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `value` is a module's name in scopes: lower-case letters.
fn is_scope_word(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase())
}
