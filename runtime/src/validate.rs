//! Checks on values that end up in a URL or a header, so that bad input is refused before sending.

use crate::error::ValidationError;

/// Checks a link: an absolute `http` or `https` URL with a host.
pub fn http_url(url: &str) -> Result<(), ValidationError> {
    let invalid = |reason: String| ValidationError::InvalidUrl {
        url: url.to_owned(),
        reason,
    };
    if url.chars().any(char::is_control) {
        return Err(invalid("it contains control characters".into()));
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!("the scheme is {:?}", parsed.scheme())));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host".into()));
    }
    Ok(())
}

/// Checks a file name that goes into a multipart header: not empty, no control characters
/// (CR or LF there would let a name inject headers), and no path separators.
pub fn file_name(name: &str) -> Result<(), ValidationError> {
    let invalid = |reason| ValidationError::InvalidFileName {
        name: name.to_owned(),
        reason,
    };
    if name.trim().is_empty() {
        return Err(invalid("it is empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("it contains control characters such as CR or LF"));
    }
    if name.contains(['/', '\\']) {
        return Err(invalid("it contains a path separator"));
    }
    Ok(())
}

/// Checks a file name's extension against a forbidden list (compared case-insensitively, after
/// dropping the trailing dots and spaces that Windows ignores, so `a.EXE. ` counts as `.exe`).
pub fn extension(name: &str, forbidden: &[&str]) -> Result<(), ValidationError> {
    let trimmed = name.trim_end_matches(['.', ' ']);
    let Some((_, extension)) = trimmed.rsplit_once('.') else {
        return Ok(());
    };
    let extension = extension.to_ascii_lowercase();
    if forbidden.iter().any(|f| f.eq_ignore_ascii_case(&extension)) {
        return Err(ValidationError::ForbiddenExtension {
            name: name.to_owned(),
            extension,
        });
    }
    Ok(())
}

/// Checks a text parameter: no control characters.
pub fn text(name: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.chars().any(char::is_control) {
        return Err(ValidationError::InvalidParameter {
            name,
            reason: "it contains control characters".into(),
        });
    }
    Ok(())
}

/// Checks one item of a comma-separated list: non-empty, no commas, no control characters.
pub fn list_item(name: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() || value.contains(',') || value.chars().any(char::is_control) {
        return Err(ValidationError::InvalidParameter {
            name,
            reason: format!("item {value:?} is empty or holds a comma or control character"),
        });
    }
    Ok(())
}

/// Checks a number (or a list's length) against its bounds.
pub fn range(
    name: &'static str,
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), ValidationError> {
    if min.is_some_and(|min| value < min) || max.is_some_and(|max| value > max) {
        return Err(ValidationError::OutOfRange {
            name,
            value,
            min,
            max,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_list_items_are_checked() {
        assert!(range("per_page", 200, Some(1), Some(200)).is_ok());
        assert!(matches!(
            range("per_page", 201, Some(1), Some(200)),
            Err(ValidationError::OutOfRange { value: 201, .. })
        ));
        assert!(range("per_page", 0, Some(1), None).is_err());
        assert!(list_item("fields", "File_Name").is_ok());
        for bad in ["", " ", "a,b", "a\n"] {
            assert!(list_item("fields", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn forbidden_extensions_ignore_case_and_trailing_dots() {
        let forbidden = ["exe"];
        for bad in ["a.exe", "a.EXE", "a.ExE.", "a.exe. . ", "archive.tar.exe"] {
            assert!(
                matches!(extension(bad, &forbidden), Err(ValidationError::ForbiddenExtension { ref extension, .. }) if extension == "exe"),
                "{bad:?}"
            );
        }
        for good in ["exe", "a.exe.txt", "a.exec", "readme"] {
            assert!(extension(good, &forbidden).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn file_names_cannot_inject_headers() {
        assert!(file_name("naïve \"quoted\" name.txt").is_ok());
        for bad in ["a\r\nX-Evil: 1", "a\nb", "", "  ", "../x", "a\\b", "nul\0"] {
            assert!(file_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn links_must_be_absolute_http_urls() {
        assert!(http_url("https://www.zohocorp.com").is_ok());
        assert!(http_url("http://example.com/a?b=c").is_ok());
        for bad in [
            "",
            "www.zohocorp.com",
            "ftp://x.com/a",
            "javascript:alert(1)",
            "https://",
            "https://a.com/\r\n",
        ] {
            assert!(http_url(bad).is_err(), "{bad:?}");
        }
    }
}
