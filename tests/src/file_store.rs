//! Zoho's file store ("ZFS"), `/crm/{version}/files`, after the token, URL and method checks
//! in [`crate::server`] (it names no module or record). Shapes, codes, messages and statuses
//! are those of Zoho's OpenAPI description (`v8.0/files/files.yaml`, crm-oas) and its
//! examples.
//!
//! - `POST`, multipart with one or several `file` parts: each is stored with a new
//!   encrypted id (40 lowercase hex digits) and answered, in order,
//!   `{"data":[{"status":"success","code":"SUCCESS","message":"<name> uploaded successfully",
//!   "details":{"name":"<name>","id":"<id>"}}, ...]}`. A request is refused whole, nothing
//!   stored: no `file` part, or one without a file name or content, is 400
//!   `failure_in_attachment_handling` "Problem in uploading attachment. kindly upload the
//!   file properly"; more than [`MAX_STORE_FILES`] parts is 400 `INVALID_REQUEST`; a file over
//!   [`MAX_STORE_FILE_BYTES`] is 415 `FILE_SIZE_MORE_THAN_ALLOWED_SIZE` "Please check if the
//!   size of the file is in the correct range" (all top level, details `{}`). The query
//!   `type=inline` (Zoho's pages) or `inline=inline` (the OpenAPI file's spelling) marks the
//!   files inline ([`crate::StoredFile::inline`]).
//! - `GET ?id=<id>`: 200 with the file's bytes, `Content-Type` from its extension
//!   ([`media_type_for`]), `Content-Length` and `Content-Disposition` as attachment downloads
//!   have it ([`crate::Disposition`]). An unknown (or empty) id is a 204 with no body; no `id`
//!   is 400 `REQUIRED_PARAM_MISSING` "One of the expected parameter is missing", details
//!   `{"param_name":"id"}`. A file stays downloadable after its id is attached to a record.
//!
//! An id can be attached to a record once (see [`crate::file_fields`]); then it is consumed.

use axum::Json;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode, request};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use crate::bodies::{answer, reject};
use crate::file_parts::{self, Limits};
use crate::file_state::Blob;
use crate::multipart;
use crate::operations;
use crate::query::Query;
use crate::responses::{ApiError, DataEnvelope, Envelope};
use crate::state::Shared;

/// The most files one upload may carry.
pub const MAX_STORE_FILES: usize = 10;

/// Zoho's largest file-store file, 20 MB, in bytes.
pub const MAX_STORE_FILE_BYTES: u64 = 20_971_520;

/// The media type of a download of a file named `name`, from its extension (ASCII
/// case-insensitive); `application/octet-stream` for any other.
pub fn media_type_for(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// A request to the file store, after the token, URL and method checks.
pub(crate) async fn handle(
    shared: &Shared,
    parts: &request::Parts,
    body: Body,
    query: &Query,
) -> Response {
    if parts.method == Method::POST {
        upload(shared, parts, body, query).await
    } else {
        let response = download(shared, query).await;
        answer(parts, body, response).await
    }
}

fn refusal(status: StatusCode, code: &'static str, message: &str) -> Response {
    ApiError {
        status,
        code,
        message: message.to_owned(),
        details: json!({}),
        envelope: Envelope::TopLevel,
    }
    .into_response()
}

/// One file's result, keys in Zoho's order.
#[derive(Serialize)]
struct Uploaded {
    status: &'static str,
    code: &'static str,
    message: String,
    details: UploadedDetails,
}

#[derive(Serialize)]
struct UploadedDetails {
    name: String,
    id: String,
}

/// Whether the query asks for inline files.
fn is_inline(query: &Query) -> Result<bool, ApiError> {
    Ok(query.get("type")? == Some("inline") || query.get("inline")? == Some("inline"))
}

/// `POST .../files`.
async fn upload(shared: &Shared, parts: &request::Parts, body: Body, query: &Query) -> Response {
    let inline = match is_inline(query) {
        Ok(inline) => inline,
        Err(error) => return reject(parts, body, error).await,
    };
    let boundary = match multipart::boundary(parts.headers.get(CONTENT_TYPE)) {
        Ok(boundary) => boundary,
        Err(error) => return reject(parts, body, error).await,
    };
    let limits = Limits {
        max_files: MAX_STORE_FILES,
        max_size: MAX_STORE_FILE_BYTES,
    };
    let received = match file_parts::read_files(body, boundary, &shared.storage, limits).await {
        Ok(received) => received,
        Err(error) => return error.into_response(),
    };
    let attachment_problem = "Problem in uploading attachment. kindly upload the file properly";
    if received.file_parts == 0 {
        return refusal(
            StatusCode::BAD_REQUEST,
            "failure_in_attachment_handling",
            attachment_problem,
        );
    }
    if received.file_parts > MAX_STORE_FILES {
        return refusal(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "unable to process your request. please verify whether you have entered proper method name, parameter and parameter values.",
        );
    }
    if received.oversize.is_some() {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
            "Please check if the size of the file is in the correct range",
        );
    }
    if received.empty {
        return refusal(
            StatusCode::BAD_REQUEST,
            "failure_in_attachment_handling",
            attachment_problem,
        );
    }
    let mut results = Vec::with_capacity(received.files.len());
    let mut files = shared.files.lock();
    for file in received.files {
        let blob = Blob {
            file_name: file.file_name.clone(),
            size: file.size,
            sha256: file.sha256,
            path: file.file.keep(),
            bytes: None,
        };
        let id = files.add_file(blob, inline, false);
        results.push(Uploaded {
            status: "success",
            code: "SUCCESS",
            message: format!("{} uploaded successfully", file.file_name),
            details: UploadedDetails {
                name: file.file_name,
                id,
            },
        });
    }
    drop(files);
    (StatusCode::OK, Json(DataEnvelope { data: results })).into_response()
}

/// `GET .../files?id=`.
async fn download(shared: &Shared, query: &Query) -> Response {
    let id = match query.get("id") {
        Ok(Some(id)) => id,
        Ok(None) => return ApiError::required_param_missing("id").into_response(),
        Err(error) => return error.into_response(),
    };
    let Some(file) = shared.files.lock().file(id).cloned() else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let blob = file.blob;
    let media_type = HeaderValue::from_static(media_type_for(&blob.file_name));
    let disposition = Some((blob.file_name.as_str(), shared.disposition_style()));
    operations::serve_file(
        blob.path.clone(),
        blob.bytes.clone(),
        blob.size,
        media_type,
        disposition,
    )
    .await
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn media_types_by_extension() {
        assert_eq!(media_type_for("a.PDF"), "application/pdf");
        assert_eq!(media_type_for("photo.jpeg"), "image/jpeg");
        assert_eq!(media_type_for("notes"), "application/octet-stream");
        assert_eq!(media_type_for("archive.tar.gz"), "application/octet-stream");
    }
}
