//! The generator behind the `zoho-crm` crate: it loads `spec/zoho-crm.yaml` into a typed model,
//! validates it, and emits Rust source with quote, syn and prettyplease. It is a library so that
//! `xtask` and the tests drive the same code; it never panics on a bad spec, it returns located
//! errors.

pub mod emit;
pub mod error;
pub mod error_cases;
pub mod ident;
pub mod load;
pub mod model;
pub mod resolved;
pub mod validate;

use std::path::Path;

pub use emit::GeneratedFile;
pub use error::{GenError, SpecError};

/// Loads, validates and emits the crate for the spec at `spec_path`. `source` names the spec in
/// each generated file's preamble (e.g. `spec/zoho-crm.yaml`).
pub fn generate(spec_path: &Path, source: &str) -> Result<Vec<GeneratedFile>, GenError> {
    let spec = load::load_file(spec_path)?;
    let resolved = validate::validate(spec_path, &spec).map_err(GenError::Spec)?;
    emit::emit(&resolved, source)
}

/// Like [`generate`], from spec text; `name` stands for the file in error messages.
pub fn generate_from_str(
    name: &Path,
    text: &str,
    source: &str,
) -> Result<Vec<GeneratedFile>, GenError> {
    let spec = load::parse(name, text).map_err(|e| GenError::Spec(vec![e]))?;
    let resolved = validate::validate(name, &spec).map_err(GenError::Spec)?;
    emit::emit(&resolved, source)
}
