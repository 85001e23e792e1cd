//! Syntax shared by several checks.

/// Whether `value` is an HTTP token (a header name, an auth scheme, a parameter name).
pub fn is_token(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
