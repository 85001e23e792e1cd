//! Request bodies answered without being read: drained first (so a client still sending gets
//! the reply rather than a reset connection), except when the client waits for
//! `100 Continue`, which then never comes (see [`crate::server`]).

use axum::body::Body;
use axum::http::header::EXPECT;
use axum::http::request;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::multipart::DRAIN_LIMIT;
use crate::responses::ApiError;

/// Reads and discards a request body, up to [`DRAIN_LIMIT`] bytes or the first error.
pub(crate) async fn drain_body(body: Body) {
    let mut stream = body.into_data_stream();
    let mut total: u64 = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        total = total.saturating_add(chunk.len() as u64);
        if total > DRAIN_LIMIT {
            break;
        }
    }
}

/// Drains the body (unless the client waits for `100 Continue`), then answers `response`;
/// for requests answered without reading their body.
pub(crate) async fn answer(parts: &request::Parts, body: Body, response: Response) -> Response {
    if !expects_continue(parts) {
        drain_body(body).await;
    }
    response
}

/// Whether the client waits for `100 Continue` before sending the body.
pub(crate) fn expects_continue(parts: &request::Parts) -> bool {
    parts
        .headers
        .get(EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

/// Answers a request rejected before its body was read with `error`.
pub(crate) async fn reject(parts: &request::Parts, body: Body, error: ApiError) -> Response {
    answer(parts, body, error.into_response()).await
}
