//! Checks that go beyond the shape of the YAML: names that must be unique, references that must
//! resolve, identifiers Rust can use, templates that must be complete and limits that must be
//! possible. All problems are collected, each with its YAML path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::SpecError;
use crate::error_cases::applies_to;
use crate::ident;
use crate::model::{Operation, ParamIn, ParamType, ResponseKind, Spec};
use crate::resolved::{Resolved, resolve};

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

/// The placeholder every path template may use for the API version.
pub const VERSION_PLACEHOLDER: &str = "version";

struct Problems<'a> {
    file: &'a Path,
    found: Vec<SpecError>,
}

impl Problems<'_> {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.found.push(SpecError {
            file: self.file.to_owned(),
            location: None,
            path: path.into(),
            message: message.into(),
        });
    }
}

/// Validates a loaded spec and resolves it for the emitters; returns every problem found.
pub fn validate<'a>(file: &Path, spec: &'a Spec) -> Result<Resolved<'a>, Vec<SpecError>> {
    let mut problems = Problems {
        file,
        found: Vec::new(),
    };
    check_api(spec, &mut problems);
    check_modules(spec, &mut problems);
    check_scopes(spec, &mut problems);
    check_types(spec, &mut problems);
    check_errors(spec, &mut problems);
    check_operations(spec, &mut problems);
    if !problems.found.is_empty() {
        return Err(problems.found);
    }
    let resolved = resolve(spec, &mut |path, message| problems.add(path, message));
    if problems.found.is_empty() {
        Ok(resolved)
    } else {
        Err(problems.found)
    }
}

fn check_api(spec: &Spec, problems: &mut Problems<'_>) {
    if spec.api.default_concurrency == 0 {
        problems.add(
            "api.default_concurrency",
            "a client needs at least 1 call in flight",
        );
    }
    if !spec
        .data_centers
        .iter()
        .any(|dc| dc.id == spec.api.default_data_center)
    {
        problems.add(
            "api.default_data_center",
            format!("{:?} is not in data_centers", spec.api.default_data_center),
        );
    }
    if !spec
        .environments
        .iter()
        .any(|env| env.id == spec.api.default_environment)
    {
        problems.add(
            "api.default_environment",
            format!("{:?} is not in environments", spec.api.default_environment),
        );
    }
    for (index, code) in spec.auth.refresh_on.iter().enumerate() {
        if !spec.errors.contains_key(code) {
            problems.add(
                format!("auth.refresh_on[{index}]"),
                format!("error code {code:?} is not in the errors table"),
            );
        }
    }
    let endpoint = &spec.auth.token_endpoint;
    if !endpoint.path.starts_with('/') {
        problems.add("auth.token_endpoint.path", "the path must start with '/'");
    }
    if endpoint.default_lifetime_seconds == 0 {
        problems.add(
            "auth.token_endpoint.default_lifetime_seconds",
            "a token that lives 0 seconds is never usable",
        );
    }
    let mut token_errors = BTreeSet::new();
    for (index, error) in endpoint.errors.iter().enumerate() {
        if error.error.trim().is_empty() || !token_errors.insert(error.error.as_str()) {
            problems.add(
                format!("auth.token_endpoint.errors[{index}].error"),
                format!("{:?} is empty or listed twice", error.error),
            );
        }
    }
    check_regions(spec, problems);
    let mut versions = BTreeSet::new();
    for (index, version) in spec.api.versions.iter().enumerate() {
        if !is_version(version) || !versions.insert(version.as_str()) {
            problems.add(
                format!("api.versions[{index}]"),
                format!("{version:?} is not a version like v2 or v2.1, or is listed twice"),
            );
        }
    }
    if !spec.api.versions.contains(&spec.api.default_version) {
        problems.add(
            "api.default_version",
            format!("{:?} is not in api.versions", spec.api.default_version),
        );
    }
    for (index, module) in spec.modules.builtin.iter().enumerate() {
        if let Some(since) = &module.since
            && !spec.api.versions.contains(since)
        {
            problems.add(
                format!("modules.builtin[{index}].since"),
                format!("{since:?} is not in api.versions"),
            );
        }
    }
    if !is_version(&spec.api.default_version) {
        problems.add(
            "api.default_version",
            format!(
                "{:?} is not a version like v2 or v2.1",
                spec.api.default_version
            ),
        );
    }
    if !is_token(&spec.auth.header) {
        problems.add(
            "auth.header",
            format!("{:?} is not a valid header name", spec.auth.header),
        );
    }
    if !is_token(&spec.auth.scheme) {
        problems.add(
            "auth.scheme",
            format!("{:?} is not a valid auth scheme", spec.auth.scheme),
        );
    }
}

fn check_regions(spec: &Spec, problems: &mut Problems<'_>) {
    let mut variants = BTreeSet::new();
    if spec.data_centers.is_empty() {
        problems.add("data_centers", "at least one data centre is needed");
    }
    for (index, dc) in spec.data_centers.iter().enumerate() {
        let path = format!("data_centers[{index}]");
        if dc.id.is_empty() || !dc.id.bytes().all(|b| b.is_ascii_lowercase()) {
            problems.add(
                format!("{path}.id"),
                format!("{:?} must be lower-case letters", dc.id),
            );
        }
        if let Some(variant) = ident::upper_camel(&dc.id)
            && !variants.insert(variant)
        {
            problems.add(
                format!("{path}.id"),
                format!("data centre {:?} is listed twice", dc.id),
            );
        }
        if !dc.accounts_url.starts_with("https://") || dc.accounts_url.len() <= "https://".len() {
            problems.add(
                format!("{path}.accounts_url"),
                format!("{:?} must be an https URL", dc.accounts_url),
            );
        }
        if !is_host(&dc.api_domain) {
            problems.add(
                format!("{path}.api_domain"),
                format!("{:?} is not a host name", dc.api_domain),
            );
        }
    }
    let mut ids = BTreeSet::new();
    if spec.environments.is_empty() {
        problems.add("environments", "at least one environment is needed");
    }
    for (index, env) in spec.environments.iter().enumerate() {
        let path = format!("environments[{index}]");
        if env.id.is_empty() || !env.id.bytes().all(|b| b.is_ascii_lowercase()) {
            problems.add(
                format!("{path}.id"),
                format!("{:?} must be lower-case letters", env.id),
            );
        }
        if !ids.insert(env.id.as_str()) {
            problems.add(
                format!("{path}.id"),
                format!("environment {:?} is listed twice", env.id),
            );
        }
        if !is_host(&env.host_prefix) || env.host_prefix.contains('.') {
            problems.add(
                format!("{path}.host_prefix"),
                format!("{:?} is not a host label", env.host_prefix),
            );
        }
    }
}

fn is_host(value: &str) -> bool {
    !value.is_empty()
        && value.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn check_modules(spec: &Spec, problems: &mut Problems<'_>) {
    let mut api_names = BTreeSet::new();
    let mut variants = BTreeMap::new();
    if spec.modules.builtin.is_empty() {
        problems.add("modules.builtin", "at least one module is needed");
    }
    for (index, module) in spec.modules.builtin.iter().enumerate() {
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
        if let Some(variant) = ident::upper_camel(&module.api_name)
            && let Some(other) = variants.insert(variant.clone(), module.api_name.clone())
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

fn check_scopes(spec: &Spec, problems: &mut Problems<'_>) {
    let scopes = &spec.scopes;
    for (key, template, needed) in [
        (
            "scopes.module",
            &scopes.module,
            &["{module}", "{operation}"][..],
        ),
        ("scopes.resource", &scopes.resource, &["{operation}"][..]),
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

/// Whether a scope of type `granted` allows an operation needing type `needed`.
pub fn scope_grants(spec: &Spec, granted: &str, needed: &str) -> bool {
    granted == needed
        || spec
            .scopes
            .operations
            .iter()
            .any(|o| o.name == granted && o.implies.iter().any(|i| i == needed))
}

/// The narrowest of an operation's accepted scope types: the one every other accepted type
/// grants. This is the scope a client should ask for.
pub fn narrowest_scope<'a>(spec: &Spec, accepted: &'a [String]) -> Option<&'a str> {
    accepted
        .iter()
        .find(|candidate| {
            accepted
                .iter()
                .all(|other| scope_grants(spec, other, candidate))
        })
        .map(String::as_str)
}

fn check_types(spec: &Spec, problems: &mut Problems<'_>) {
    for (name, def) in &spec.types {
        let path = format!("types.{name}");
        if !ident::is_upper_camel(name) {
            let hint = ident::upper_camel(name)
                .map(|s| format!(", e.g. {s:?}"))
                .unwrap_or_default();
            problems.add(
                &path,
                format!("type name {name:?} must be UpperCamelCase{hint}"),
            );
        }
        if PRIMITIVE_TYPES.contains(&name.as_str()) {
            problems.add(&path, format!("{name:?} is a primitive type name"));
        }
        let mut wires = BTreeSet::new();
        let mut rust_names = BTreeSet::new();
        for (index, field) in def.fields.iter().enumerate() {
            let field_path = format!("{path}.fields[{index}]");
            if !wires.insert(field.wire.as_str()) {
                problems.add(
                    &field_path,
                    format!("field {:?} is listed twice", field.wire),
                );
            }
            match field_name(field) {
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

/// The Rust name of a field: its explicit `name`, or its wire name in snake_case.
pub fn field_name(field: &crate::model::Field) -> Option<String> {
    match &field.name {
        Some(name) if ident::is_snake(name) => Some(name.clone()),
        Some(_) => None,
        None => ident::snake(&field.wire),
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

/// The variant every generated error enum has for codes the spec does not list.
pub const UNKNOWN_ERROR_VARIANT: &str = "Unknown";

/// Names an operation cannot take because the generated `Client` already has such a method.
pub const RESERVED_OPERATION_NAMES: &[&str] = &["builder", "runtime"];

fn check_errors(spec: &Spec, problems: &mut Problems<'_>) {
    let mut variants: BTreeMap<String, &str> = BTreeMap::new();
    for (code, cases) in &spec.errors {
        let path = format!("errors.{code}");
        let well_formed = code.bytes().any(|b| b.is_ascii_alphanumeric())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            problems.add(
                &path,
                format!("error code {code:?} must be SCREAMING_SNAKE_CASE"),
            );
        }
        if let Some(variant) = ident::upper_camel(code) {
            if variant == UNKNOWN_ERROR_VARIANT {
                problems.add(
                    &path,
                    format!(
                        "{code:?} would become the variant {UNKNOWN_ERROR_VARIANT}, which is reserved for codes the spec does not list"
                    ),
                );
            } else if let Some(other) = variants.insert(variant.clone(), code) {
                problems.add(
                    &path,
                    format!("{code:?} and {other:?} both become the variant {variant}"),
                );
            }
        }
        for (index, case) in cases.iter().enumerate() {
            let case_path = format!("{path}[{index}]");
            if !(400..=599).contains(&case.status) {
                problems.add(
                    format!("{case_path}.status"),
                    format!("{} is not an HTTP error status", case.status),
                );
            }
            if case
                .message
                .as_ref()
                .is_some_and(|message| message.trim().is_empty())
            {
                problems.add(
                    format!("{case_path}.message"),
                    "the message is empty; leave it out if Zoho documents none",
                );
            }
            for (op_index, op_name) in case.operations.iter().enumerate() {
                let listed = spec
                    .operations
                    .get(op_name)
                    .map(|op| op.errors.contains(code));
                if listed != Some(true) {
                    problems.add(
                        format!("{case_path}.operations[{op_index}]"),
                        format!("{op_name:?} is not an operation that lists {code}"),
                    );
                }
            }
            check_case_against_earlier(code, cases, index, &case_path, problems);
        }
        for (op_name, operation) in &spec.operations {
            if operation.errors.contains(code)
                && !cases.is_empty()
                && !cases.iter().any(|case| applies_to(case, op_name))
            {
                problems.add(
                    &path,
                    format!("no case of {code} applies to {op_name:?}, which lists it"),
                );
            }
        }
    }
}

/// Two cases that can apply to the same operation must be told apart by their message.
fn check_case_against_earlier(
    code: &str,
    cases: &[crate::model::ErrorCase],
    index: usize,
    case_path: &str,
    problems: &mut Problems<'_>,
) {
    let case = &cases[index];
    let overlaps = |other: &crate::model::ErrorCase| {
        case.operations.is_empty()
            || other.operations.is_empty()
            || case
                .operations
                .iter()
                .any(|op| other.operations.contains(op))
    };
    for other in cases[..index].iter().filter(|other| overlaps(other)) {
        match (&case.message, &other.message) {
            (Some(a), Some(b)) if a.trim().eq_ignore_ascii_case(b.trim()) => {
                problems.add(
                    format!("{case_path}.message"),
                    format!("two cases of {code} for the same operation have the same message"),
                );
            }
            (None, _) | (_, None) if case.status == other.status => {
                problems.add(
                    format!("{case_path}.message"),
                    format!(
                        "cases of {code} with the same status for the same operation need a message each, to tell them apart"
                    ),
                );
            }
            _ => {}
        }
    }
}

fn check_operations(spec: &Spec, problems: &mut Problems<'_>) {
    if spec.operations.is_empty() {
        problems.add("operations", "at least one operation is needed");
    }
    let scope_operations: BTreeSet<&str> = spec
        .scopes
        .operations
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    for (name, operation) in &spec.operations {
        let path = format!("operations.{name}");
        if !ident::is_snake(name) {
            let hint = ident::snake(name)
                .map(|s| format!(", e.g. {s:?}"))
                .unwrap_or_default();
            problems.add(
                &path,
                format!("operation name {name:?} must be snake_case{hint}"),
            );
        }
        if RESERVED_OPERATION_NAMES.contains(&name.as_str()) {
            problems.add(
                &path,
                format!("operation name {name:?} is taken by a method every Client has"),
            );
        }
        for (index, scope) in operation.scope_operations.iter().enumerate() {
            if !scope_operations.contains(scope.as_str()) {
                problems.add(
                    format!("{path}.scope_operations[{index}]"),
                    format!("{scope:?} is not in scopes.operations"),
                );
            }
        }
        if operation.scope_operations.is_empty() {
            problems.add(
                format!("{path}.scope_operations"),
                "at least one scope operation is needed",
            );
        } else if narrowest_scope(spec, &operation.scope_operations).is_none() {
            problems.add(
                format!("{path}.scope_operations"),
                "no one of these is granted by all the others (see scopes.operations[].implies), so there is no narrowest scope to ask for",
            );
        }
        let has_file = check_params(spec, &path, operation, problems);
        match (&operation.limits, has_file) {
            (Some(limits), _) => {
                if limits.max_file_bytes == 0 {
                    problems.add(
                        format!("{path}.limits.max_file_bytes"),
                        "a limit of 0 bytes allows no file at all",
                    );
                }
                for (index, extension) in limits.forbidden_extensions.iter().enumerate() {
                    if extension.is_empty()
                        || !extension
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                    {
                        problems.add(
                            format!("{path}.limits.forbidden_extensions[{index}]"),
                            format!("{extension:?} must be lower-case letters and digits, without the dot"),
                        );
                    }
                }
                if !has_file {
                    problems.add(
                        format!("{path}.limits"),
                        "limits are given but no parameter is a file",
                    );
                }
            }
            (None, true) => problems.add(format!("{path}.limits"), "a file parameter needs limits"),
            (None, false) => {}
        }
        let response = &operation.response;
        if response.success_status.is_empty() {
            problems.add(
                format!("{path}.response.success_status"),
                "at least one success status is needed",
            );
        }
        for (index, status) in response.success_status.iter().enumerate() {
            if !(200..=299).contains(status) {
                problems.add(
                    format!("{path}.response.success_status[{index}]"),
                    format!("{status} is not a 2xx status"),
                );
            }
        }
        for (index, status) in response.empty_status.iter().enumerate() {
            if !(200..=299).contains(status) || response.success_status.contains(status) {
                problems.add(
                    format!("{path}.response.empty_status[{index}]"),
                    format!("{status} must be a 2xx status not also in success_status"),
                );
            }
        }
        check_response(spec, &path, operation, problems);
        let mut seen = BTreeSet::new();
        for (index, code) in operation.errors.iter().enumerate() {
            let error_path = format!("{path}.errors[{index}]");
            if !spec.errors.contains_key(code) {
                problems.add(
                    &error_path,
                    format!("error code {code:?} is not in the errors table"),
                );
            }
            if !seen.insert(code.as_str()) {
                problems.add(&error_path, format!("error code {code:?} is listed twice"));
            }
        }
    }
}

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

fn check_response(spec: &Spec, path: &str, operation: &Operation, problems: &mut Problems<'_>) {
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
    let Some(pagination) = &operation.pagination else {
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
    let query_param = |name: &str| {
        operation
            .params
            .iter()
            .find(|p| p.name == name && p.location == ParamIn::Query)
    };
    match query_param(&pagination.page_param) {
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
            if !query_param(param).is_some_and(|p| p.ty == ParamType::String && !p.required) {
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

/// Checks the parameters against the path template and each other; returns whether one is a
/// file.
fn check_params(
    spec: &Spec,
    path: &str,
    operation: &Operation,
    problems: &mut Problems<'_>,
) -> bool {
    let key = format!("{path}.path");
    let mut placeholders = Vec::new();
    if !operation.path.starts_with('/') {
        problems.add(&key, "the path must start with '/'");
    } else {
        for segment in operation.path[1..].split('/') {
            if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                placeholders.push(inner.to_owned());
            } else if segment.is_empty()
                || !segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
            {
                problems.add(
                    &key,
                    format!("segment {segment:?} must be a {{placeholder}} or letters, digits, '_', '.', '-'"),
                );
            }
        }
    }
    for placeholder in &placeholders {
        let declared = operation
            .params
            .iter()
            .any(|p| p.name == *placeholder && p.location == ParamIn::Path);
        if placeholder != VERSION_PLACEHOLDER && !declared {
            problems.add(
                &key,
                format!("placeholder {{{placeholder}}} is not a path parameter"),
            );
        }
        if placeholders.iter().filter(|p| *p == placeholder).count() > 1 {
            problems.add(
                &key,
                format!("placeholder {{{placeholder}}} appears more than once"),
            );
        }
    }
    let mut names = BTreeSet::new();
    let mut rust_names = BTreeSet::new();
    let mut has_file = false;
    for (index, param) in operation.params.iter().enumerate() {
        let param_path = format!("{path}.params[{index}]");
        if !names.insert(param.name.as_str()) {
            problems.add(
                &param_path,
                format!("parameter {:?} is listed twice", param.name),
            );
        }
        match ident::snake(&param.name) {
            Some(rust) if rust == VERSION_PLACEHOLDER => problems.add(
                &param_path,
                "`version` is supplied by the client (or per call), not a parameter",
            ),
            Some(rust) => {
                if !rust_names.insert(rust.clone()) {
                    problems.add(
                        &param_path,
                        format!("two parameters become the Rust field {rust}"),
                    );
                }
            }
            None => problems.add(
                &param_path,
                format!("{:?} gives no Rust field name", param.name),
            ),
        }
        if !is_token(&param.name) {
            problems.add(
                &param_path,
                format!("{:?} is not a valid parameter name", param.name),
            );
        }
        let allowed = match param.location {
            ParamIn::Path => matches!(
                param.ty,
                ParamType::Module | ParamType::RecordId | ParamType::Id
            ),
            ParamIn::Query => !matches!(param.ty, ParamType::Module | ParamType::File),
            ParamIn::Form => !matches!(param.ty, ParamType::Module),
        };
        if !allowed {
            problems.add(
                format!("{param_path}.type"),
                format!(
                    "a {:?} parameter cannot go in the {:?}",
                    param.ty, param.location
                ),
            );
        }
        if param.location == ParamIn::Path && !placeholders.contains(&param.name) {
            problems.add(
                &param_path,
                format!("{:?} does not appear in the path", param.name),
            );
        }
        if param.location != ParamIn::Path && (param.required && param.required_from.is_some()) {
            problems.add(
                &param_path,
                "required and required_from contradict each other",
            );
        }
        for (field, version) in [
            ("required_from", &param.required_from),
            ("since", &param.since),
        ] {
            if let Some(version) = version
                && !spec.api.versions.contains(version)
            {
                problems.add(
                    format!("{param_path}.{field}"),
                    format!("{version:?} is not in api.versions"),
                );
            }
        }
        for (i, version) in param.query_in.iter().enumerate() {
            if !spec.api.versions.contains(version) {
                problems.add(
                    format!("{param_path}.query_in[{i}]"),
                    format!("{version:?} is not in api.versions"),
                );
            }
        }
        if !param.query_in.is_empty()
            && (param.location != ParamIn::Form || param.ty == ParamType::File)
        {
            problems.add(
                format!("{param_path}.query_in"),
                "only a text form parameter can move to the query",
            );
        }
        let bounded = matches!(
            param.ty,
            ParamType::Integer | ParamType::StringList | ParamType::IdList
        );
        if (param.min.is_some() || param.max.is_some()) && !bounded {
            problems.add(&param_path, "min and max apply to integers and lists only");
        }
        if let (Some(min), Some(max)) = (param.min, param.max)
            && min > max
        {
            problems.add(
                &param_path,
                format!("min {min} is above max {max}, so no value is allowed"),
            );
        }
        if matches!(param.ty, ParamType::StringList | ParamType::IdList)
            && param.min.is_some_and(|m| m < 0)
        {
            problems.add(&param_path, "a list cannot have fewer than 0 items");
        }
        has_file |= param.ty == ParamType::File;
    }
    has_file
}

fn is_version(value: &str) -> bool {
    let Some(number) = value.strip_prefix('v') else {
        return false;
    };
    let mut parts = number.split('.');
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    parts.next().is_some_and(digits) && parts.next().is_none_or(digits) && parts.next().is_none()
}

fn is_token(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_module_name(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_scope_word(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase())
}
