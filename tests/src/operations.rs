//! The attachment operations besides upload: list, download, delete one, delete many.
//! Each runs after the common checks in [`crate::server`] (token, URL, method, module,
//! record id) and is answered as documented on [`crate::server`].

use std::io;
use std::path::PathBuf;

use axum::Json;
use axum::body::Body;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::query::{self, Query};
use crate::responses::{self, ApiError, USER_ID, USER_NAME};
use crate::state::{Disposition, EmptyList, Found, Paging, Shared, Summary};

/// The fields of a list item, in the order they are sent (`$field_states` from v8 on only).
pub const LIST_FIELDS: [&str; 17] = [
    "id",
    "File_Name",
    "Size",
    "Created_Time",
    "Modified_Time",
    "Owner",
    "Created_By",
    "Modified_By",
    "Parent_Id",
    "$editable",
    "$file_id",
    "$type",
    "$se_module",
    "$state",
    "$link_url",
    "$sharing_permission",
    "$field_states",
];

/// The user's e-mail, which v8 adds to the users of list items.
pub const USER_EMAIL: &str = "patricia.boyle@example.com";

/// The largest `per_page` (Zoho's limit), also the default.
pub const MAX_PER_PAGE: u64 = 200;

/// The most ids one delete-many request may name (the server's choice; Zoho documents no
/// number for attachments, 100 is its limit for deleting records).
pub const MAX_DELETE_IDS: usize = 100;

/// The size of the chunks a download reads from disk.
const READ_CHUNK: usize = 256 * 1024;

/// A response extension marking a successful download (so
/// [`crate::Fault::Disposition`] knows where to apply).
#[derive(Clone, Copy, Debug)]
pub(crate) struct IsDownload;

/// The URL's record: module, record id and API version.
pub(crate) struct Record<'a> {
    pub(crate) version: &'a str,
    pub(crate) module: &'a str,
    pub(crate) record_id: &'a str,
}

/// The user shown as owner, creator and modifier (with an e-mail from v8 on).
#[derive(Serialize)]
struct User {
    name: &'static str,
    id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'static str>,
}

const USER: User = User {
    name: USER_NAME,
    id: USER_ID,
    email: None,
};

const USER_V8: User = User {
    email: Some(USER_EMAIL),
    ..USER
};

#[derive(Serialize)]
struct ParentId<'a> {
    id: &'a str,
    name: String,
}

/// One list item with only the selected fields, as the call's API version has them.
struct Item<'a> {
    summary: &'a Summary,
    selected: &'a [bool; LIST_FIELDS.len()],
    v8: bool,
}

/// `$file_id` of a file: 32 hex digits derived from the attachment id.
fn file_id(id: &str) -> String {
    Sha256::digest(format!("file:{id}").as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Serialize for Item<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let s = self.summary;
        let is_file = s.link_url.is_none();
        let mut map = serializer.serialize_map(None)?;
        for (name, selected) in LIST_FIELDS.iter().zip(self.selected) {
            if !selected {
                continue;
            }
            match *name {
                "id" => map.serialize_entry(name, &s.id)?,
                "File_Name" => map.serialize_entry(name, &s.file_name)?,
                "Size" => map.serialize_entry(name, &s.size.to_string())?,
                "Created_Time" | "Modified_Time" => map.serialize_entry(name, &s.created_time)?,
                "Owner" | "Created_By" | "Modified_By" if self.v8 => {
                    map.serialize_entry(name, &USER_V8)?
                }
                "Owner" | "Created_By" | "Modified_By" => map.serialize_entry(name, &USER)?,
                "Parent_Id" => map.serialize_entry(
                    name,
                    &ParentId {
                        id: &s.record_id,
                        name: format!("{} {}", s.module, s.record_id),
                    },
                )?,
                "$editable" => map.serialize_entry(name, &true)?,
                "$file_id" => map.serialize_entry(name, &is_file.then(|| file_id(&s.id)))?,
                "$type" => map.serialize_entry(name, s.kind.zoho_type())?,
                "$se_module" => map.serialize_entry(name, &s.module)?,
                "$state" => map.serialize_entry(name, "active")?,
                "$link_url" => map.serialize_entry(name, &s.link_url)?,
                "$sharing_permission" => map.serialize_entry(name, "Public")?,
                "$field_states" if self.v8 => map.serialize_entry(name, &())?,
                _ => {}
            }
        }
        map.end()
    }
}

/// The `info` object of a list reply.
#[derive(Serialize)]
struct Info {
    per_page: u64,
    count: usize,
    page: u64,
    more_records: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    tokens: Option<PageTokens>,
}

/// v8's page token keys in `info`.
#[derive(Serialize)]
struct PageTokens {
    next_page_token: Option<String>,
    previous_page_token: Option<String>,
    page_token_expiry: Option<String>,
}

#[derive(Serialize)]
struct ListReply<'a> {
    data: Vec<Item<'a>>,
    info: Info,
}

/// Which fields `fields` selects (`id` always); all of them when `fields` is absent or
/// empty. Unknown names are ignored.
fn selected_fields(fields: Option<&str>) -> [bool; LIST_FIELDS.len()] {
    let names: Vec<&str> = fields
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    let mut selected = [names.is_empty(); LIST_FIELDS.len()];
    for (flag, field) in selected.iter_mut().zip(LIST_FIELDS) {
        if field == "id" || names.contains(&field) {
            *flag = true;
        }
    }
    selected
}

/// Parses a whole number parameter within `min..=max`.
fn number(query: &Query, name: &str, default: u64, min: u64, max: u64) -> Result<u64, ApiError> {
    match query.get(name)? {
        None => Ok(default),
        Some(value) => value
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                let range = if max == u64::MAX {
                    format!("at least {min}")
                } else {
                    format!("from {min} to {max}")
                };
                ApiError::invalid_param(
                    name,
                    format!("`{name}` must be a whole number {range}, not `{value}`"),
                )
            }),
    }
}

/// `GET .../Attachments`: one page of the record's attachments, oldest first.
pub(crate) fn list(shared: &Shared, record: &Record<'_>, query: &Query) -> Response {
    try_list(shared, record, query).unwrap_or_else(IntoResponse::into_response)
}

fn try_list(shared: &Shared, record: &Record<'_>, query: &Query) -> Result<Response, ApiError> {
    let fields = query.get("fields")?;
    let fields_given = fields.is_some_and(|f| f.split(',').any(|name| !name.trim().is_empty()));
    if query::fields_required(record.version) && !fields_given {
        return Err(ApiError::required_param_missing("fields"));
    }
    let per_page = number(query, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)?;
    let page = number(query, "page", 1, 1, u64::MAX)?;
    let now = chrono::Utc::now().timestamp();
    let paging = shared.paging();
    let sent_token = query.get("page_token")?;
    let token_offset = match sent_token {
        None => None,
        Some(_) if !query::page_token_allowed(record.version) => {
            return Err(ApiError::invalid_param(
                "page_token",
                "`page_token` is supported from API v8 only; use `page`",
            ));
        }
        Some(token) => Some(
            query::decode_page_token(token, record.module, record.record_id, now)
                .map_err(|message| ApiError::invalid_param("page_token", message))?,
        ),
    };
    let ids: Option<Vec<&str>> = query.get("ids")?.and_then(|ids| {
        let ids: Vec<&str> = ids
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .collect();
        (!ids.is_empty()).then_some(ids)
    });

    let mut all = shared.summaries(record.module, record.record_id);
    if let Some(ids) = &ids {
        all.retain(|summary| ids.contains(&summary.id.as_str()));
    }
    let offset = match paging {
        Paging::IgnorePage => 0,
        _ => token_offset.unwrap_or_else(|| (page - 1).saturating_mul(per_page)),
    };
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(all.len());
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let on_page = &all[start..all.len().min(start.saturating_add(take))];
    // The token to repeat as the next one ([`Paging::RepeatToken`]).
    let repeated = sent_token.filter(|_| paging == Paging::RepeatToken);
    let more_records = match paging {
        Paging::Honest => start + on_page.len() < all.len(),
        Paging::RepeatToken => repeated.is_some() || start + on_page.len() < all.len(),
        Paging::Endless | Paging::IgnorePage => true,
    };

    if on_page.is_empty() && !more_records && shared.empty_list_style() == EmptyList::NoContent {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let tokens = query::page_token_allowed(record.version).then(|| {
        let expiry = now.saturating_add(query::PAGE_TOKEN_LIFETIME_SECS);
        let token =
            |offset: u64| query::encode_page_token(record.module, record.record_id, offset, expiry);
        let next = match repeated {
            Some(sent) => Some(sent.to_owned()),
            None => more_records.then(|| token(offset.saturating_add(on_page.len() as u64))),
        };
        PageTokens {
            page_token_expiry: next.as_ref().and_then(|_| query::zoho_time(expiry)),
            next_page_token: next,
            previous_page_token: (offset > 0).then(|| token(offset.saturating_sub(per_page))),
        }
    });
    let selected = selected_fields(fields);
    let reply = ListReply {
        data: on_page
            .iter()
            .map(|summary| Item {
                summary,
                selected: &selected,
                v8: query::v8_fields(record.version),
            })
            .collect(),
        info: Info {
            per_page,
            count: on_page.len(),
            page: offset / per_page + 1,
            more_records,
            tokens,
        },
    };
    Ok((StatusCode::OK, Json(reply)).into_response())
}

/// `quoted-string` content: `"` and `\` escaped, control characters replaced by `_`.
fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('_'),
            c => out.push(c),
        }
    }
    out
}

/// RFC 5987 `value-chars`: attr-chars as they are, every other byte as `%XX`.
fn rfc5987(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The `Content-Disposition` value for a download of `name` in `style`.
pub fn content_disposition(name: &str, style: Disposition) -> String {
    let style = match style {
        Disposition::Auto if name.is_ascii() => Disposition::Quoted,
        Disposition::Auto => Disposition::Rfc5987,
        other => other,
    };
    match style {
        Disposition::Quoted | Disposition::Auto => {
            format!("attachment; filename=\"{}\"", quote(name))
        }
        Disposition::Rfc5987 => format!("attachment; filename*=UTF-8''{}", rfc5987(name)),
        Disposition::Both => {
            let fallback: String = name
                .chars()
                .map(|c| if c.is_ascii() { c } else { '_' })
                .collect();
            format!(
                "attachment; filename=\"{}\"; filename*=UTF-8''{}",
                quote(&fallback),
                rfc5987(name)
            )
        }
    }
}

/// A body streaming `len` bytes of `file`; fails if the file ends early.
fn file_body(file: tokio::fs::File, len: u64) -> Body {
    let stream = futures_util::stream::unfold((file, len), |(mut file, left)| async move {
        if left == 0 {
            return None;
        }
        let want = usize::try_from(left).unwrap_or(READ_CHUNK).min(READ_CHUNK);
        let mut buffer = vec![0u8; want];
        match file.read(&mut buffer).await {
            Ok(0) => Some((
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the stored file is shorter than recorded",
                )),
                (file, 0),
            )),
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok(Bytes::from(buffer)), (file, left - n as u64)))
            }
            Err(error) => Some((Err(error), (file, 0))),
        }
    });
    Body::from_stream(stream)
}

/// `GET .../Attachments/{id}`: the file's bytes.
pub(crate) async fn download(shared: &Shared, record: &Record<'_>, id: &str) -> Response {
    let Some(found) = shared.find(record.module, record.record_id, id) else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let (file_name, content_type, size, path, bytes) = match found {
        Found::Link => return ApiError::download_not_allowed().into_response(),
        Found::File {
            file_name,
            content_type,
            size,
            path,
            bytes,
        } => (file_name, content_type, size, path, bytes),
    };
    let content_type = content_type
        .and_then(|ct| HeaderValue::from_str(&ct).ok())
        .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream"));
    let disposition = Some((file_name.as_str(), shared.disposition_style()));
    serve_file(path, bytes, size, content_type, disposition).await
}

/// A download's 200: `size` bytes streamed from `path` (or `bytes` when the content is not
/// on disk) with `Content-Type`, `Content-Length` and, given a file name and style,
/// `Content-Disposition`, marked [`IsDownload`]. A file gone from disk (deleted meanwhile), or
/// content stored without bytes, is a 204; a file that can't be opened, a 500.
pub(crate) async fn serve_file(
    path: Option<PathBuf>,
    bytes: Option<Vec<u8>>,
    size: u64,
    content_type: HeaderValue,
    disposition: Option<(&str, Disposition)>,
) -> Response {
    let body = match (path, bytes) {
        (Some(path), _) => match tokio::fs::File::open(&path).await {
            Ok(file) => file_body(file, size),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return StatusCode::NO_CONTENT.into_response();
            }
            Err(_) => {
                return ApiError::internal_error(StatusCode::INTERNAL_SERVER_ERROR).into_response();
            }
        },
        (None, Some(bytes)) => Body::from(bytes),
        (None, None) => return StatusCode::NO_CONTENT.into_response(),
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, content_type);
    headers.insert(CONTENT_LENGTH, HeaderValue::from(size));
    if let Some((file_name, style)) = disposition {
        let value = content_disposition(file_name, style);
        let value = HeaderValue::from_bytes(value.as_bytes()).unwrap_or_else(|_| {
            HeaderValue::from_str(&content_disposition(file_name, Disposition::Rfc5987))
                .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
        });
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response.extensions_mut().insert(IsDownload);
    response
}

/// Removes a stored file, ignoring errors (it is gone with the directory at the latest).
async fn remove_file(path: Option<PathBuf>) {
    if let Some(path) = path {
        let _ = tokio::fs::remove_file(path).await;
    }
}

/// Deletes one attachment: its `data[]` item.
async fn delete_item(shared: &Shared, record: &Record<'_>, id: &str) -> Result<Value, Value> {
    match shared.remove(record.module, record.record_id, id) {
        Some(file) => {
            remove_file(file).await;
            Ok(responses::deleted_item(id))
        }
        None => Err(ApiError::invalid_record_id(id).item()),
    }
}

/// `DELETE .../Attachments/{id}`.
pub(crate) async fn delete_one(shared: &Shared, record: &Record<'_>, id: &str) -> Response {
    match delete_item(shared, record, id).await {
        Ok(item) => (StatusCode::OK, Json(json!({ "data": [item] }))).into_response(),
        Err(_) => ApiError::invalid_record_id(id).into_response(),
    }
}

/// `DELETE .../Attachments?ids=a,b,c`.
pub(crate) async fn delete_many(shared: &Shared, record: &Record<'_>, query: &Query) -> Response {
    let ids = match query.get("ids") {
        Ok(ids) => ids.unwrap_or_default(),
        Err(error) => return error.into_response(),
    };
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .collect();
    if ids.is_empty() {
        return ApiError::required_param_missing("ids").into_response();
    }
    if ids.len() > MAX_DELETE_IDS {
        return ApiError::invalid_param(
            "ids",
            format!(
                "at most {MAX_DELETE_IDS} ids can be deleted at once, not {}",
                ids.len()
            ),
        )
        .into_response();
    }
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.push(match delete_item(shared, record, id).await {
            Ok(item) | Err(item) => item,
        });
    }
    (StatusCode::OK, Json(json!({ "data": items }))).into_response()
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn dispositions() {
        assert_eq!(
            content_disposition("a \"b\" \\c.txt", Disposition::Auto),
            r#"attachment; filename="a \"b\" \\c.txt""#
        );
        assert_eq!(
            content_disposition("naïve résumé.txt", Disposition::Auto),
            "attachment; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.txt"
        );
        assert_eq!(
            content_disposition("報告.txt", Disposition::Both),
            "attachment; filename=\"__.txt\"; filename*=UTF-8''%E5%A0%B1%E5%91%8A.txt"
        );
        assert_eq!(
            content_disposition("a\r\nb", Disposition::Quoted),
            "attachment; filename=\"a__b\""
        );
        assert_eq!(
            content_disposition("x'y%.txt", Disposition::Rfc5987),
            "attachment; filename*=UTF-8''x%27y%25.txt"
        );
    }

    #[test]
    fn field_selection() {
        let all = selected_fields(None);
        assert!(all.iter().all(|s| *s));
        assert_eq!(selected_fields(Some(" , ")), all);
        let some = selected_fields(Some("File_Name, $type,Unknown"));
        let names: Vec<&str> = LIST_FIELDS
            .iter()
            .zip(some)
            .filter(|(_, s)| *s)
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(names, ["id", "File_Name", "$type"]);
        assert_eq!(file_id("1").len(), 32);
    }
}
