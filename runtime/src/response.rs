//! Reading responses within a size bound and decoding Zoho's JSON envelopes: the `data[]` list of
//! per-item results, and the top-level `{code, details, message, status}` error.

use futures_util::StreamExt as _;
use serde::de::DeserializeOwned;

use crate::error::{ApiErrorInfo, DecodeError, Error, OperationError};

/// The most bytes of a JSON response that are read; a larger answer is a decode error.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// How many characters of an undecodable body an error keeps.
pub const SNIPPET_CHARS: usize = 200;

/// One item of Zoho's `data[]` result list for an action such as an upload: its code, message,
/// status and the operation's typed details.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ActionResponse<T> {
    /// `SUCCESS` for a stored item.
    pub code: String,
    /// What the operation returns about the item.
    pub details: T,
    /// Zoho's message, e.g. "attachment uploaded successfully".
    pub message: String,
    /// `success`.
    pub status: String,
}

/// One page of a listing: its items, and the paging information when Zoho sent it (an empty
/// page may come as HTTP 204 with no body at all).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListPage<T, I> {
    /// The items.
    pub data: Vec<T>,
    /// The paging information.
    pub info: Option<I>,
}

/// The per-item results of an action on several items (e.g. deleting several attachments):
/// each item succeeded, or failed with the operation's typed error.
pub type ActionResults<T, E> = Vec<Result<ActionResponse<T>, E>>;

/// Reads a response body, keeping at most [`MAX_RESPONSE_BYTES`] (a longer body is cut there,
/// and then fails to decode with its start as the snippet).
pub(crate) async fn read_bounded_raw(
    response: reqwest::Response,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        let room = MAX_RESPONSE_BYTES - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_RESPONSE_BYTES {
            break;
        }
    }
    Ok(body)
}

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
pub(crate) fn decode_action<T: DeserializeOwned, E: OperationError>(
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
    serde_path_to_error::deserialize(item)
        .map_err(|e| decode_error(format!("unexpected shape at {}: {}", e.path(), e.inner())))
}

/// Decodes an error response of either envelope into the operation's error (or a decode error
/// when the body is not one).
pub(crate) fn decode_error<E: OperationError>(status: u16, body: &[u8]) -> Error<E> {
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
pub(crate) fn decode_list<T: DeserializeOwned, I: DeserializeOwned, E: OperationError>(
    status: u16,
    body: &[u8],
    success_status: &[u16],
    empty_status: &[u16],
) -> Result<ListPage<T, I>, Error<E>> {
    if empty_status.contains(&status) {
        return Ok(ListPage {
            data: Vec::new(),
            info: None,
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
        Some(data) => serde_path_to_error::deserialize(data.clone()).map_err(|e| {
            decode_error(format!(
                "unexpected shape at data{}: {}",
                path_suffix(&e),
                e.inner()
            ))
        })?,
        None => Vec::new(),
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
    Ok(ListPage { data, info })
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
pub(crate) fn decode_action_list<T: DeserializeOwned, E: OperationError>(
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
                undecodable(status, body, reason)
            })?;
            results.push(Ok(decoded));
        }
    }
    Ok(results)
}

fn is_error(item: &serde_json::Value) -> bool {
    item.get("status").and_then(serde_json::Value::as_str) == Some("error")
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

/// The start of a body as printable text, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .take(SNIPPET_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, thiserror::Error)]
    #[error("{0}")]
    struct TestError(ApiErrorInfo);

    impl OperationError for TestError {
        fn from_api(info: ApiErrorInfo) -> Self {
            TestError(info)
        }

        fn info(&self) -> &ApiErrorInfo {
            &self.0
        }

        fn resolution(&self) -> Option<&'static str> {
            None
        }
    }

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
    fn a_success_body_of_the_wrong_shape_names_the_field() {
        let Err(Error::Decode(e)) = decode(
            200,
            r#"{"data":[{"code":"SUCCESS","details":{"id":5},"message":"ok","status":"success"}]}"#,
        ) else {
            panic!("expected a decode error");
        };
        assert!(e.reason.contains("details.id"), "{}", e.reason);
    }
}
