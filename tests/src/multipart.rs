//! Streaming the `multipart/form-data` upload body with multer and validating its fields.
//!
//! The body is read straight from the request stream: file parts are hashed with SHA-256
//! and counted chunk by chunk, and their bytes are kept only up to a limit. Parsing always
//! reads the whole body (up to [`DRAIN_LIMIT`] bytes per part) before an answer is given,
//! so a client that is still sending gets a clean reply instead of a reset connection.

use axum::body::Body;
use axum::http::HeaderValue;
use sha2::{Digest, Sha256};

use crate::MAX_FILE_SIZE;
use crate::responses::ApiError;
use crate::state::StoredContent;

/// The form field that carries a file.
pub const FILE_FIELD: &str = "file";
/// The form field that carries a link.
pub const URL_FIELD: &str = "attachmentUrl";
/// The longest `attachmentUrl` value read, in bytes; longer values are "invalid url".
pub const MAX_URL_LEN: usize = 64 * 1024;
/// The most bytes of one part that are read; past that the server stops reading and
/// answers at once (the connection is then closed by the HTTP layer).
pub const DRAIN_LIMIT: u64 = 1 << 30;

/// Extracts the boundary from a `multipart/form-data` `Content-Type` header.
///
/// A missing header, or one that isn't `multipart/form-data` with a boundary, is a
/// top-level `INVALID_DATA` "invalid multipart body".
pub fn boundary(content_type: Option<&HeaderValue>) -> Result<String, ApiError> {
    content_type
        .and_then(|value| value.to_str().ok())
        .and_then(|value| multer::parse_boundary(value).ok())
        .ok_or_else(|| ApiError::invalid_multipart("invalid multipart body"))
}

/// Whether a file name has the `.exe` extension (ASCII case-insensitive, ignoring trailing
/// dots and spaces, which Windows ignores too).
pub fn is_exe(file_name: &str) -> bool {
    let trimmed = file_name.trim_end_matches(['.', ' ']).as_bytes();
    trimmed.len() >= 4 && trimmed[trimmed.len() - 4..].eq_ignore_ascii_case(b".exe")
}

/// Whether an `attachmentUrl` value is acceptable: `http://` or `https://` (scheme in any
/// case) followed by a non-empty host part, with no whitespace or control characters.
pub fn is_valid_url(url: &str) -> bool {
    let bytes = url.as_bytes();
    let rest = if bytes.len() >= 7 && bytes[..7].eq_ignore_ascii_case(b"http://") {
        &url[7..]
    } else if bytes.len() >= 8 && bytes[..8].eq_ignore_ascii_case(b"https://") {
        &url[8..]
    } else {
        return false;
    };
    !rest.is_empty()
        && !rest.starts_with('/')
        && !rest.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A `file` part as received.
struct FilePart {
    file_name: String,
    content_type: Option<String>,
    size: u64,
    /// `None` when the file exceeded [`MAX_FILE_SIZE`] (hashing stopped there).
    sha256: Option<[u8; 32]>,
    bytes: Option<Vec<u8>>,
}

/// The outcome of reading one part's content.
enum Read<T> {
    /// The part was read to its end.
    Complete(T),
    /// The part exceeded [`DRAIN_LIMIT`]; reading stopped.
    Abandoned,
}

/// Reads a file part: hashes and counts it, keeps its bytes while they fit `keep_limit`,
/// and stops hashing past [`MAX_FILE_SIZE`].
async fn read_file(
    field: &mut multer::Field<'_>,
    file_name: String,
    keep_limit: u64,
) -> multer::Result<Read<FilePart>> {
    let content_type = field.content_type().map(|mime| mime.to_string());
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut kept: Option<Vec<u8>> = Some(Vec::new());
    let mut too_large = false;
    while let Some(chunk) = field.chunk().await? {
        let len = chunk.len() as u64;
        let new_size = size.saturating_add(len);
        if !too_large {
            if new_size > MAX_FILE_SIZE {
                too_large = true;
                kept = None;
            } else {
                hasher.update(&chunk);
                if new_size > keep_limit {
                    kept = None;
                } else if let Some(buffer) = kept.as_mut() {
                    buffer.extend_from_slice(&chunk);
                }
            }
        }
        size = new_size;
        if size > DRAIN_LIMIT {
            return Ok(Read::Abandoned);
        }
    }
    let sha256 = (!too_large).then(|| hasher.finalize().into());
    Ok(Read::Complete(FilePart {
        file_name,
        content_type,
        size,
        sha256,
        bytes: kept,
    }))
}

/// Reads a text part up to [`MAX_URL_LEN`] bytes; `None` if it is longer or not UTF-8.
async fn read_text(field: &mut multer::Field<'_>) -> multer::Result<Read<Option<String>>> {
    let mut buffer = Vec::new();
    let mut size: u64 = 0;
    let mut overflow = false;
    while let Some(chunk) = field.chunk().await? {
        size = size.saturating_add(chunk.len() as u64);
        if size > DRAIN_LIMIT {
            return Ok(Read::Abandoned);
        }
        if !overflow {
            if buffer.len() + chunk.len() > MAX_URL_LEN {
                overflow = true;
                buffer = Vec::new();
            } else {
                buffer.extend_from_slice(&chunk);
            }
        }
    }
    let text = if overflow {
        None
    } else {
        String::from_utf8(buffer).ok()
    };
    Ok(Read::Complete(text))
}

/// Reads and discards a part.
async fn drain(field: &mut multer::Field<'_>) -> multer::Result<Read<()>> {
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await? {
        size = size.saturating_add(chunk.len() as u64);
        if size > DRAIN_LIMIT {
            return Ok(Read::Abandoned);
        }
    }
    Ok(Read::Complete(()))
}

fn multer_error(error: multer::Error) -> ApiError {
    ApiError::invalid_multipart(error.to_string())
}

/// Reads an upload body and returns what to store, or the Zoho error to answer with.
///
/// The body must hold exactly one `file` part (with a file name) or exactly one
/// `attachmentUrl` text part and nothing else. Checks, in order: the form's fields
/// (`INVALID_DATA`, data envelope, details `{"param_name": field}`), the file's size
/// (`FILE_SIZE_MORE_THAN_ALLOWED_SIZE`), its extension (`INVALID_DATA` "invalid file
/// type"), the link (`INVALID_DATA` "invalid url"). A body multer can't parse is a
/// top-level `INVALID_DATA` with multer's message.
pub async fn read_upload(
    body: Body,
    boundary: String,
    keep_limit: u64,
) -> Result<StoredContent, ApiError> {
    let mut multipart = multer::Multipart::new(body.into_data_stream(), boundary);
    let mut file: Option<FilePart> = None;
    let mut url: Option<Option<String>> = None;
    let mut violation: Option<ApiError> = None;

    while let Some(mut field) = multipart.next_field().await.map_err(multer_error)? {
        let name = field.name().map(str::to_owned);
        let has_file_name = field.file_name().is_some();
        let problem = match name.as_deref() {
            Some(FILE_FIELD) => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let part = match read_file(&mut field, file_name, keep_limit)
                    .await
                    .map_err(multer_error)?
                {
                    Read::Complete(part) => part,
                    Read::Abandoned => return Err(ApiError::file_too_large()),
                };
                let problem = if file.is_some() {
                    Some(ApiError::invalid_field(
                        FILE_FIELD,
                        "the form field `file` was sent more than once; send exactly one file",
                    ))
                } else if url.is_some() {
                    Some(both_fields(FILE_FIELD))
                } else if !has_file_name || part.file_name.is_empty() {
                    Some(ApiError::invalid_field(
                        FILE_FIELD,
                        "the form field `file` must be a file part with a filename in its Content-Disposition",
                    ))
                } else {
                    None
                };
                if file.is_none() {
                    file = Some(part);
                }
                problem
            }
            Some(URL_FIELD) => {
                let text = match read_text(&mut field).await.map_err(multer_error)? {
                    Read::Complete(text) => text,
                    Read::Abandoned => return Err(ApiError::invalid_url()),
                };
                let problem = if url.is_some() {
                    Some(ApiError::invalid_field(
                        URL_FIELD,
                        "the form field `attachmentUrl` was sent more than once; send exactly one link",
                    ))
                } else if file.is_some() {
                    Some(both_fields(URL_FIELD))
                } else if has_file_name {
                    Some(ApiError::invalid_field(
                        URL_FIELD,
                        "the form field `attachmentUrl` must be a text field, not a file part",
                    ))
                } else {
                    None
                };
                if url.is_none() {
                    url = Some(text);
                }
                problem
            }
            other => {
                if let Read::Abandoned = drain(&mut field).await.map_err(multer_error)? {
                    return Err(unexpected_field(other));
                }
                Some(unexpected_field(other))
            }
        };
        if violation.is_none() {
            violation = problem;
        }
    }

    if let Some(violation) = violation {
        return Err(violation);
    }
    match (file, url) {
        (Some(file), None) => {
            let Some(sha256) = file.sha256 else {
                return Err(ApiError::file_too_large());
            };
            if is_exe(&file.file_name) {
                return Err(ApiError::invalid_file_type());
            }
            Ok(StoredContent::File {
                file_name: file.file_name,
                content_type: file.content_type,
                size: file.size,
                sha256,
                bytes: file.bytes,
            })
        }
        (None, Some(Some(url))) if is_valid_url(&url) => Ok(StoredContent::Link { url }),
        (None, Some(_)) => Err(ApiError::invalid_url()),
        // Both present is always recorded as a violation above; this arm only completes
        // the match.
        (Some(_), Some(_)) => Err(both_fields(URL_FIELD)),
        (None, None) => Err(ApiError::invalid_field(
            FILE_FIELD,
            "the form field `file` (a file) or `attachmentUrl` (a link) is required",
        )),
    }
}

fn both_fields(later: &str) -> ApiError {
    ApiError::invalid_field(
        later,
        "send either the form field `file` or the form field `attachmentUrl`, not both",
    )
}

fn unexpected_field(name: Option<&str>) -> ApiError {
    match name {
        Some(name) => ApiError::invalid_field(
            name,
            format!(
                "unexpected form field `{name}`; send exactly one of the fields `file` or `attachmentUrl`"
            ),
        ),
        None => ApiError::invalid_field(
            "",
            "a multipart part has no form field name; send exactly one of the fields `file` or `attachmentUrl`",
        ),
    }
}
