//! Records with file-upload fields, after the common checks in [`crate::server`] (records
//! exist implicitly, as for attachments). The server knows the fields declared with
//! [`crate::LoopbackServer::add_file_field`] and nothing else of a record. Shapes, codes and
//! messages follow Zoho's OpenAPI description of records (`v8.0/record.json` and the
//! `v8.0/record` examples, crm-oas).
//!
//! - `GET /crm/{version}/{module}/{record_id}?fields=A,B`: 200
//!   `{"data":[{"id":"<record_id>","A":[{..}],"B":null}]}`, an empty field being `null`.
//!   Each file is `record.json`'s `FileDetails`: `Created_Time__s`, `File_Name__s`,
//!   `Modified_Time__s`, `Created_By__s`, `Size__s` (a string), `id` (the entry id),
//!   `Owner__s`, `Modified_By__s`, `File_Id__s`. (ZOHO-FACTS also names `attachment_Id`;
//!   `record.json` has no such key, and is followed.) `fields` may name `id` and the
//!   declared fields; any other name is 400 `INVALID_DATA` "invalid data", details
//!   `{"param_name":"fields"}` (top level, as the `getRecords` example for a bad `cvid`).
//!   Without `fields` it is 400 `REQUIRED_PARAM_MISSING` from v3 on (as list), and every
//!   declared field before.
//! - `PUT /crm/{version}/{module}/{record_id}` with `{"data":[{"<field>":[..]}]}` (JSON, at
//!   most [`MAX_BODY_BYTES`]): for each field named, an entry `{"File_Id__s":"<id>"}` (or
//!   the older `{"file_id":"<id>"}`) attaches the file-store file with that id, consuming the
//!   id; `{"id":"<entry id>","_delete":null}` removes that entry; entries not mentioned are
//!   kept. All or nothing: any error changes nothing. Success: 200 with `record.json`'s
//!   update example, `{"data":[{"code":"SUCCESS","details":{"Modified_Time","Modified_By",
//!   "Created_Time","id","Created_By","$approval_state"},"message":"record updated",
//!   "status":"success"}]}`. Errors (data envelope unless said): an undeclared field is 400
//!   `INVALID_DATA` "invalid data", details `{"api_name","json_path"}`; an unknown or
//!   consumed file id, an unknown entry id or a malformed entry is 400 `INVALID_DATA` `"The
//!   field value given for <field> is invalid"`, details `{"api_name","json_path"}` (the
//!   update example for `Company`); more files than the field holds is 400 `LIMIT_EXCEEDED`
//!   "Record insertion limit has been exceeded.", details `{"api_name","json_path",
//!   "maximum_length"}` (the message from `record.json`'s list, which also has one for
//!   image-upload fields; the details as the update example's `LIMIT_EXCEEDED`); no `data`
//!   list is 400 `MANDATORY_NOT_FOUND` "required field not found" and more than one record
//!   400 `LIMIT_EXCEEDED` "count of records in your request exceeds the limit" (top level).
//!   A body that is not `application/json` or not a JSON object is 400 `INVALID_DATA`
//!   "body", details `{"expected_data_type":"jsonobject"}` (top level; `record.json` lists the
//!   message "body" and the detail `expected_data_type`, Zoho gives no example); a body over
//!   [`MAX_BODY_BYTES`] is 413 `LIMIT_EXCEEDED` "limit exceeded", details
//!   `{"limit":1048576,"param_name":"body"}` (the kit's choice).
//! - `GET .../{record_id}/actions/download_fields_attachment?fields_attachment_id=<entry id>`:
//!   the entry's file, streamed, with `Content-Type` from its extension and
//!   `Content-Disposition` as an attachment download. An unknown entry is a 204 with no body,
//!   as an unknown attachment or file-store id is (Zoho documents no error for it); no
//!   `fields_attachment_id` is 400 `REQUIRED_PARAM_MISSING`.

use axum::Json;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode, request};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value, json};

use crate::bodies::{drain_body, expects_continue, reject};
use crate::file_state::{FieldEntry, Files};
use crate::file_store::media_type_for;
use crate::multipart::DRAIN_LIMIT;
use crate::operations::{self, Record};
use crate::query::{self, Query};
use crate::responses::{self, ApiError, DataEnvelope, Envelope, USER_ID, USER_NAME};
use crate::state::Shared;

/// The largest update body read, 1 MiB.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The query parameter naming the entry to download.
pub const FIELDS_ATTACHMENT_ID: &str = "fields_attachment_id";

fn error(
    status: StatusCode,
    code: &'static str,
    message: impl Into<String>,
    details: Value,
    envelope: Envelope,
) -> ApiError {
    ApiError {
        status,
        code,
        message: message.into(),
        details,
        envelope,
    }
}

/// A record route's request (`GET` or `PUT`), after the common checks.
pub(crate) async fn record(
    shared: &Shared,
    parts: &request::Parts,
    body: Body,
    record: &Record<'_>,
    query: &Query,
) -> Response {
    if parts.method == Method::PUT {
        return update(shared, parts, body, record).await;
    }
    if !expects_continue(parts) {
        drain_body(body).await;
    }
    get(shared, record, query).unwrap_or_else(IntoResponse::into_response)
}

#[derive(Serialize)]
struct User {
    name: &'static str,
    id: &'static str,
}

const USER: User = User {
    name: USER_NAME,
    id: USER_ID,
};

/// A field's file, as `record.json`'s `FileDetails` (keys in its order).
#[derive(Serialize)]
struct FileDetails<'a> {
    #[serde(rename = "Created_Time__s")]
    created_time: &'a str,
    #[serde(rename = "File_Name__s")]
    file_name: &'a str,
    #[serde(rename = "Modified_Time__s")]
    modified_time: &'a str,
    #[serde(rename = "Created_By__s")]
    created_by: User,
    #[serde(rename = "Size__s")]
    size: String,
    id: &'a str,
    #[serde(rename = "Owner__s")]
    owner: User,
    #[serde(rename = "Modified_By__s")]
    modified_by: User,
    #[serde(rename = "File_Id__s")]
    file_id: &'a str,
}

impl<'a> FileDetails<'a> {
    fn of(entry: &'a FieldEntry) -> Self {
        Self {
            created_time: &entry.created_time,
            file_name: &entry.blob.file_name,
            modified_time: &entry.created_time,
            created_by: USER,
            size: entry.blob.size.to_string(),
            id: &entry.entry_id,
            owner: USER,
            modified_by: USER,
            file_id: &entry.file_id,
        }
    }
}

/// The record as read: its id first, then the fields in the order asked.
struct RecordView<'a> {
    id: &'a str,
    fields: Vec<(&'a str, Vec<FileDetails<'a>>)>,
}

impl Serialize for RecordView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.fields.len() + 1))?;
        map.serialize_entry("id", self.id)?;
        for (name, files) in &self.fields {
            if files.is_empty() {
                map.serialize_entry(name, &())?;
            } else {
                map.serialize_entry(name, files)?;
            }
        }
        map.end()
    }
}

/// `GET /crm/{version}/{module}/{record_id}`.
fn get(shared: &Shared, record: &Record<'_>, query: &Query) -> Result<Response, ApiError> {
    let fields = query
        .get("fields")?
        .filter(|fields| !fields.trim().is_empty());
    let files = shared.files.lock();
    let names: Vec<String> = match fields {
        Some(fields) => fields
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty() && *name != "id")
            .map(str::to_owned)
            .collect(),
        None if query::fields_required(record.version) => {
            return Err(ApiError::required_param_missing("fields"));
        }
        None => files.fields_of(record.module),
    };
    if names
        .iter()
        .any(|name| files.field_max(record.module, name).is_none())
    {
        return Err(ApiError::invalid_param("fields", "invalid data"));
    }
    let view = RecordView {
        id: record.record_id,
        fields: names
            .iter()
            .map(|name| {
                let entries = files.entries(record.module, record.record_id, name);
                (name.as_str(), entries.iter().map(FileDetails::of).collect())
            })
            .collect(),
    };
    Ok((StatusCode::OK, Json(DataEnvelope { data: [view] })).into_response())
}

/// Whether a `Content-Type` is JSON (`application/json`, parameters allowed).
fn is_json(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

fn not_a_json_object() -> ApiError {
    error(
        StatusCode::BAD_REQUEST,
        "INVALID_DATA",
        "body",
        json!({ "expected_data_type": "jsonobject" }),
        Envelope::TopLevel,
    )
}

/// Reads a body of at most [`MAX_BODY_BYTES`]; `None` if it is longer (the rest is read and
/// discarded, up to [`DRAIN_LIMIT`]) or fails.
async fn read_body(body: Body) -> Option<Vec<u8>> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut total: u64 = 0;
    let mut over = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.ok()?;
        total = total.saturating_add(chunk.len() as u64);
        if total > DRAIN_LIMIT {
            return None;
        }
        if !over && bytes.len() + chunk.len() <= MAX_BODY_BYTES {
            bytes.extend_from_slice(&chunk);
        } else {
            over = true;
            bytes = Vec::new();
        }
    }
    (!over).then_some(bytes)
}

/// The update's success details, keys in the order of `record.json`'s example.
#[derive(Serialize)]
struct UpdatedDetails<'a> {
    #[serde(rename = "Modified_Time")]
    modified_time: &'a str,
    #[serde(rename = "Modified_By")]
    modified_by: User,
    #[serde(rename = "Created_Time")]
    created_time: &'a str,
    id: &'a str,
    #[serde(rename = "Created_By")]
    created_by: User,
    #[serde(rename = "$approval_state")]
    approval_state: &'static str,
}

#[derive(Serialize)]
struct Updated<'a> {
    code: &'static str,
    details: UpdatedDetails<'a>,
    message: &'static str,
    status: &'static str,
}

/// `PUT /crm/{version}/{module}/{record_id}`.
async fn update(
    shared: &Shared,
    parts: &request::Parts,
    body: Body,
    record: &Record<'_>,
) -> Response {
    if !is_json(parts.headers.get(CONTENT_TYPE)) {
        return reject(parts, body, not_a_json_object()).await;
    }
    let Some(bytes) = read_body(body).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "LIMIT_EXCEEDED",
            "limit exceeded",
            json!({ "limit": MAX_BODY_BYTES, "param_name": "body" }),
            Envelope::TopLevel,
        )
        .into_response();
    };
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&bytes) else {
        return not_a_json_object().into_response();
    };
    let data = match request.get("data") {
        Some(Value::Array(data)) if !data.is_empty() => data,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "MANDATORY_NOT_FOUND",
                "required field not found",
                json!({ "api_name": "data", "json_path": "$.data" }),
                Envelope::TopLevel,
            )
            .into_response();
        }
    };
    if data.len() > 1 {
        return error(
            StatusCode::BAD_REQUEST,
            "LIMIT_EXCEEDED",
            "count of records in your request exceeds the limit",
            json!({ "maximum_length": 1, "api_name": "data" }),
            Envelope::TopLevel,
        )
        .into_response();
    }
    let Value::Object(fields) = &data[0] else {
        return not_a_json_object().into_response();
    };
    let now = responses::zoho_now();
    let result = {
        let mut files = shared.files.lock();
        apply(&mut files, shared, record, fields, &now)
    };
    if let Err(error) = result {
        return error.into_response();
    }
    let reply = Updated {
        code: "SUCCESS",
        details: UpdatedDetails {
            modified_time: &now,
            modified_by: USER,
            created_time: &now,
            id: record.record_id,
            created_by: USER,
            approval_state: "approved",
        },
        message: "record updated",
        status: "success",
    };
    (StatusCode::OK, Json(DataEnvelope { data: [reply] })).into_response()
}

/// 400 `INVALID_DATA` about the value of `field` at `json_path`.
fn invalid_value(field: &str, json_path: String) -> ApiError {
    error(
        StatusCode::BAD_REQUEST,
        "INVALID_DATA",
        format!("The field value given for {field} is invalid"),
        json!({ "api_name": field, "json_path": json_path }),
        Envelope::Data,
    )
}

/// Checks every field of the update and then applies them all, or applies none.
fn apply(
    files: &mut Files,
    shared: &Shared,
    record: &Record<'_>,
    fields: &Map<String, Value>,
    now: &str,
) -> Result<(), ApiError> {
    let mut consumed: Vec<String> = Vec::new();
    let mut updates: Vec<(&str, Vec<FieldEntry>)> = Vec::new();
    for (field, value) in fields {
        if field == "id" {
            continue;
        }
        let path = format!("$.data[0].{field}");
        let Some(max) = files.field_max(record.module, field) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "INVALID_DATA",
                "invalid data",
                json!({ "api_name": field, "json_path": path }),
                Envelope::Data,
            ));
        };
        let Value::Array(items) = value else {
            return Err(invalid_value(field, path));
        };
        let mut entries = files
            .entries(record.module, record.record_id, field)
            .to_vec();
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{index}]");
            let Value::Object(item) = item else {
                return Err(invalid_value(field, item_path));
            };
            let file_id = item.get("File_Id__s").or_else(|| item.get("file_id"));
            match (item.get("id"), item.contains_key("_delete"), file_id) {
                (Some(Value::String(entry_id)), true, None) => {
                    let Some(at) = entries.iter().position(|e| e.entry_id == *entry_id) else {
                        return Err(invalid_value(field, format!("{item_path}.id")));
                    };
                    entries.remove(at);
                }
                (None, false, Some(Value::String(file_id))) => {
                    let file = files
                        .file(file_id)
                        .filter(|file| !file.consumed && !consumed.contains(file_id));
                    let Some(file) = file else {
                        return Err(invalid_value(field, format!("{item_path}.File_Id__s")));
                    };
                    consumed.push(file_id.clone());
                    entries.push(FieldEntry {
                        entry_id: shared.next_attachment_id(),
                        file_id: file_id.clone(),
                        blob: file.blob.clone(),
                        created_time: now.to_owned(),
                    });
                }
                // An entry named and kept as it is.
                (Some(Value::String(entry_id)), false, None)
                    if entries.iter().any(|e| e.entry_id == *entry_id) => {}
                _ => return Err(invalid_value(field, item_path)),
            }
        }
        if entries.len() > max {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "LIMIT_EXCEEDED",
                "Record insertion limit has been exceeded.",
                json!({ "api_name": field, "json_path": path, "maximum_length": max }),
                Envelope::Data,
            ));
        }
        updates.push((field, entries));
    }
    for id in &consumed {
        files.consume(id);
    }
    for (field, entries) in updates {
        files.set_entries(record.module, record.record_id, field, entries);
    }
    Ok(())
}

/// `GET .../actions/download_fields_attachment?fields_attachment_id=`.
pub(crate) async fn download(
    shared: &Shared,
    parts: &request::Parts,
    body: Body,
    record: &Record<'_>,
    query: &Query,
) -> Response {
    if !expects_continue(parts) {
        drain_body(body).await;
    }
    let entry_id = match query.get(FIELDS_ATTACHMENT_ID) {
        Ok(Some(id)) => id,
        Ok(None) => return ApiError::required_param_missing(FIELDS_ATTACHMENT_ID).into_response(),
        Err(error) => return error.into_response(),
    };
    let Some(entry) = shared
        .files
        .lock()
        .find_entry(record.module, record.record_id, entry_id)
        .cloned()
    else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let blob = entry.blob;
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
