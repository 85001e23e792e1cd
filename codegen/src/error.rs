//! Errors in a spec, located by file, line and column (for YAML errors) or YAML path (for
//! validation errors), so the author can go straight to the problem.

use std::path::{Path, PathBuf};

/// A problem with the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {message}", location.map(|(line, column)| format!(":{line}:{column}")).unwrap_or_default(), if path.is_empty() { String::new() } else { format!(" (at {path})") })]
pub struct SpecError {
    /// The spec file.
    pub file: PathBuf,
    /// Line and column (1-based), when known.
    pub location: Option<(usize, usize)>,
    /// The YAML path of the offending value, e.g. `operations.upload_attachment.errors[2]`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl SpecError {
    /// A problem at the YAML path `path` of `file`, found after loading (so without a line).
    pub fn at(file: &Path, path: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError {
            file: file.to_owned(),
            location: None,
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Everything that can stop generation.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The spec file could not be read.
    #[error("cannot read {file}: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The spec has one or more problems; all are listed.
    #[error("{} problem(s) in the spec:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Spec(Vec<SpecError>),
    /// Emitted code did not parse; a generator bug, reported rather than panicking.
    #[error("internal error: generated code for {file} does not parse: {message}")]
    Emit {
        /// The generated file.
        file: String,
        /// The parser's message.
        message: String,
    },
}
