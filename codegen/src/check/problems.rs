//! The problems the checks find, collected in order, each located by its YAML path.

use std::path::Path;

use crate::error::SpecError;

/// The problems found so far in one spec file.
pub struct Problems<'a> {
    file: &'a Path,
    found: Vec<SpecError>,
}

impl<'a> Problems<'a> {
    /// No problems yet in `file`.
    pub fn new(file: &'a Path) -> Self {
        Problems {
            file,
            found: Vec::new(),
        }
    }

    /// Records `message` about the value at the YAML path `path`.
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.found.push(SpecError::at(self.file, path, message));
    }

    /// Every problem found, in the order found.
    pub fn into_found(self) -> Vec<SpecError> {
        self.found
    }
}
