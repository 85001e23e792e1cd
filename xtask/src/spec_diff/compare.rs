//! Comparing the two sides: OpenAPI operations are matched to spec operations by method and
//! path shape (path parameters by position, whatever their names; several spec operations
//! may share one OpenAPI operation and are compared as one), then each kind of fact is
//! compared as sets. Scopes are compared without regard to case.

use std::collections::{BTreeMap, BTreeSet};

use super::facts::{Facts, Location, OpenApiOperation, Role, SpecOperation};
use super::report::{Agreement, Difference, Group, Item, Report};

/// Field lists longer than this are agreed on by count, not by name.
const MAX_NAMED_FIELDS: usize = 8;

/// The title of the group that lists operations only one side has.
pub const UNMATCHED_TITLE: &str = "operations";

/// Everything that differs between the OpenAPI operations and the spec operations.
pub fn compare(openapi: &[OpenApiOperation], spec: &[SpecOperation]) -> Report {
    let mut openapi: Vec<&OpenApiOperation> = openapi.iter().collect();
    openapi.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    let mut spec: Vec<&SpecOperation> = spec.iter().collect();
    spec.sort_by(|a, b| a.name.cmp(&b.name));

    let mut unmatched = Vec::new();
    let mut only_in_openapi = Vec::new();
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
            only_in_openapi.push(operation.title());
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
            agreements: agreements(&operation.facts, &merged, &labels),
            notes: scope_comparison(&operation.facts, &merged).notes,
        });
    }
    if !only_in_openapi.is_empty() {
        unmatched.insert(
            0,
            Difference::OnlyInOpenApi(Item::Operations(only_in_openapi.len())),
        );
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
                ..Group::default()
            },
        );
    }
    Report {
        groups,
        only_in_openapi,
    }
}

/// What differs between what the OpenAPI description and the spec say about one operation:
/// the path parameter count, then parameters, what the success body is, response fields,
/// statuses, error codes and scopes, each sorted by name. `labels` names the spec type of each
/// response role.
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
    if !openapi.bodies.is_empty() {
        for body in openapi.bodies.symmetric_difference(&spec.bodies) {
            let item = Item::SuccessBody(*body);
            found.push(if openapi.bodies.contains(body) {
                Difference::OnlyInOpenApi(item)
            } else {
                Difference::OnlyInSpec(item)
            });
        }
    }
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
    let scopes = scope_comparison(openapi, spec);
    found.extend(
        (scopes.only_in_openapi.into_iter())
            .map(|scope| Difference::OnlyInOpenApi(Item::Scope(scope))),
    );
    found.extend(
        (scopes.only_in_spec.into_iter()).map(|scope| Difference::OnlyInSpec(Item::Scope(scope))),
    );
    found
}

/// What both sides say alike about one operation, by kind of fact, in the order of
/// [`differences`]. A kind with nothing in common is left out.
pub fn agreements(
    openapi: &Facts,
    spec: &Facts,
    labels: &BTreeMap<Role, String>,
) -> Vec<Agreement> {
    let mut found = Vec::new();
    let mut agree = |kind: String, values: Vec<String>| {
        if !values.is_empty() {
            found.push(Agreement { kind, values });
        }
    };
    if openapi.path_params == spec.path_params {
        agree(
            "path parameters".to_owned(),
            vec![openapi.path_params.to_string()],
        );
    }
    agree(
        "parameters".to_owned(),
        (openapi.params.intersection(&spec.params))
            .map(|(name, location)| format!("{name} ({})", location.as_str()))
            .collect(),
    );
    agree(
        "success body".to_owned(),
        (openapi.bodies.intersection(&spec.bodies))
            .map(|body| body.as_str().to_owned())
            .collect(),
    );
    for (role, fields) in &openapi.fields {
        let Some(theirs) = spec.fields.get(role) else {
            continue;
        };
        let of = labels
            .get(role)
            .cloned()
            .unwrap_or_else(|| role.json_location().to_owned());
        let shared: Vec<String> = fields.intersection(theirs).cloned().collect();
        let values = if shared.len() > MAX_NAMED_FIELDS {
            vec![format!("{} fields", shared.len())]
        } else {
            shared
        };
        agree(format!("response fields of {of}"), values);
    }
    agree(
        "statuses".to_owned(),
        openapi
            .statuses
            .intersection(&spec.statuses)
            .cloned()
            .collect(),
    );
    agree(
        "error codes".to_owned(),
        (openapi.error_codes.intersection(&spec.error_codes))
            .cloned()
            .collect(),
    );
    agree("scopes".to_owned(), scope_comparison(openapi, spec).agreed);
    found
}

/// How the scopes of the two sides compare, without regard to case.
#[derive(Debug, Default)]
struct ScopeComparison {
    /// The OpenAPI scopes the spec accepts, as the OpenAPI file writes them.
    agreed: Vec<String>,
    /// The OpenAPI scopes the spec does not accept.
    only_in_openapi: Vec<String>,
    /// The scopes the spec asks for that the OpenAPI file does not list.
    only_in_spec: Vec<String>,
    /// One line per agreed scope the two sides spell in different cases.
    notes: Vec<String>,
}

/// Compares the scopes an OpenAPI operation lists with those the spec accepts and asks for;
/// nothing when the OpenAPI operation lists none.
fn scope_comparison(openapi: &Facts, spec: &Facts) -> ScopeComparison {
    let mut found = ScopeComparison::default();
    if openapi.scopes.is_empty() {
        return found;
    }
    for scope in &openapi.scopes {
        match spec.scopes.iter().find(|s| s.eq_ignore_ascii_case(scope)) {
            Some(ours) => {
                if ours != scope {
                    found.notes.push(format!(
                        "scope {scope} in OpenAPI is {ours} in the spec (scopes are compared without regard to case)"
                    ));
                }
                found.agreed.push(scope.clone());
            }
            None => found.only_in_openapi.push(scope.clone()),
        }
    }
    found.only_in_spec = (spec.requested_scopes.iter())
        .filter(|ours| !openapi.scopes.iter().any(|s| s.eq_ignore_ascii_case(ours)))
        .cloned()
        .collect();
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
