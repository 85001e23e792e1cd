//! Record photos, `/crm/{version}/{module}/{record_id}/photo`, after the common checks in
//! [`crate::server`]. Shapes, codes, messages and statuses are those of Zoho's OpenAPI
//! description (`v8.0/record_photo/record_photo.yaml`, crm-oas) and its examples; every
//! answer is a single object, not a `data` list.
//!
//! - `POST`, multipart `file`: the photo replaces the record's photo (one per record). The
//!   checks, in order: a locked record ([`crate::LoopbackServer::set_locked`]) is 400
//!   `RECORD_LOCKED` "Sorry, you cannot perform this operation as the record is locked.",
//!   details `{"id": record_id}`; a file over [`MAX_PHOTO_BYTES`] is 413 `FILE_SIZE_EXCEEDS`
//!   "File exceeded its maximum limit", details `{"size": 10485760}` (Zoho's v7 page says 415
//!   `FILE_SIZE_MORE_THAN_ALLOWED_SIZE`; the OpenAPI example wins); no `file` part, or more
//!   than one, is 400 `INVALID_DATA`, details `{"param_name": "file"}` (the kit's choice: Zoho
//!   documents no example); a file that is not a PNG, JPEG, GIF or BMP by its magic bytes
//!   (or whose header can't be read) is 415 `INVALID_DATA` "invalid file type", details
//!   `{}`; more than [`MAX_PHOTO_PIXELS`] pixels is 415 `FILE_RESOLUTION_EXCEEDS` "File
//!   exceeded its maximum limit", details `{"resolution": width * height}`. Success: 200
//!   `{"code":"SUCCESS","details":{},"message":"Photo uploaded successfully","status":"success"}`
//!   (`record.json` spells it "photo uploaded successfully"; `record_photo.yaml` wins).
//! - `GET`: 200 with the image's bytes, `Content-Type` of its format and `Content-Length`,
//!   and no `Content-Disposition` (Zoho's photo has no file name) unless
//!   [`crate::LoopbackServer::set_photo_disposition`] turns one on; 204 with no body when
//!   the record has no photo.
//! - `DELETE`: 200 `{"code":"SUCCESS","details":{},"message":"Photo deleted successfully",
//!   "status":"success"}` (`record.json` and the v7 page say "Photo deleted"; the example
//!   wins). Zoho documents no error for a record without a photo, so that is answered the
//!   same way.

use axum::Json;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode, request};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::bodies::{answer, drain_body, expects_continue, reject};
use crate::file_parts::{self, Limits};
use crate::file_state::{Blob, Photo};
use crate::image;
use crate::multipart::{self, FILE_FIELD};
use crate::operations::{self, Record};
use crate::responses::{ApiError, Envelope};
use crate::state::Shared;

/// Zoho's largest photo, 10 MB, in bytes.
pub const MAX_PHOTO_BYTES: u64 = 10_485_760;

/// Zoho's largest photo resolution, 10 megapixels (width times height).
pub const MAX_PHOTO_PIXELS: u64 = 10_000_000;

/// A photo route's request, after the common checks.
pub(crate) async fn handle(
    shared: &Shared,
    parts: &request::Parts,
    body: Body,
    record: &Record<'_>,
) -> Response {
    if parts.method == Method::POST {
        upload(shared, parts, body, record).await
    } else if parts.method == Method::GET {
        if !expects_continue(parts) {
            drain_body(body).await;
        }
        download(shared, record).await
    } else {
        answer(parts, body, delete(shared, record).await).await
    }
}

fn error(
    status: StatusCode,
    code: &'static str,
    message: &str,
    details: serde_json::Value,
) -> ApiError {
    ApiError {
        status,
        code,
        message: message.to_owned(),
        details,
        envelope: Envelope::TopLevel,
    }
}

fn success(message: &str) -> Response {
    let body = json!({"code": "SUCCESS", "details": {}, "message": message, "status": "success"});
    (StatusCode::OK, Json(body)).into_response()
}

/// `POST .../photo`.
async fn upload(
    shared: &Shared,
    parts: &request::Parts,
    body: Body,
    record: &Record<'_>,
) -> Response {
    if shared
        .files
        .lock()
        .is_locked(record.module, record.record_id)
    {
        let locked = error(
            StatusCode::BAD_REQUEST,
            "RECORD_LOCKED",
            "Sorry, you cannot perform this operation as the record is locked.",
            json!({ "id": record.record_id }),
        );
        return reject(parts, body, locked).await;
    }
    let boundary = match multipart::boundary(parts.headers.get(CONTENT_TYPE)) {
        Ok(boundary) => boundary,
        Err(error) => return reject(parts, body, error).await,
    };
    let limits = Limits {
        max_files: 1,
        max_size: MAX_PHOTO_BYTES,
    };
    let mut received = match file_parts::read_files(body, boundary, &shared.storage, limits).await {
        Ok(received) => received,
        Err(error) => return error.into_response(),
    };
    if received.oversize.is_some() {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "FILE_SIZE_EXCEEDS",
            "File exceeded its maximum limit",
            json!({ "size": MAX_PHOTO_BYTES }),
        )
        .into_response();
    }
    let file = match (received.file_parts, received.files.pop()) {
        (1, Some(file)) => file,
        _ => {
            return ApiError::invalid_param(
                FILE_FIELD,
                "send the photo as exactly one multipart part named `file`",
            )
            .into_response();
        }
    };
    let Some(info) = image::read_header(&file.head) else {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "INVALID_DATA",
            "invalid file type",
            json!({}),
        )
        .into_response();
    };
    if info.pixels() > MAX_PHOTO_PIXELS {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "FILE_RESOLUTION_EXCEEDS",
            "File exceeded its maximum limit",
            json!({ "resolution": info.pixels() }),
        )
        .into_response();
    }
    let photo = Photo {
        blob: Blob {
            file_name: file.file_name,
            size: file.size,
            sha256: file.sha256,
            path: file.file.keep(),
            bytes: None,
        },
        info: Some(info),
    };
    let replaced = shared
        .files
        .lock()
        .set_photo(record.module, record.record_id, photo);
    remove(replaced).await;
    success("Photo uploaded successfully")
}

/// Removes a replaced or deleted photo's file from disk.
async fn remove(photo: Option<Photo>) {
    if let Some(path) = photo.and_then(|photo| photo.blob.path) {
        let _ = tokio::fs::remove_file(path).await;
    }
}

/// `GET .../photo`.
async fn download(shared: &Shared, record: &Record<'_>) -> Response {
    let Some(photo) = shared
        .files
        .lock()
        .photo(record.module, record.record_id)
        .cloned()
    else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let media_type = HeaderValue::from_static(photo.media_type());
    let name = if photo.blob.file_name.is_empty() {
        "photo"
    } else {
        photo.blob.file_name.as_str()
    };
    let disposition = shared
        .files
        .photo_disposition()
        .then(|| (name, shared.disposition_style()));
    operations::serve_file(
        photo.blob.path.clone(),
        photo.blob.bytes.clone(),
        photo.blob.size,
        media_type,
        disposition,
    )
    .await
}

/// `DELETE .../photo`.
async fn delete(shared: &Shared, record: &Record<'_>) -> Response {
    let removed = shared
        .files
        .lock()
        .remove_photo(record.module, record.record_id);
    remove(removed).await;
    success("Photo deleted successfully")
}
