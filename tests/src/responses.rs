//! Zoho-style JSON replies: the upload and delete success bodies and errors in Zoho's two
//! envelopes.
//!
//! Zoho sends errors either at the top level,
//! `{"code":..,"details":{..},"message":..,"status":"error"}`, or as an item of a `data`
//! array, `{"data":[{"code":..,"details":{..},"message":..,"status":"error"}]}`
//! ([`Envelope`]). Keys are serialised in the order Zoho's documentation shows.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::state::UploadDetails;

/// The user shown as creator and modifier of uploaded attachments (from Zoho's sample).
pub const USER_NAME: &str = "Patricia Boyle";
/// The id of [`USER_NAME`].
pub const USER_ID: &str = "738964000000291009";

/// Which of Zoho's two error shapes an error is sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Envelope {
    /// `{"code","details","message","status"}` at the top level.
    TopLevel,
    /// The same four keys inside `{"data":[...]}`.
    Data,
}

/// A Zoho-style error reply.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Zoho's error code, e.g. `INVALID_DATA`.
    pub code: &'static str,
    /// The human-readable message.
    pub message: String,
    /// The `details` object.
    pub details: Value,
    /// The envelope it is sent in.
    pub envelope: Envelope,
}

#[derive(Serialize)]
struct ErrorItem<'a> {
    code: &'a str,
    details: &'a Value,
    message: &'a str,
    status: &'static str,
}

/// `{"data": ..}`, for replies whose items are serialised in order.
#[derive(Serialize)]
pub(crate) struct DataEnvelope<T> {
    /// The items.
    pub(crate) data: T,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        details: Value,
        envelope: Envelope,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details,
            envelope,
        }
    }

    /// 401 `INVALID_TOKEN` "invalid oauth token" (top level).
    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_TOKEN",
            "invalid oauth token",
            json!({}),
            Envelope::TopLevel,
        )
    }

    /// 429 `TOO_MANY_REQUESTS` "too many requests" (top level).
    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "too many requests",
            json!({}),
            Envelope::TopLevel,
        )
    }

    /// `INTERNAL_ERROR` "Internal Server Error" with any HTTP status (top level).
    pub fn internal_error(status: StatusCode) -> Self {
        Self::new(
            status,
            "INTERNAL_ERROR",
            "Internal Server Error",
            json!({}),
            Envelope::TopLevel,
        )
    }

    /// 404 `INVALID_URL_PATTERN` (top level).
    pub fn invalid_url_pattern() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
            json!({}),
            Envelope::TopLevel,
        )
    }

    /// 400 `INVALID_REQUEST_METHOD` (top level).
    pub fn invalid_request_method() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_METHOD",
            "The http request method type is not a valid one",
            json!({}),
            Envelope::TopLevel,
        )
    }

    /// 400 `INVALID_MODULE` (top level).
    pub fn invalid_module() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_MODULE",
            "The module name given seems to be invalid",
            json!({}),
            Envelope::TopLevel,
        )
    }

    /// 400 `INVALID_DATA` "the related id given seems to be invalid", details `{"id": given}`
    /// (data envelope).
    pub fn invalid_record_id(given: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "the related id given seems to be invalid",
            json!({ "id": given }),
            Envelope::Data,
        )
    }

    /// 400 `INVALID_DATA` about the multipart body itself (top level): a missing or
    /// non-multipart `Content-Type`, or a body multer can't parse (`message`).
    pub fn invalid_multipart(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            message,
            json!({}),
            Envelope::TopLevel,
        )
    }

    /// 400 `INVALID_DATA` about the form fields (data envelope), details
    /// `{"param_name": field}`.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            message,
            json!({ "param_name": field }),
            Envelope::Data,
        )
    }

    /// 400 `FILE_SIZE_MORE_THAN_ALLOWED_SIZE` (data envelope).
    pub fn file_too_large() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
            "please check if the file size is in the correct range",
            json!({}),
            Envelope::Data,
        )
    }

    /// 400 `INVALID_DATA` "invalid file type" for `.exe` files (data envelope).
    pub fn invalid_file_type() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "invalid file type",
            json!({}),
            Envelope::Data,
        )
    }

    /// 400 `REQUIRED_PARAM_MISSING` "One of the expected parameter is missing", details
    /// `{"param_name": param}` (top level).
    pub fn required_param_missing(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            json!({ "param_name": param }),
            Envelope::TopLevel,
        )
    }

    /// 400 `INVALID_DATA` about a query parameter (top level), details
    /// `{"param_name": param}`.
    pub fn invalid_param(param: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            message,
            json!({ "param_name": param }),
            Envelope::TopLevel,
        )
    }

    /// 400 `DOWNLOAD_NOT_ALLOWED` for a link attachment (top level, empty details).
    pub fn download_not_allowed() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DOWNLOAD_NOT_ALLOWED",
            "Download is not allowed for link attachments",
            json!({}),
            Envelope::TopLevel,
        )
    }

    /// The `{"code","details","message","status"}` item of this error, as JSON (for
    /// replies that carry several items).
    pub fn item(&self) -> Value {
        json!({
            "code": self.code,
            "details": self.details,
            "message": self.message,
            "status": "error",
        })
    }

    /// 400 `INVALID_DATA` "invalid url" for a bad `attachmentUrl` (data envelope).
    pub fn invalid_url() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "invalid url",
            json!({ "param_name": "attachmentUrl" }),
            Envelope::Data,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let item = ErrorItem {
            code: self.code,
            details: &self.details,
            message: &self.message,
            status: "error",
        };
        match self.envelope {
            Envelope::TopLevel => (self.status, Json(item)).into_response(),
            Envelope::Data => (self.status, Json(DataEnvelope { data: [item] })).into_response(),
        }
    }
}

#[derive(Serialize)]
struct User {
    name: &'static str,
    id: &'static str,
}

#[derive(Serialize)]
struct SuccessDetails<'a> {
    #[serde(rename = "Modified_Time")]
    modified_time: &'a str,
    #[serde(rename = "Modified_By")]
    modified_by: User,
    #[serde(rename = "Created_Time")]
    created_time: &'a str,
    id: &'a str,
    #[serde(rename = "Created_By")]
    created_by: User,
}

#[derive(Serialize)]
struct SuccessItem<'a> {
    code: &'static str,
    details: SuccessDetails<'a>,
    message: &'static str,
    status: &'static str,
}

/// The current time as Zoho writes it: RFC 3339, seconds precision, `+00:00`.
pub fn zoho_now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

/// The 200 reply for a stored attachment, shaped exactly like Zoho's sample response, or with
/// `details` holding the id alone.
pub fn upload_success(id: &str, time: &str, style: UploadDetails) -> Response {
    if style == UploadDetails::IdOnly {
        let item = json!({
            "code": "SUCCESS",
            "details": {"id": id},
            "message": "attachment uploaded successfully",
            "status": "success",
        });
        return (StatusCode::OK, Json(json!({ "data": [item] }))).into_response();
    }
    let user = || User {
        name: USER_NAME,
        id: USER_ID,
    };
    let item = SuccessItem {
        code: "SUCCESS",
        details: SuccessDetails {
            modified_time: time,
            modified_by: user(),
            created_time: time,
            id,
            created_by: user(),
        },
        message: "attachment uploaded successfully",
        status: "success",
    };
    (StatusCode::OK, Json(DataEnvelope { data: [item] })).into_response()
}

/// The `data[]` item for a deleted attachment:
/// `{"code":"SUCCESS","details":{"id":id},"message":"record deleted","status":"success"}`.
pub fn deleted_item(id: &str) -> Value {
    json!({
        "code": "SUCCESS",
        "details": { "id": id },
        "message": "record deleted",
        "status": "success",
    })
}
