//! Comparing the two sides: OpenAPI operations are matched to spec operations by method and
//! path shape (several spec operations may share one OpenAPI operation and are compared as
//! one), then each kind of fact is compared as sets.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::{Facts, Location, OpenApiOperation, Role, SpecOperation};
use super::report::{Difference, Group, Item, Report};

/// The title of the group that lists operations only one side has.
pub const UNMATCHED_TITLE: &str = "operations";

/// Everything that differs between the OpenAPI operations and the spec operations.
pub fn compare(openapi: &[OpenApiOperation], spec: &[SpecOperation]) -> Report {
    let mut openapi: Vec<&OpenApiOperation> = openapi.iter().collect();
    openapi.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    let mut spec: Vec<&SpecOperation> = spec.iter().collect();
    spec.sort_by(|a, b| a.name.cmp(&b.name));

    let mut unmatched = Vec::new();
    let mut groups = Vec::new();
    let mut matched = BTreeSet::new();
    for operation in openapi {
        let partners: Vec<&SpecOperation> = spec
            .iter()
            .copied()
            .filter(|candidate| {
                candidate.method == operation.method && candidate.shape == operation.shape
            })
            .collect();
        if partners.is_empty() {
            unmatched.push(Difference::OnlyInOpenApi(Item::Operation(
                operation.title(),
            )));
            continue;
        }
        let mut merged = Facts::default();
        let mut type_names: BTreeMap<Role, BTreeSet<&str>> = BTreeMap::new();
        for partner in &partners {
            merged.merge(&partner.facts);
            for (role, name) in &partner.type_names {
                type_names.entry(*role).or_default().insert(name);
            }
            matched.insert(partner.name.as_str());
        }
        let labels = type_names
            .into_iter()
            .map(|(role, names)| (role, names.into_iter().collect::<Vec<_>>().join("/")))
            .collect();
        let names: Vec<&str> = partners.iter().map(|p| p.name.as_str()).collect();
        groups.push(Group {
            title: format!("{} vs {}", operation.title(), names.join(", ")),
            differences: differences(&operation.facts, &merged, &labels),
        });
    }
    for operation in spec {
        if !matched.contains(operation.name.as_str()) {
            unmatched.push(Difference::OnlyInSpec(Item::Operation(
                operation.name.clone(),
            )));
        }
    }
    if !unmatched.is_empty() {
        groups.insert(
            0,
            Group {
                title: UNMATCHED_TITLE.to_owned(),
                differences: unmatched,
            },
        );
    }
    Report { groups }
}

/// What differs between what the OpenAPI description and the spec say about one operation:
/// the path parameter count, then parameters, response fields, statuses and error codes, each
/// sorted by name. `labels` names the spec type of each response role.
pub fn differences(
    openapi: &Facts,
    spec: &Facts,
    labels: &BTreeMap<Role, String>,
) -> Vec<Difference> {
    let mut found = Vec::new();
    if openapi.path_params != spec.path_params {
        found.push(Difference::PathParameterCount {
            openapi: openapi.path_params,
            spec: spec.path_params,
        });
    }
    parameter_differences(openapi, spec, &mut found);
    let roles: BTreeSet<Role> = openapi
        .fields
        .keys()
        .chain(spec.fields.keys())
        .copied()
        .collect();
    let none = BTreeSet::new();
    for role in roles {
        let of = labels
            .get(&role)
            .cloned()
            .unwrap_or_else(|| role.json_location().to_owned());
        set_differences(
            openapi.fields.get(&role).unwrap_or(&none),
            spec.fields.get(&role).unwrap_or(&none),
            |field| Item::ResponseField {
                of: of.clone(),
                field,
            },
            &mut found,
        );
    }
    set_differences(&openapi.statuses, &spec.statuses, Item::Status, &mut found);
    set_differences(
        &openapi.error_codes,
        &spec.error_codes,
        Item::ErrorCode,
        &mut found,
    );
    found
}

/// Parameters one side has and the other lacks, or has in another place.
fn parameter_differences(openapi: &Facts, spec: &Facts, found: &mut Vec<Difference>) {
    let mut by_name: BTreeMap<&str, (Vec<Location>, Vec<Location>)> = BTreeMap::new();
    for (name, location) in &openapi.params {
        by_name.entry(name).or_default().0.push(*location);
    }
    for (name, location) in &spec.params {
        by_name.entry(name).or_default().1.push(*location);
    }
    for (name, (in_openapi, in_spec)) in by_name {
        let parameter = |location| Item::Parameter {
            name: name.to_owned(),
            location,
        };
        if in_openapi == in_spec {
            continue;
        } else if in_spec.is_empty() {
            found.extend(
                in_openapi
                    .into_iter()
                    .map(|l| Difference::OnlyInOpenApi(parameter(l))),
            );
        } else if in_openapi.is_empty() {
            found.extend(
                in_spec
                    .into_iter()
                    .map(|l| Difference::OnlyInSpec(parameter(l))),
            );
        } else {
            found.push(Difference::LocationDiffers {
                name: name.to_owned(),
                openapi: in_openapi,
                spec: in_spec,
            });
        }
    }
}

/// The members of `openapi` not in `spec` and the reverse, in name order.
fn set_differences(
    openapi: &BTreeSet<String>,
    spec: &BTreeSet<String>,
    item: impl Fn(String) -> Item,
    found: &mut Vec<Difference>,
) {
    for name in openapi.union(spec) {
        match (openapi.contains(name), spec.contains(name)) {
            (true, false) => found.push(Difference::OnlyInOpenApi(item(name.clone()))),
            (false, true) => found.push(Difference::OnlyInSpec(item(name.clone()))),
            _ => {}
        }
    }
}
