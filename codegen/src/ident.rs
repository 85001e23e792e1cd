//! Turning spec names into Rust identifiers: case conversion, keywords, leading digits and
//! characters Rust does not allow. The wire name is always kept separately for serde.

use heck::{ToSnakeCase as _, ToUpperCamelCase as _};

/// Rust's keywords, strict and reserved, which cannot be used as plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `snake_case` (by `heck`), made a legal identifier. Returns `None` when nothing is left or a
/// character Rust identifiers here may not hold (anything but ASCII letters, digits and `_`)
/// remains.
pub fn snake(name: &str) -> Option<String> {
    legal(name.to_snake_case())
}

/// `UpperCamelCase` (by `heck`), made a legal identifier; `None` as for [`snake`].
pub fn upper_camel(name: &str) -> Option<String> {
    legal(name.to_upper_camel_case())
}

fn legal(mut ident: String) -> Option<String> {
    if ident.is_empty()
        || !ident
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
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
