//! Loading the spec: YAML into the typed model, with the location and YAML path of any error.

use std::path::Path;

use crate::error::{GenError, SpecError};
use crate::model::Spec;

/// Reads and parses a spec file.
pub fn load_file(path: &Path) -> Result<Spec, GenError> {
    let text = std::fs::read_to_string(path).map_err(|source| GenError::Read {
        file: path.to_owned(),
        source,
    })?;
    parse(path, &text).map_err(|e| GenError::Spec(vec![e]))
}

/// Parses spec text; `path` is only used in error messages.
pub fn parse(path: &Path, text: &str) -> Result<Spec, SpecError> {
    let deserializer = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let yaml_path = e.path().to_string();
        let inner = e.into_inner();
        let location = inner.location().map(|l| (l.line(), l.column()));
        let message = tidy_message(&inner.to_string(), location, &yaml_path);
        SpecError {
            file: path.to_owned(),
            location,
            path: if yaml_path == "." {
                String::new()
            } else {
                yaml_path
            },
            message,
        }
    })
}

/// serde_yaml repeats the path and the location in its message; both are reported separately,
/// so drop exactly those repeats and keep any other location (such as where a flow started).
fn tidy_message(message: &str, location: Option<(usize, usize)>, yaml_path: &str) -> String {
    let mut message = message.to_owned();
    if let Some((line, column)) = location {
        message = message.replacen(&format!(" at line {line} column {column}"), "", 1);
    }
    if let Some((prefix, rest)) = message.split_once(": ")
        && !prefix.contains(' ')
        && yaml_path.starts_with(prefix)
    {
        message = rest.to_owned();
    }
    message
}
