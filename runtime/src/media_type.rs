//! The media type a file part is sent with, from its name's extension, as browsers and curl
//! choose it (`report.pdf` is `application/pdf`); `application/octet-stream` when unknown.

/// The type sent when the extension has no known media type.
pub(crate) const OCTET_STREAM: &str = "application/octet-stream";

/// The media type of a file name's extension (matched case-insensitively), or
/// `application/octet-stream`. Only a plain `type/subtype` of token characters is ever
/// returned, so the value is always safe in a header.
pub(crate) fn of_file_name(name: &str) -> &'static str {
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return OCTET_STREAM;
    };
    if stem.is_empty() || extension.is_empty() {
        return OCTET_STREAM;
    }
    mime_guess::from_ext(extension)
        .first_raw()
        .filter(|media_type| is_plain_media_type(media_type))
        .unwrap_or(OCTET_STREAM)
}

/// The usual extension of a media type, for content that comes without a file name:
/// parameters and case are ignored (`image/PNG; charset=UTF-8` is `png`), JPEG is `jpg`, and
/// only letters and digits are ever returned. `None` when the type is unknown or malformed.
pub(crate) fn extension_of(media_type: &str) -> Option<&'static str> {
    let essence = media_type.split(';').next()?.trim().to_ascii_lowercase();
    if !is_plain_media_type(&essence) {
        return None;
    }
    let subtype = essence.split_once('/').map(|(_, subtype)| subtype)?;
    let known = mime_guess::get_mime_extensions_str(&essence)?;
    let preferred = ["jpg", subtype];
    let chosen = (preferred.iter())
        .find_map(|want| known.iter().find(|ext| *ext == want))
        .or_else(|| known.first())?;
    chosen
        .bytes()
        .all(|b| b.is_ascii_alphanumeric())
        .then_some(*chosen)
}

/// Whether `value` is `type/subtype`, each a non-empty token (RFC 9110 `tchar`s), with no
/// parameters, spaces or control characters.
fn is_plain_media_type(value: &str) -> bool {
    let Some((kind, subtype)) = value.split_once('/') else {
        return false;
    };
    let token = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    token(kind) && token(subtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_extensions_have_their_media_types() {
        for (name, expected) in [
            ("report.pdf", "application/pdf"),
            ("REPORT.PDF", "application/pdf"),
            ("photo.png", "image/png"),
            ("photo.jpg", "image/jpeg"),
            ("photo.jpeg", "image/jpeg"),
            ("anim.gif", "image/gif"),
            ("scan.bmp", "image/bmp"),
            ("notes.txt", "text/plain"),
            ("table.csv", "text/csv"),
            ("bundle.zip", "application/zip"),
            ("data.json", "application/json"),
            (
                "letter.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (
                "sheet.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                "deck.pptx",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ),
        ] {
            assert_eq!(of_file_name(name), expected, "{name}");
        }
    }

    #[test]
    fn unknown_or_missing_extensions_are_octet_stream() {
        for name in ["README", "a.unknownext", ".pdf", "a.", "a.pdf.", "naïve.ü"] {
            assert_eq!(of_file_name(name), OCTET_STREAM, "{name}");
        }
    }

    #[test]
    fn media_types_have_their_usual_extensions() {
        for (media_type, expected) in [
            ("image/png", Some("png")),
            ("image/PNG; charset=UTF-8", Some("png")),
            ("image/jpeg", Some("jpg")),
            ("image/gif", Some("gif")),
            ("image/bmp", Some("bmp")),
            ("application/pdf", Some("pdf")),
            ("application/x-unheard-of", None),
            ("image/png\r\n../x", None),
            ("", None),
            ("not a type", None),
        ] {
            assert_eq!(extension_of(media_type), expected, "{media_type:?}");
        }
    }

    #[test]
    fn only_plain_media_types_pass() {
        assert!(is_plain_media_type("application/vnd.ms-excel"));
        for bad in [
            "text/plain; charset=utf-8",
            "text",
            "/plain",
            "text/",
            "text/pla in",
            "text/plain\r\nX: 1",
            "a/b/c",
        ] {
            assert!(!is_plain_media_type(bad), "{bad}");
        }
    }
}
