//! Streaming the `multipart/form-data` upload body with multer and validating its fields.
//!
//! The body is read straight from the request stream: file parts are hashed with SHA-256
//! and counted chunk by chunk, written to the server's file store as they come (when the
//! server stores them), and their bytes are kept in memory only up to a limit. Parsing always
//! reads the whole body (up to [`DRAIN_LIMIT`] bytes per part) before an answer is given,
//! so a client that is still sending gets a clean reply instead of a reset connection.

use std::io;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::MAX_FILE_SIZE;
use crate::responses::ApiError;
use crate::state::StoredContent;
use crate::storage::{DiskWriter, FileGuard, Storage};

/// The form field that carries a file.
pub const FILE_FIELD: &str = "file";
/// The form field that carries a link.
pub const URL_FIELD: &str = "attachmentUrl";
/// The form field (or query parameter) that carries a link's title (API v2.1 and later).
pub const TITLE_FIELD: &str = "title";
/// The longest `attachmentUrl` (or `title`) value read, in bytes; longer values are
/// "invalid url" (or an invalid `title`).
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
    /// The file on disk: `None` when not stored to disk (or too large), `Some(Err)` when
    /// writing failed.
    disk: Option<io::Result<FileGuard>>,
}

/// The outcome of reading one part's content.
enum Read<T> {
    /// The part was read to its end.
    Complete(T),
    /// The part exceeded [`DRAIN_LIMIT`]; reading stopped.
    Abandoned,
}

/// Reads a file part: hashes and counts it, writes it to `disk` if given, keeps its bytes
/// while they fit `keep_limit`, and stops hashing (and writing) past [`MAX_FILE_SIZE`].
async fn read_file(
    field: &mut multer::Field<'_>,
    file_name: String,
    keep_limit: u64,
    disk: Option<io::Result<DiskWriter>>,
) -> multer::Result<Read<FilePart>> {
    let content_type = field.content_type().map(|mime| mime.to_string());
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut kept: Option<Vec<u8>> = Some(Vec::new());
    let mut too_large = false;
    let mut disk = disk;
    while let Some(chunk) = field.chunk().await? {
        let len = chunk.len() as u64;
        let new_size = size.saturating_add(len);
        if !too_large {
            if new_size > MAX_FILE_SIZE {
                too_large = true;
                kept = None;
                // Dropping the writer removes the partial file.
                disk = None;
            } else {
                hasher.update(&chunk);
                if new_size > keep_limit {
                    kept = None;
                } else if let Some(buffer) = kept.as_mut() {
                    buffer.extend_from_slice(&chunk);
                }
                if let Some(Ok(writer)) = disk.as_mut()
                    && let Err(error) = writer.writer.write_all(&chunk).await
                {
                    disk = Some(Err(error));
                }
            }
        }
        size = new_size;
        if size > DRAIN_LIMIT {
            return Ok(Read::Abandoned);
        }
    }
    let disk = match disk {
        Some(Ok(mut writer)) => Some(match writer.writer.flush().await {
            Ok(()) => Ok(writer.guard),
            Err(error) => Err(error),
        }),
        Some(Err(error)) => Some(Err(error)),
        None => None,
    };
    let sha256 = (!too_large).then(|| hasher.finalize().into());
    Ok(Read::Complete(FilePart {
        file_name,
        content_type,
        size,
        sha256,
        bytes: kept,
        disk,
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
///
/// This is API v2's form: a `title` field is refused. Nothing is written to disk.
pub async fn read_upload(
    body: Body,
    boundary: String,
    keep_limit: u64,
) -> Result<StoredContent, ApiError> {
    let options = UploadOptions {
        keep_limit,
        allow_title: false,
        storage: None,
    };
    read_form(body, boundary, &options)
        .await
        .map(|upload| upload.content)
}

/// How [`read_form`] reads an upload.
pub(crate) struct UploadOptions<'a> {
    /// Files up to this many bytes keep their content in memory.
    pub(crate) keep_limit: u64,
    /// Whether a link may carry a `title` field (API v2.1 and later).
    pub(crate) allow_title: bool,
    /// Where file content is written while it streams in, if anywhere.
    pub(crate) storage: Option<&'a Storage>,
}

/// What [`read_form`] read.
#[derive(Debug)]
pub(crate) struct Upload {
    /// The file or link.
    pub(crate) content: StoredContent,
    /// A link's title.
    pub(crate) title: Option<String>,
    /// The file's content on disk (removed unless kept).
    pub(crate) file: Option<FileGuard>,
}

/// [`read_upload`] with a `title` field for links (if `options.allow_title`) and file
/// content written to `options.storage`. A failure to write the file is a 500
/// `INTERNAL_ERROR`, answered once the whole body has been read.
pub(crate) async fn read_form(
    body: Body,
    boundary: String,
    options: &UploadOptions<'_>,
) -> Result<Upload, ApiError> {
    let mut multipart = multer::Multipart::new(body.into_data_stream(), boundary);
    let mut file: Option<FilePart> = None;
    let mut url: Option<Option<String>> = None;
    let mut title: Option<Option<String>> = None;
    let mut violation: Option<ApiError> = None;

    while let Some(mut field) = multipart.next_field().await.map_err(multer_error)? {
        let name = field.name().map(str::to_owned);
        let has_file_name = field.file_name().is_some();
        let problem = match name.as_deref() {
            Some(FILE_FIELD) => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                // Only the first file, and only while the form is valid so far, is stored.
                let disk = match options.storage {
                    Some(storage) if file.is_none() && url.is_none() && violation.is_none() => {
                        Some(storage.create().await)
                    }
                    _ => None,
                };
                let part = match read_file(&mut field, file_name, options.keep_limit, disk)
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
            Some(TITLE_FIELD) if options.allow_title => {
                let text = match read_text(&mut field).await.map_err(multer_error)? {
                    Read::Complete(text) => text,
                    Read::Abandoned => return Err(invalid_title()),
                };
                let problem = if title.is_some() {
                    Some(ApiError::invalid_field(
                        TITLE_FIELD,
                        "the form field `title` was sent more than once",
                    ))
                } else if has_file_name {
                    Some(ApiError::invalid_field(
                        TITLE_FIELD,
                        "the form field `title` must be a text field, not a file part",
                    ))
                } else if text.is_none() {
                    Some(invalid_title())
                } else {
                    None
                };
                if title.is_none() {
                    title = Some(text);
                }
                problem
            }
            Some(TITLE_FIELD) => {
                if let Read::Abandoned = drain(&mut field).await.map_err(multer_error)? {
                    return Err(title_before_v2_1());
                }
                Some(title_before_v2_1())
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
    let title = title.flatten();
    match (file, url) {
        (Some(file), None) => {
            if title.is_some() {
                return Err(ApiError::invalid_field(
                    TITLE_FIELD,
                    "the form field `title` names a link; it can't be sent with the form field `file`",
                ));
            }
            let Some(sha256) = file.sha256 else {
                return Err(ApiError::file_too_large());
            };
            if is_exe(&file.file_name) {
                return Err(ApiError::invalid_file_type());
            }
            let disk = match file.disk {
                Some(Ok(guard)) => Some(guard),
                Some(Err(_)) => {
                    return Err(ApiError::internal_error(StatusCode::INTERNAL_SERVER_ERROR));
                }
                None => None,
            };
            Ok(Upload {
                content: StoredContent::File {
                    file_name: file.file_name,
                    content_type: file.content_type,
                    size: file.size,
                    sha256,
                    bytes: file.bytes,
                },
                title: None,
                file: disk,
            })
        }
        (None, Some(Some(url))) if is_valid_url(&url) => Ok(Upload {
            content: StoredContent::Link { url },
            title,
            file: None,
        }),
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

/// 400 `INVALID_DATA` for a `title` that is too long or not UTF-8.
pub(crate) fn invalid_title() -> ApiError {
    ApiError::invalid_field(
        TITLE_FIELD,
        format!("the `title` must be UTF-8 text of at most {MAX_URL_LEN} bytes"),
    )
}

/// 400 `INVALID_DATA` for a `title` sent on API v2.
pub(crate) fn title_before_v2_1() -> ApiError {
    ApiError::invalid_field(
        TITLE_FIELD,
        "a link's `title` is supported from API v2.1; on v2 send only `file` or `attachmentUrl`",
    )
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
