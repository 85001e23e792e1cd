//! Zoho's formats for the ids in a path: a module's API name (ASCII letters, digits and `_`) and
//! a record id or another id (a positive decimal integer of at most 20 digits).

use crate::error::ValidationError;

/// Checks a module API name: non-empty, ASCII letters, digits and `_` only (so it is one safe
/// path segment).
pub fn module_api_name(name: &str) -> Result<(), ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::EmptyModule);
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(ValidationError::InvalidModule {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// Checks a record id: a positive integer in decimal, without sign, leading zeros or spaces.
pub fn record_id(value: &str) -> Result<(), ValidationError> {
    let digits_only = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || value.starts_with('0') || value.len() > 20 {
        return Err(ValidationError::InvalidRecordId {
            value: value.to_owned(),
        });
    }
    Ok(())
}

/// Checks an id parameter (an attachment id, say): a positive integer.
pub fn id(name: &'static str, value: &str) -> Result<(), ValidationError> {
    record_id(value).map_err(|_| ValidationError::InvalidParameter {
        name,
        reason: format!("{value:?} is not a positive integer id"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_must_be_positive_integers() {
        assert!(record_id("3477061000005177002").is_ok());
        for bad in [
            "",
            "0",
            "012",
            "-5",
            "12a",
            " 12",
            "1/2",
            "99999999999999999999999",
        ] {
            assert!(
                matches!(record_id(bad), Err(ValidationError::InvalidRecordId { ref value }) if value == bad),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn module_names_are_single_safe_segments() {
        assert!(module_api_name("Price_Books").is_ok());
        assert!(matches!(
            module_api_name(""),
            Err(ValidationError::EmptyModule)
        ));
        for bad in ["Leads/..", "Le ads", "Leads?x=1", "Léads"] {
            assert!(matches!(
                module_api_name(bad),
                Err(ValidationError::InvalidModule { .. })
            ));
        }
    }
}
