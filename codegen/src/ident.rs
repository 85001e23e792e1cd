//! Turning spec names into Rust identifiers: case conversion, keywords, leading digits and
//! characters Rust does not allow. The wire name is always kept separately for serde.

/// Rust's keywords, strict and reserved, which cannot be used as plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The words of a name: split at non-alphanumerics and at lower-to-upper case changes.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case`, made a legal identifier. Returns `None` when nothing alphanumeric is left.
pub fn snake(name: &str) -> Option<String> {
    let joined = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    legal(joined)
}

/// `UpperCamelCase`, made a legal identifier. Returns `None` when nothing alphanumeric is left.
pub fn upper_camel(name: &str) -> Option<String> {
    let joined: String = words(name)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    legal(joined)
}

fn legal(mut ident: String) -> Option<String> {
    if ident.is_empty() {
        return None;
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    Some(ident)
}

/// Whether `name` is already an `UpperCamelCase` identifier (as type and variant names in the
/// spec must be).
pub fn is_upper_camel(name: &str) -> bool {
    upper_camel(name).as_deref() == Some(name)
}

/// Whether `name` is already a `snake_case` identifier (as operation names must be).
pub fn is_snake(name: &str) -> bool {
    snake(name).as_deref() == Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_legal_identifiers() {
        assert_eq!(snake("Created_Time").as_deref(), Some("created_time"));
        assert_eq!(snake("$editable").as_deref(), Some("editable"));
        assert_eq!(snake("type").as_deref(), Some("type_"));
        assert_eq!(snake("2fa").as_deref(), Some("_2fa"));
        assert_eq!(snake("attachmentUrl").as_deref(), Some("attachment_url"));
        assert_eq!(snake("$$"), None);
        assert_eq!(
            upper_camel("INVALID_MODULE").as_deref(),
            Some("InvalidModule")
        );
        assert_eq!(upper_camel("Price_Books").as_deref(), Some("PriceBooks"));
        assert_eq!(upper_camel("self").as_deref(), Some("Self_"));
        assert!(is_upper_camel("AttachmentDetails"));
        assert!(!is_upper_camel("attachment_details"));
        assert!(is_snake("upload_attachment"));
        assert!(!is_snake("UploadAttachment"));
    }
}
