//! Checks of the API-wide sections: `api` (versions, defaults, concurrency) and `auth` (the
//! header, the scheme, the token endpoint, the codes that mean a token needs refreshing).

use std::collections::BTreeSet;

use super::problems::Problems;
use super::regions::check_regions;
use super::syntax::is_token;
use crate::resolved::Resolution;

/// Checks `api` and `auth`, and (through [`check_regions`]) the data centres and environments.
pub fn check_api(resolution: &Resolution<'_>, problems: &mut Problems<'_>) {
    let spec = resolution.spec;
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
    check_regions(resolution, problems);
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

/// Whether `value` is a version like `v2` or `v2.1`.
fn is_version(value: &str) -> bool {
    let Some(number) = value.strip_prefix('v') else {
        return false;
    };
    let mut parts = number.split('.');
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    parts.next().is_some_and(digits) && parts.next().is_none_or(digits) && parts.next().is_none()
}
