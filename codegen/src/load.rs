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
        SpecError {
            file: path.to_owned(),
            location,
            path: if yaml_path == "." {
                String::new()
            } else {
                yaml_path
            },
            message: strip_location(&inner.to_string()),
        }
    })
}

/// serde_yaml appends " at line L column C" to its messages; the location is reported separately.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}
