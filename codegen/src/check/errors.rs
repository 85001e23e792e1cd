//! Checks of `errors`, the shared error table: codes, their variants, and their documented
//! cases (statuses, messages, and the operations a case is limited to).

use std::collections::BTreeMap;

use super::problems::Problems;
use crate::error_cases::applies_to;
use crate::model::ErrorCase;
use crate::resolved::Resolution;
use crate::vocabulary::UNKNOWN_ERROR_VARIANT;

/// Checks every code of the error table and its cases.
pub fn check_errors(resolution: &Resolution<'_>, problems: &mut Problems<'_>) {
    let spec = resolution.spec;
    let mut variants: BTreeMap<String, &str> = BTreeMap::new();
    for (&code, resolved) in &resolution.error_codes {
        let cases = resolved.cases;
        let path = format!("errors.{code}");
        // Zoho's codes are SCREAMING_SNAKE_CASE but for a few it spells in lower case
        // (`failure_in_attachment_handling`); a code is matched exactly as written.
        let upper = code.bytes().all(|b| !b.is_ascii_lowercase());
        let lower = code.bytes().all(|b| !b.is_ascii_uppercase());
        let well_formed = code.bytes().any(|b| b.is_ascii_alphabetic())
            && (upper || lower)
            && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !well_formed {
            problems.add(
                &path,
                format!(
                    "error code {code:?} must be letters, digits and '_', all upper case or all lower case"
                ),
            );
        }
        if let Some(variant) = &resolved.variant {
            if variant == UNKNOWN_ERROR_VARIANT {
                problems.add(
                    &path,
                    format!(
                        "{code:?} would become the variant {UNKNOWN_ERROR_VARIANT}, which is reserved for codes the spec does not list"
                    ),
                );
            } else if let Some(other) = variants.insert(variant.to_string(), code) {
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
            match (case.status, case.throttle) {
                (429, None) => problems.add(
                    &case_path,
                    "an HTTP 429 case must say which limit it comes from: `throttle: rate` (clears in seconds), `quota` (a day's credits) or `either` (the documentation does not say)",
                ),
                (status, Some(_)) if status != 429 => problems.add(
                    format!("{case_path}.throttle"),
                    format!("`throttle` says which limit an HTTP 429 comes from; this case is HTTP {status}"),
                ),
                _ => {}
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
                    .map(|op| op.errors.iter().any(|listed| listed == code));
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
            if operation.errors.iter().any(|listed| listed == code)
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
    cases: &[ErrorCase],
    index: usize,
    case_path: &str,
    problems: &mut Problems<'_>,
) {
    let case = &cases[index];
    let overlaps = |other: &ErrorCase| {
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
