//! Names for a field's files in a directory: unique among the directory's files
//! (case-insensitively, for file systems that fold case) by a ` (2)`, ` (3)`... before the
//! extension, the convention of `download-many`.

use std::collections::HashSet;
use std::path::Path;

use crate::file_names::{fold, unique_name};

/// The names taken in a directory.
#[derive(Debug, Default)]
pub struct Taken(HashSet<String>);

impl Taken {
    /// The names of the entries of `dir` (none when it cannot be read).
    pub fn in_dir(dir: &Path) -> Self {
        let names = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| fold(&entry.file_name().to_string_lossy()))
            .collect();
        Taken(names)
    }

    /// `candidate`, or `stem (N).ext` with the smallest N from 2 that is free, kept within
    /// 255 bytes; the name is then taken. A name that would pass for a temporary download
    /// file gets a `_` first.
    pub fn claim(&mut self, candidate: &str) -> String {
        let name = unique_name(candidate, &self.0);
        self.0.insert(fold(&name));
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_gets_the_next_free_number_before_its_extension() {
        let mut taken = Taken::default();
        assert_eq!(taken.claim("a.pdf"), "a.pdf");
        assert_eq!(taken.claim("A.PDF"), "A (2).PDF");
        assert_eq!(taken.claim("a.pdf"), "a (3).pdf");
        assert_eq!(taken.claim("notes"), "notes");
        assert_eq!(taken.claim("notes"), "notes (2)");
        assert_eq!(taken.claim(".zoho-crm-download-x"), "_.zoho-crm-download-x");
    }
}
