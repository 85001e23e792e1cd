//! Checks of `data_centers` and `environments`: ids, hosts, URLs, and variants made once.

use std::collections::BTreeSet;

use super::problems::Problems;
use crate::resolved::Resolution;

/// Checks the data centres and the environments.
pub fn check_regions(resolution: &Resolution<'_>, problems: &mut Problems<'_>) {
    let spec = resolution.spec;
    let mut variants = BTreeSet::new();
    if spec.data_centers.is_empty() {
        problems.add("data_centers", "at least one data centre is needed");
    }
    for (index, made) in resolution.data_centers.iter().enumerate() {
        let dc = made.def;
        let path = format!("data_centers[{index}]");
        if dc.id.is_empty() || !dc.id.bytes().all(|b| b.is_ascii_lowercase()) {
            problems.add(
                format!("{path}.id"),
                format!("{:?} must be lower-case letters", dc.id),
            );
        }
        if let Some(variant) = &made.ident
            && !variants.insert(variant.to_string())
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

/// Whether `value` is a lower-case host name (or, without dots, one label of one).
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
