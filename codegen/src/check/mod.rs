//! The checks that go beyond the shape of the YAML, run over the [`Resolution`]: names that
//! must be unique, references that must resolve, identifiers Rust can use, templates that must
//! be complete and limits that must be possible. Every problem is collected, in spec order,
//! each with its YAML path. A module per spec section.

mod api;
mod errors;
mod modules;
mod operations;
mod params;
mod problems;
mod regions;
mod responses;
mod scopes;
mod syntax;
mod types;

use std::path::Path;

use crate::error::SpecError;
use crate::resolved::Resolution;

/// Every problem in the resolved spec from `file`, in the order found; empty when it passes.
pub fn check(file: &Path, resolution: &Resolution<'_>) -> Vec<SpecError> {
    let mut problems = problems::Problems::new(file);
    api::check_api(resolution, &mut problems);
    modules::check_modules(resolution, &mut problems);
    scopes::check_scopes(resolution.spec, &mut problems);
    types::check_types(resolution, &mut problems);
    errors::check_errors(resolution, &mut problems);
    operations::check_operations(resolution, &mut problems);
    problems.into_found()
}
