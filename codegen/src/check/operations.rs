//! Checks of `operations`: names, scope operation types, limits, statuses and the error codes
//! each lists; the parameters and the response have their own modules.

use std::collections::BTreeSet;

use super::params::check_params;
use super::problems::Problems;
use super::responses::{check_response, check_shared_info};
use crate::resolved::Resolution;
use crate::vocabulary::{RESERVED_OPERATION_NAMES, scope_templates};

/// Checks every operation.
pub fn check_operations(resolution: &Resolution<'_>, problems: &mut Problems<'_>) {
    let spec = resolution.spec;
    if spec.operations.is_empty() {
        problems.add("operations", "at least one operation is needed");
    }
    let scope_operations: BTreeSet<&str> = spec
        .scopes
        .operations
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    for (name, resolved) in &resolution.operations {
        let operation = resolved.op;
        let path = format!("operations.{name}");
        if resolved.method.as_ref().is_none_or(|method| method != name) {
            let hint = (resolved.method.as_ref())
                .map(|s| format!(", e.g. {:?}", s.to_string()))
                .unwrap_or_default();
            problems.add(
                &path,
                format!("operation name {name:?} must be snake_case{hint}"),
            );
        }
        if RESERVED_OPERATION_NAMES.contains(name) {
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
        if let Some(names) = &operation.scopes {
            let known = scope_templates(spec);
            if names.is_empty() {
                problems.add(
                    format!("{path}.scopes"),
                    "at least one scope template is needed",
                );
            }
            for (index, name) in names.iter().enumerate() {
                let at = format!("{path}.scopes[{index}]");
                if !known.iter().any(|(known, _)| known == name) {
                    problems.add(
                        &at,
                        format!("{name:?} is not `module`, `resource` or in scopes.others"),
                    );
                }
                if names[..index].contains(name) {
                    problems.add(&at, format!("{name:?} is listed twice"));
                }
            }
        }
        if operation.scope_operations.is_empty() {
            problems.add(
                format!("{path}.scope_operations"),
                "at least one scope operation is needed",
            );
        } else if resolved.narrowest_scope.is_none() {
            problems.add(
                format!("{path}.scope_operations"),
                "no one of these is granted by all the others (see scopes.operations[].implies), so there is no narrowest scope to ask for",
            );
        }
        let has_file = check_params(spec, &path, resolved, problems);
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
                if let Some(image) = &limits.image {
                    if image.formats.is_empty() {
                        problems.add(
                            format!("{path}.limits.image.formats"),
                            "no format is accepted, so no image is allowed",
                        );
                    }
                    if image.max_pixels == 0 {
                        problems.add(
                            format!("{path}.limits.image.max_pixels"),
                            "a limit of 0 pixels allows no image at all",
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
        check_response(spec, &path, resolved, problems);
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
    check_shared_info(resolution, problems);
}
