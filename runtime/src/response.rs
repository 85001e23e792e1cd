//! Reading an answer's body within a size bound, and showing its start in an error: a bounded,
//! printable snippet (binary bodies are described, not shown).

use futures_util::StreamExt as _;

/// The most bytes of a JSON response that are read; a larger answer is a decode error.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// How many characters of an undecodable body an error keeps.
pub const SNIPPET_CHARS: usize = 200;

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

/// The start of a body as printable text, for error messages (line breaks and tabs become
/// spaces). A body whose start is not text (not UTF-8, or control characters other than line
/// breaks and tabs, as in a compressed or binary answer) is described instead of shown:
/// `<N bytes of binary data>`.
pub(crate) fn snippet(body: &[u8]) -> String {
    let Some(text) = text_start(body) else {
        return format!("<{} bytes of binary data>", body.len());
    };
    text.chars()
        .take(SNIPPET_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The start of `body` (up to the bytes a snippet can show) as text, or `None` when it is not
/// text. A character cut off at the end of the inspected bytes does not count against it.
fn text_start(body: &[u8]) -> Option<&str> {
    let start = body
        .get(..body.len().min(SNIPPET_CHARS * 4))
        .unwrap_or(body);
    let text = match std::str::from_utf8(start) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(start.get(..e.valid_up_to()).unwrap_or_default()).ok()?
        }
        Err(_) => return None,
    };
    text.chars()
        .take(SNIPPET_CHARS)
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .then_some(text)
}
