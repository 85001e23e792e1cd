//! Checks of an operation's `path` template (as the resolution parsed it) and its `params`:
//! names, Rust field names, where each may go, versions and bounds.

use std::collections::BTreeSet;

use super::problems::Problems;
use super::syntax::is_token;
use crate::model::{ParamIn, ParamType, Spec};
use crate::resolved::{OperationResolution, TemplateSegment};
use crate::vocabulary::VERSION_PLACEHOLDER;

/// Checks the parameters against the path template and each other; returns whether one is a
/// file.
pub fn check_params(
    spec: &Spec,
    path: &str,
    resolved: &OperationResolution<'_>,
    problems: &mut Problems<'_>,
) -> bool {
    let key = format!("{path}.path");
    let segments: &[TemplateSegment] = match &resolved.template {
        Some(segments) => segments,
        None => {
            problems.add(&key, "the path must start with '/'");
            &[]
        }
    };
    for segment in segments {
        if let TemplateSegment::Literal(text) = segment
            && (text.is_empty()
                || !text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)))
        {
            problems.add(
                &key,
                format!(
                    "segment {text:?} must be a {{placeholder}} or letters, digits, '_', '.', '-'"
                ),
            );
        }
    }
    let placeholders: Vec<&str> = segments
        .iter()
        .filter_map(TemplateSegment::placeholder)
        .collect();
    for segment in segments {
        let Some(placeholder) = segment.placeholder() else {
            continue;
        };
        if let TemplateSegment::Placeholder { param: None, .. } = segment {
            problems.add(
                &key,
                format!("placeholder {{{placeholder}}} is not a path parameter"),
            );
        }
        if placeholders.iter().filter(|p| **p == placeholder).count() > 1 {
            problems.add(
                &key,
                format!("placeholder {{{placeholder}}} appears more than once"),
            );
        }
    }
    let mut names = BTreeSet::new();
    let mut rust_names = BTreeSet::new();
    let mut has_file = false;
    for (index, made) in resolved.params.iter().enumerate() {
        let param = made.def;
        let param_path = format!("{path}.params[{index}]");
        if !names.insert(param.name.as_str()) {
            problems.add(
                &param_path,
                format!("parameter {:?} is listed twice", param.name),
            );
        }
        match &made.ident {
            Some(rust) if rust == VERSION_PLACEHOLDER => problems.add(
                &param_path,
                "`version` is supplied by the client (or per call), not a parameter",
            ),
            Some(rust) => {
                if !rust_names.insert(rust.to_string()) {
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
            ParamIn::Query => !matches!(
                param.ty,
                ParamType::Module | ParamType::File | ParamType::FileList | ParamType::Json
            ),
            ParamIn::Form => !matches!(param.ty, ParamType::Module | ParamType::Json),
            ParamIn::Json => !matches!(
                param.ty,
                ParamType::Module | ParamType::File | ParamType::FileList
            ),
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
        if param.location == ParamIn::Path && !placeholders.contains(&param.name.as_str()) {
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
            && (param.location != ParamIn::Form
                || matches!(param.ty, ParamType::File | ParamType::FileList))
        {
            problems.add(
                format!("{param_path}.query_in"),
                "only a text form parameter can move to the query",
            );
        }
        let bounded = matches!(
            param.ty,
            ParamType::Integer | ParamType::StringList | ParamType::IdList | ParamType::FileList
        );
        if (param.min.is_some() || param.max.is_some()) && !bounded {
            problems.add(
                &param_path,
                "min and max apply to integers, lists and file lists only",
            );
        }
        for (i, module) in param.modules.iter().enumerate() {
            let at = format!("{param_path}.modules[{i}]");
            if param.ty != ParamType::Module {
                problems.add(&at, "only a module parameter names the modules it takes");
            } else if !spec.modules.builtin.iter().any(|m| &m.api_name == module) {
                problems.add(&at, format!("{module:?} is not in modules.builtin"));
            }
        }
        if let (Some(min), Some(max)) = (param.min, param.max)
            && min > max
        {
            problems.add(
                &param_path,
                format!("min {min} is above max {max}, so no value is allowed"),
            );
        }
        if matches!(
            param.ty,
            ParamType::StringList | ParamType::IdList | ParamType::FileList
        ) && param.min.is_some_and(|m| m < 0)
        {
            problems.add(&param_path, "a list cannot have fewer than 0 items");
        }
        has_file |= matches!(param.ty, ParamType::File | ParamType::FileList);
    }
    let sends = |location| resolved.params.iter().any(|p| p.def.location == location);
    if sends(ParamIn::Form) && sends(ParamIn::Json) {
        problems.add(
            format!("{path}.params"),
            "a body is a form or a JSON object, not both: form and json parameters cannot be mixed",
        );
    }
    has_file
}
