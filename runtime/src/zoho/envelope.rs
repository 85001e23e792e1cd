//! Zoho's JSON envelopes: the `data[]` list of per-item results (`code`, `details`, `message`,
//! `status`), a listing's `data` and `info`, and the top-level `{code, details, message, status}`
//! error, decoded into typed results and the operation's typed errors.

use serde::de::DeserializeOwned;

use crate::error::{ApiErrorInfo, DecodeError, Error, OperationError, UnreadableSuccess};
use crate::response::snippet;

/// One item of Zoho's `data[]` result list for an action such as an upload: its code, message,
/// status and the operation's typed details. Only the details' identifying fields are needed;
/// a missing or null code, message or status reads as empty, and keys the envelope does not
/// name are kept in `extra`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ActionResponse<T> {
    /// `SUCCESS` for a stored item.
    #[serde(default, deserialize_with = "crate::wire::text_or_null::deserialize")]
    pub code: String,
    /// What the operation returns about the item.
    pub details: T,
    /// Zoho's message, e.g. "attachment uploaded successfully".
    #[serde(default, deserialize_with = "crate::wire::text_or_null::deserialize")]
    pub message: String,
    /// `success`.
    #[serde(default, deserialize_with = "crate::wire::text_or_null::deserialize")]
    pub status: String,
    /// Keys of the item that the envelope does not name, as received.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One page of a listing: its items, and the paging information when Zoho sent it (an empty
/// page may come as HTTP 204 with no body at all).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ListPage<T, I> {
    /// The items.
    pub data: Vec<T>,
    /// The paging information.
    pub info: Option<I>,
    /// Top-level keys of the answer other than `data` and `info`, as received.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The per-item results of an action on several items (e.g. deleting several attachments):
/// each item succeeded, or failed with the operation's typed error.
pub type ActionResults<T, E> = Vec<Result<ActionResponse<T>, E>>;

/// The error code in a body of either envelope, if it is one.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let item = match value.get("data") {
        Some(serde_json::Value::Array(items)) => items.first()?.clone(),
        _ => value,
    };
    item.get("code")?.as_str().map(str::to_owned)
}

/// Decodes an action response: the first `data[]` item on success, or the operation's typed
/// error from either envelope.
#[doc(hidden)]
pub fn decode_action<T: DeserializeOwned, E: OperationError>(
    status: u16,
    body: &[u8],
    success_status: &[u16],
) -> Result<ActionResponse<T>, Error<E>> {
    let decode_error = |reason: String| undecodable(status, body, reason);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(decode_error("the body is empty".into()));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| decode_error(format!("the body is not valid JSON ({e})")))?;
    let item = match value.get("data") {
        Some(serde_json::Value::Array(items)) => match items.first() {
            Some(item) => item.clone(),
            None => return Err(decode_error("the data list is empty".into())),
        },
        Some(_) => return Err(decode_error("`data` is not a list".into())),
        None => value,
    };
    if is_error(&item) || !success_status.contains(&status) {
        let info = error_info(status, &item)
            .ok_or_else(|| decode_error("an error response without a `code`".into()))?;
        return Err(Error::Api(E::from_api(info)));
    }
    let says_success = is_success(&item);
    let id = details_id(&item);
    serde_path_to_error::deserialize(item).map_err(|e| {
        let reason = format!("unexpected shape at {}: {}", e.path(), e.inner());
        if says_success {
            unreadable_success(status, body, reason, id)
        } else {
            decode_error(reason)
        }
    })
}

/// Decodes an error response of either envelope into the operation's error (or a decode error
/// when the body is not one).
#[doc(hidden)]
pub fn decode_error<E: OperationError>(status: u16, body: &[u8]) -> Error<E> {
    let decode_error = |reason: String| undecodable(status, body, reason);
    if body.iter().all(u8::is_ascii_whitespace) {
        return decode_error(format!("HTTP {status} with an empty body"));
    }
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return decode_error(format!("the body is not valid JSON ({e})")),
    };
    let item = match value.get("data") {
        Some(serde_json::Value::Array(items)) => items.first().cloned().unwrap_or_default(),
        _ => value,
    };
    match error_info(status, &item) {
        Some(info) => Error::Api(E::from_api(info)),
        None => decode_error("an error response without a `code`".into()),
    }
}

/// Decodes a listing: `{"data": [...], "info": {...}}`, or an empty page for an `empty` status.
#[doc(hidden)]
pub fn decode_list<T: DeserializeOwned, I: DeserializeOwned, E: OperationError>(
    status: u16,
    body: &[u8],
    success_status: &[u16],
    empty_status: &[u16],
) -> Result<ListPage<T, I>, Error<E>> {
    if empty_status.contains(&status) {
        return Ok(ListPage {
            data: Vec::new(),
            info: None,
            extra: serde_json::Map::new(),
        });
    }
    if !success_status.contains(&status) {
        return Err(decode_error(status, body));
    }
    let decode_error = |reason: String| undecodable(status, body, reason);
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| decode_error(format!("the body is not valid JSON ({e})")))?;
    if value.get("data").is_none() && value.get("code").is_some() {
        return Err(self::decode_error(status, body));
    }
    let data = match value.get("data") {
        Some(serde_json::Value::Null) | None => Vec::new(),
        Some(data) => serde_path_to_error::deserialize(data.clone()).map_err(|e| {
            decode_error(format!(
                "unexpected shape at data{}: {}",
                path_suffix(&e),
                e.inner()
            ))
        })?,
    };
    let info = match value.get("info") {
        Some(serde_json::Value::Null) | None => None,
        Some(info) => Some(serde_path_to_error::deserialize(info.clone()).map_err(|e| {
            decode_error(format!(
                "unexpected shape at info{}: {}",
                path_suffix(&e),
                e.inner()
            ))
        })?),
    };
    let extra = match value {
        serde_json::Value::Object(mut map) => {
            map.remove("data");
            map.remove("info");
            map
        }
        _ => serde_json::Map::new(),
    };
    Ok(ListPage { data, info, extra })
}

fn path_suffix(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    if path == "." {
        String::new()
    } else {
        format!(".{path}")
    }
}

/// Decodes per-item action results: each `data[]` item is a success or a typed error.
#[doc(hidden)]
pub fn decode_action_list<T: DeserializeOwned, E: OperationError>(
    status: u16,
    body: &[u8],
    success_status: &[u16],
) -> Result<ActionResults<T, E>, Error<E>> {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => return Err(decode_error(status, body)),
    };
    let Some(serde_json::Value::Array(items)) = value.get("data") else {
        return Err(decode_error(status, body));
    };
    if !success_status.contains(&status) && items.iter().all(is_error) {
        return Err(decode_error(status, body));
    }
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if is_error(item) {
            let info = error_info(status, item).ok_or_else(|| {
                undecodable(
                    status,
                    body,
                    format!("data[{index}] is an error without a `code`"),
                )
            })?;
            results.push(Err(E::from_api(info)));
        } else {
            let decoded = serde_path_to_error::deserialize(item.clone()).map_err(|e| {
                let reason = format!(
                    "unexpected shape at data[{index}]{}: {}",
                    path_suffix(&e),
                    e.inner()
                );
                if is_success(item) {
                    unreadable_success(status, body, reason, details_id(item))
                } else {
                    undecodable(status, body, reason)
                }
            })?;
            results.push(Ok(decoded));
        }
    }
    Ok(results)
}

fn is_error(item: &serde_json::Value) -> bool {
    item.get("status")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("error"))
}

/// Whether an item says, by its status or its code, that the action was carried out.
fn is_success(item: &serde_json::Value) -> bool {
    let says = |key: &str| {
        item.get(key)
            .and_then(serde_json::Value::as_str)
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("success"))
    };
    says("status") || says("code")
}

/// `details.id` of an item, as text, when it has one.
fn details_id(item: &serde_json::Value) -> Option<String> {
    match item.get("details")?.get("id")? {
        serde_json::Value::String(id) => Some(id.clone()),
        serde_json::Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

/// The error for an item that says SUCCESS but cannot be read.
fn unreadable_success<E: std::error::Error>(
    status: u16,
    body: &[u8],
    reason: String,
    id: Option<String>,
) -> Error<E> {
    Error::UnreadableSuccess(UnreadableSuccess {
        status,
        id,
        reason,
        snippet: snippet(body),
    })
}

fn error_info(status: u16, item: &serde_json::Value) -> Option<ApiErrorInfo> {
    let code = item.get("code")?.as_str()?.to_owned();
    let message = item
        .get("message")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let details = match item.get("details") {
        Some(serde_json::Value::Object(map)) => map.clone(),
        _ => serde_json::Map::new(),
    };
    Some(ApiErrorInfo {
        status,
        code,
        message,
        details,
    })
}

/// A decode error for `body`, with its status and a bounded snippet.
fn undecodable<E: std::error::Error>(status: u16, body: &[u8], reason: String) -> Error<E> {
    Error::Decode(DecodeError {
        status,
        reason,
        snippet: snippet(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TestError;
    use crate::response::SNIPPET_CHARS;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Details {
        id: String,
    }

    fn decode(status: u16, body: &str) -> Result<ActionResponse<Details>, Error<TestError>> {
        decode_action(status, body.as_bytes(), &[200, 201])
    }

    #[test]
    fn a_success_item_is_decoded() {
        let response = decode(
            200,
            r#"{"data":[{"code":"SUCCESS","details":{"id":"5"},"message":"ok","status":"success"}]}"#,
        );
        assert_eq!(
            response.ok().map(|r| r.details),
            Some(Details { id: "5".into() })
        );
    }

    #[test]
    fn both_error_envelopes_give_the_same_error() {
        let top =
            r#"{"code":"INVALID_DATA","details":{"id":"x"},"message":"bad","status":"error"}"#;
        let nested = format!("{{\"data\":[{top}]}}");
        for body in [top, nested.as_str()] {
            let Err(Error::Api(TestError(info))) = decode(400, body) else {
                panic!("not an API error: {body}");
            };
            assert_eq!(info.code, "INVALID_DATA");
            assert_eq!(info.status, 400);
            assert_eq!(info.message, "bad");
            assert_eq!(info.details.get("id"), Some(&serde_json::json!("x")));
        }
    }

    #[test]
    fn undecodable_bodies_keep_status_and_a_bounded_snippet() {
        let html = format!("<html>{}</html>", "x".repeat(5000));
        for (status, body) in [
            (502, html.as_str()),
            (200, ""),
            (200, r#"{"data":[{"code":"#),
        ] {
            let Err(Error::Decode(e)) = decode(status, body) else {
                panic!("not a decode error: {body}");
            };
            assert_eq!(e.status, status);
            assert!(e.snippet.chars().count() <= SNIPPET_CHARS);
            assert!(body.starts_with(e.snippet.trim_end()));
        }
    }

    #[test]
    fn a_body_that_is_not_text_is_described_not_shown() {
        let gzip = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0x56,
        ];
        let nul = b"{\"code\":\"X\0\"}".to_vec();
        for body in [&gzip[..], &nul[..]] {
            assert_eq!(
                snippet(body),
                format!("<{} bytes of binary data>", body.len())
            );
        }
        let decoded: Result<ActionResponse<Details>, Error<TestError>> =
            decode_action(502, &gzip, &[200]);
        let Err(Error::Decode(e)) = decoded else {
            panic!("not a decode error: {decoded:?}");
        };
        assert_eq!(e.snippet, "<12 bytes of binary data>");
        // Text with line breaks stays text, and a character cut at the end does not matter.
        assert_eq!(snippet(b"a\r\nb\tc"), "a  b c");
        assert_eq!(snippet("xé".as_bytes().get(..2).unwrap_or_default()), "x");
    }

    #[test]
    fn a_success_whose_details_cannot_be_read_is_an_unreadable_success() {
        let Err(Error::UnreadableSuccess(e)) = decode(
            200,
            r#"{"data":[{"code":"SUCCESS","details":{"id":{"n":5}},"message":"ok","status":"success"}]}"#,
        ) else {
            panic!("expected an unreadable success");
        };
        assert!(e.reason.contains("details.id"), "{}", e.reason);
        assert_eq!(e.status, 200);
        assert!(e.to_string().starts_with("succeeded"), "{e}");
    }

    #[test]
    fn an_unreadable_success_keeps_the_id_it_can_read() {
        #[derive(Debug, serde::Deserialize)]
        struct Strict {
            #[serde(rename = "Created_Time")]
            _created: String,
        }
        let body = r#"{"data":[{"code":"SUCCESS","details":{"id":"77"},"status":"success"}]}"#;
        let decoded: Result<ActionResponse<Strict>, Error<TestError>> =
            decode_action(201, body.as_bytes(), &[200, 201]);
        let Err(Error::UnreadableSuccess(e)) = decoded else {
            panic!("expected an unreadable success: {decoded:?}");
        };
        assert_eq!(e.id.as_deref(), Some("77"));
    }

    #[test]
    fn missing_and_null_envelope_fields_read_as_empty_and_unknown_keys_are_kept() {
        let response = decode(
            200,
            r#"{"data":[{"code":null,"details":{"id":"5"},"status":"success","trace":"t1"}]}"#,
        );
        let Ok(response) = response else {
            panic!("{response:?}");
        };
        assert_eq!(response.code, "");
        assert_eq!(response.message, "");
        assert_eq!(response.status, "success");
        assert_eq!(response.extra.get("trace"), Some(&serde_json::json!("t1")));
    }

    #[test]
    fn a_body_that_does_not_say_success_and_cannot_be_read_is_a_decode_error() {
        let Err(Error::Decode(e)) = decode(200, r#"{"data":[{"details":{"id":[1]}}]}"#) else {
            panic!("expected a decode error");
        };
        assert!(e.reason.contains("details.id"), "{}", e.reason);
    }

    #[test]
    fn a_list_keeps_top_level_keys_it_does_not_name_and_reads_null_data_as_empty() {
        let page: Result<ListPage<Details, serde_json::Value>, Error<TestError>> = decode_list(
            200,
            br#"{"data":null,"info":null,"warnings":["w"]}"#,
            &[200],
            &[204],
        );
        let Ok(page) = page else {
            panic!("{page:?}");
        };
        assert!(page.data.is_empty());
        assert_eq!(page.info, None);
        assert_eq!(page.extra.get("warnings"), Some(&serde_json::json!(["w"])));
    }
}
