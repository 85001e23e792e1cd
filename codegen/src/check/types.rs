//! Checks of `types`: type names, field names (as the resolution made them) and field types,
//! and types that would contain themselves.

use std::collections::BTreeSet;

use super::problems::Problems;
use crate::model::Spec;
use crate::resolved::Resolution;
use crate::vocabulary::{EXTRA_FIELD, PRIMITIVE_TYPES};

/// Checks every response type.
pub fn check_types(resolution: &Resolution<'_>, problems: &mut Problems<'_>) {
    let spec = resolution.spec;
    for (name, ty) in &resolution.types {
        let path = format!("types.{name}");
        if ty.ident.as_ref().is_none_or(|ident| ident != name) {
            let hint = (ty.ident.as_ref())
                .map(|s| format!(", e.g. {:?}", s.to_string()))
                .unwrap_or_default();
            problems.add(
                &path,
                format!("type name {name:?} must be UpperCamelCase{hint}"),
            );
        }
        if PRIMITIVE_TYPES.contains(name) {
            problems.add(&path, format!("{name:?} is a primitive type name"));
        }
        let mut wires = BTreeSet::new();
        let mut rust_names = BTreeSet::new();
        for (index, (rust, field)) in ty.fields.iter().enumerate() {
            let field_path = format!("{path}.fields[{index}]");
            if !wires.insert(field.wire.as_str()) {
                problems.add(
                    &field_path,
                    format!("field {:?} is listed twice", field.wire),
                );
            }
            match rust {
                Some(rust) if rust == EXTRA_FIELD => problems.add(
                    &field_path,
                    format!(
                        "the Rust field name `{EXTRA_FIELD}` is reserved for the fields the spec does not name; set another `name`"
                    ),
                ),
                Some(rust) => {
                    if !rust_names.insert(rust.clone()) {
                        problems.add(
                            &field_path,
                            format!("two fields become the Rust field {rust}"),
                        );
                    }
                }
                None => problems.add(
                    &field_path,
                    format!("{:?} gives no Rust field name; set `name`", field.wire),
                ),
            }
            if !PRIMITIVE_TYPES.contains(&field.ty.as_str()) && !spec.types.contains_key(&field.ty)
            {
                problems.add(
                    format!("{field_path}.type"),
                    format!(
                        "unknown type {:?} (use one of {PRIMITIVE_TYPES:?} or a type in `types`)",
                        field.ty
                    ),
                );
            }
        }
        if let Some(cycle) = find_cycle(spec, name) {
            problems.add(
                &path,
                format!("type {name} contains itself ({cycle}), so it would have infinite size"),
            );
        }
    }
}

/// A chain of fields by which type `start` contains itself, if any. Optional fields count too:
/// `Option<T>` inside `T` still has infinite size, and the spec has no way to box a field.
fn find_cycle(spec: &Spec, start: &str) -> Option<String> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut visited = BTreeSet::new();
    while let Some((current, trail)) = stack.pop() {
        if !visited.insert(current.clone()) {
            continue;
        }
        let Some(def) = spec.types.get(&current) else {
            continue;
        };
        for field in &def.fields {
            let step = format!("{current}.{}", field.wire);
            if field.ty == start {
                let mut chain = trail[1..].to_vec();
                chain.push(step);
                return Some(format!("{start} -> {} -> {start}", chain.join(" -> ")));
            }
            if spec.types.contains_key(&field.ty) {
                let mut next = trail.clone();
                next.push(step);
                stack.push((field.ty.clone(), next));
            }
        }
    }
    None
}
