//! The generator behind the `zoho-crm` crate, in layers, each importing only from those above
//! it in this list:
//! - [`error`], [`ident`], [`model`] and [`vocabulary`]: located errors, identifier rules, the
//!   typed spec and the spec's shared vocabulary (placeholders, reserved names, field and scope
//!   naming); [`error_cases`] reads the error table through them;
//! - [`load`]: YAML into the model, with located errors;
//! - [`resolved`]: the only structural pass, which works out identifiers, path templates and
//!   parameter indexes once;
//! - `check`: the checks, run over the resolution;
//! - [`emit`]: Rust source from the resolved model, with quote, syn and prettyplease;
//! - this front door, which runs them in turn: load, resolve, check, emit.
//!
//! It is a library so that `xtask` and the tests drive the same code; it never panics on a bad
//! spec, it returns located errors.

mod check;
pub mod emit;
pub mod error;
pub mod error_cases;
pub mod ident;
pub mod load;
pub mod model;
pub mod resolved;
pub mod vocabulary;

use std::path::Path;

pub use emit::GeneratedFile;
pub use error::{GenError, SpecError};

use crate::model::Spec;
use crate::resolved::Resolved;

/// Loads, validates and emits the crate for the spec at `spec_path`. `source` names the spec in
/// each generated file's preamble (e.g. `spec/zoho-crm.yaml`).
pub fn generate(spec_path: &Path, source: &str) -> Result<Vec<GeneratedFile>, GenError> {
    let spec = load::load_file(spec_path)?;
    let resolved = validate(spec_path, &spec).map_err(GenError::Spec)?;
    emit::emit(&resolved, source)
}

/// Like [`generate`], from spec text; `name` stands for the file in error messages.
pub fn generate_from_str(
    name: &Path,
    text: &str,
    source: &str,
) -> Result<Vec<GeneratedFile>, GenError> {
    let spec = load::parse(name, text).map_err(|e| GenError::Spec(vec![e]))?;
    let resolved = validate(name, &spec).map_err(GenError::Spec)?;
    emit::emit(&resolved, source)
}

/// Resolves and checks a loaded spec (`file` names it in errors), and gives the model the
/// emitters read; returns every problem found.
pub fn validate<'a>(file: &Path, spec: &'a Spec) -> Result<Resolved<'a>, Vec<SpecError>> {
    let resolution = resolved::resolve(spec);
    let problems = check::check(file, &resolution);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut gaps = Vec::new();
    let resolved = resolved::finish(resolution, &mut |path, message| {
        gaps.push(SpecError::at(file, path, message));
    });
    if gaps.is_empty() {
        Ok(resolved)
    } else {
        Err(gaps)
    }
}
