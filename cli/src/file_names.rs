//! Unique file names in a directory: a name already taken (compared case-insensitively, for
//! file systems that fold case) gets ` (2)`, ` (3)`... before its extension, within 255
//! bytes; no name may pass for one of the runtime's temporary download files.

use std::collections::HashSet;

/// The prefix of the runtime's temporary download files, which a re-run removes as stale.
pub const TEMP_PREFIX: &str = ".zoho-crm-download-";

/// The longest file name, in bytes.
pub const MAX_NAME_BYTES: usize = 255;

/// How names are compared: case-folded.
pub fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// `candidate`, or `stem (N).ext` with the smallest N from 2 not in `taken` (case-folded), kept
/// within 255 bytes. A name that would pass for a temporary download file gets a `_` first.
pub fn unique_name(candidate: &str, taken: &HashSet<String>) -> String {
    let candidate = if candidate.starts_with(TEMP_PREFIX) {
        format!("_{candidate}")
    } else {
        candidate.to_owned()
    };
    if !taken.contains(&fold(&candidate)) {
        return candidate;
    }
    let (stem, extension) = match candidate.rfind('.') {
        Some(dot) if dot > 0 && candidate.len() - dot <= 32 => candidate.split_at(dot),
        _ => (candidate.as_str(), ""),
    };
    // Among taken.len() + 1 numbers one is free.
    let mut name = candidate.clone();
    for number in 2..=taken.len() + 2 {
        let suffix = format!(" ({number}){extension}");
        let mut end = stem.len().min(MAX_NAME_BYTES.saturating_sub(suffix.len()));
        while !stem.is_char_boundary(end) {
            end -= 1;
        }
        name = format!("{}{suffix}", &stem[..end]);
        if !taken.contains(&fold(&name)) {
            break;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> HashSet<String> {
        names.iter().map(|n| fold(n)).collect()
    }

    #[test]
    fn a_taken_name_gets_the_next_free_number_before_its_extension() {
        assert_eq!(unique_name("a.pdf", &set(&[])), "a.pdf");
        assert_eq!(unique_name("a.pdf", &set(&["A.PDF"])), "a (2).pdf");
        assert_eq!(
            unique_name("a.pdf", &set(&["a.pdf", "a (2).pdf"])),
            "a (3).pdf"
        );
        assert_eq!(unique_name("notes", &set(&["notes"])), "notes (2)");
        assert_eq!(unique_name(".env", &set(&[".env"])), ".env (2)");
        assert_eq!(
            unique_name(".zoho-crm-download-x", &set(&[])),
            "_.zoho-crm-download-x"
        );
        let long = format!("{}.txt", "é".repeat(127));
        let taken = set(&[&long]);
        let name = unique_name(&long, &taken);
        assert!(name.len() <= 255 && name.ends_with(" (2).txt"), "{name}");
    }
}
