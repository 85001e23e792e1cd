//! Names for a field's files in a directory: unique among the directory's files
//! (case-insensitively, for file systems that fold case) by a ` (2)`, ` (3)`... before the
//! extension, the convention of `download-many`.

use std::collections::HashSet;
use std::path::Path;

/// The prefix of the runtime's temporary download files, which no saved file may take.
const TEMP_PREFIX: &str = ".zoho-crm-download-";

/// The longest file name, in bytes.
const MAX_NAME_BYTES: usize = 255;

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
        let candidate = if candidate.starts_with(TEMP_PREFIX) {
            format!("_{candidate}")
        } else {
            candidate.to_owned()
        };
        let mut name = candidate.clone();
        if self.0.contains(&fold(&candidate)) {
            let (stem, extension) = match candidate.rfind('.') {
                Some(dot) if dot > 0 && candidate.len() - dot <= 32 => candidate.split_at(dot),
                _ => (candidate.as_str(), ""),
            };
            // Among len + 1 numbers one is free.
            for number in 2..=self.0.len() + 2 {
                let suffix = format!(" ({number}){extension}");
                let mut end = stem.len().min(MAX_NAME_BYTES.saturating_sub(suffix.len()));
                while !stem.is_char_boundary(end) {
                    end -= 1;
                }
                name = format!("{}{suffix}", &stem[..end]);
                if !self.0.contains(&fold(&name)) {
                    break;
                }
            }
        }
        self.0.insert(fold(&name));
        name
    }
}

/// How names are compared.
fn fold(name: &str) -> String {
    name.to_lowercase()
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
