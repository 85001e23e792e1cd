//! Checks of `scopes`: the templates' placeholders and the scope operation types.

use std::collections::BTreeSet;

use super::problems::Problems;
use crate::model::Spec;
use crate::vocabulary::{
    MODULE_PLACEHOLDER, MODULE_TEMPLATE, OPERATION_PLACEHOLDER, RESOURCE_TEMPLATE,
};

/// Checks the scope templates and the scope operation types.
pub fn check_scopes(spec: &Spec, problems: &mut Problems<'_>) {
    let scopes = &spec.scopes;
    for (key, template, needed) in [
        (
            "scopes.module",
            &scopes.module,
            &[MODULE_PLACEHOLDER, OPERATION_PLACEHOLDER][..],
        ),
        (
            "scopes.resource",
            &scopes.resource,
            &[OPERATION_PLACEHOLDER][..],
        ),
    ] {
        for placeholder in needed {
            if !template.contains(placeholder) {
                problems.add(
                    key,
                    format!("{template:?} lacks the placeholder {placeholder}"),
                );
            }
        }
    }
    for (name, template) in &scopes.others {
        let key = format!("scopes.others.{name}");
        if [MODULE_TEMPLATE, RESOURCE_TEMPLATE].contains(&name.as_str()) {
            problems.add(&key, format!("{name:?} is the name of a built-in template"));
        }
        if !template.contains(OPERATION_PLACEHOLDER) {
            problems.add(
                &key,
                format!("{template:?} lacks the placeholder {OPERATION_PLACEHOLDER}"),
            );
        }
    }
    let mut names = BTreeSet::new();
    for (index, operation) in scopes.operations.iter().enumerate() {
        let path = format!("scopes.operations[{index}].name");
        if operation.name.is_empty() || !operation.name.bytes().all(|b| b.is_ascii_uppercase()) {
            problems.add(
                &path,
                format!("{:?} must be upper-case letters", operation.name),
            );
        }
        if !names.insert(operation.name.as_str()) {
            problems.add(
                &path,
                format!("scope operation {:?} is listed twice", operation.name),
            );
        }
    }
    for (index, operation) in scopes.operations.iter().enumerate() {
        for (implied_index, implied) in operation.implies.iter().enumerate() {
            let path = format!("scopes.operations[{index}].implies[{implied_index}]");
            if !names.contains(implied.as_str()) {
                problems.add(&path, format!("{implied:?} is not in scopes.operations"));
            }
            if *implied == operation.name {
                problems.add(&path, "an operation type implies itself already");
            }
        }
    }
}
