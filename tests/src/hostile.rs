//! Answers of a hostile world, shared by both servers' faults: a body dripped one byte at a
//! time, a body sent with a content coding, an echo of the request, a redirect.
//!
//! Encoded bodies use deflate's stored (uncompressed) blocks: valid gzip and zlib streams that
//! any decoder reads, made without a compression library.

use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode, request};
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;

/// A content coding for [`crate::Fault::Encode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// `Content-Encoding: gzip` (RFC 1952).
    Gzip,
    /// `Content-Encoding: deflate`, which HTTP defines as the zlib format (RFC 1950).
    Deflate,
}

impl Coding {
    /// The `Content-Encoding` value.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }

    /// `data` encoded.
    pub fn encode(self, data: &[u8]) -> Vec<u8> {
        match self {
            Coding::Gzip => {
                let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
                out.extend(stored_blocks(data));
                out.extend(crc32(data).to_le_bytes());
                // ISIZE is the length modulo 2^32.
                out.extend((data.len() as u32).to_le_bytes());
                out
            }
            Coding::Deflate => {
                // CMF 0x78 (deflate, 32 KiB window), FLG 0x01: 0x7801 is a multiple of 31.
                let mut out = vec![0x78, 0x01];
                out.extend(stored_blocks(data));
                out.extend(adler32(data).to_be_bytes());
                out
            }
        }
    }
}

/// The largest body [`crate::Fault::Encode`] encodes (16 MiB); larger ones go out unencoded.
pub const MAX_ENCODED_BODY: usize = 16 * 1024 * 1024;

/// Deflate stored blocks holding `data` (RFC 1951, 3.2.4).
fn stored_blocks(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 5);
    let mut chunks = data.chunks(usize::from(u16::MAX)).peekable();
    if chunks.peek().is_none() {
        out.extend([1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = u16::try_from(chunk.len()).unwrap_or(u16::MAX);
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// CRC-32 (IEEE 802.3, as gzip uses it).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Adler-32 (as zlib uses it).
fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// `response` with its body encoded with `coding`, unless its length is unknown or over
/// [`MAX_ENCODED_BODY`] (then it is sent as it is).
pub(crate) async fn encode(response: Response, coding: Coding) -> Response {
    let (mut parts, body) = response.into_parts();
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .or_else(|| axum::body::HttpBody::size_hint(&body).exact());
    if declared.is_none_or(|len| len > MAX_ENCODED_BODY as u64) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ENCODED_BODY).await else {
        // The body failed while being read: end the answer the same way.
        let error = std::io::Error::other("the body could not be read");
        let failed = futures_util::stream::once(async move { Err::<Bytes, _>(error) });
        parts.headers.remove(CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from_stream(failed));
    };
    let encoded = coding.encode(&bytes);
    parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static(coding.name()));
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(encoded.len()));
    Response::from_parts(parts, Body::from(encoded))
}

/// `response` with its body sent one byte every `interval`, its full length announced when
/// known.
pub(crate) fn drip(response: Response, interval: Duration) -> Response {
    let (mut parts, body) = response.into_parts();
    if !parts.headers.contains_key(CONTENT_LENGTH)
        && let Some(len) = axum::body::HttpBody::size_hint(&body).exact()
    {
        parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    }
    let start = (body.into_data_stream(), Bytes::new());
    // One byte per turn; ends with the body.
    let stream = futures_util::stream::unfold(start, move |(mut inner, mut pending)| async move {
        while pending.is_empty() {
            match inner.next().await {
                Some(Ok(chunk)) => pending = chunk,
                Some(Err(error)) => {
                    return Some((Err(std::io::Error::other(error)), (inner, pending)));
                }
                None => return None,
            }
        }
        tokio::time::sleep(interval).await;
        let byte = pending.split_to(1);
        Some((Ok(byte), (inner, pending)))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// A `status` answer with `Location: location` and no body.
pub(crate) fn redirect(status: u16, location: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// A `status` answer whose `text/plain` body is `echoed`.
pub(crate) fn echo(status: StatusCode, echoed: String) -> Response {
    let mut response = Response::new(Body::from(echoed));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// A request's line and headers as text, the way a gateway prints what it received.
pub(crate) fn request_text(parts: &request::Parts) -> String {
    let mut text = format!("{} {} {:?}\r\n", parts.method, parts.uri, parts.version);
    for (name, value) in &parts.headers {
        text.push_str(&format!(
            "{name}: {}\r\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    text
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn checksums_match_published_values() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn stored_blocks_split_at_64_kib_and_mark_the_last() {
        assert_eq!(stored_blocks(b""), [1, 0, 0, 0xff, 0xff]);
        assert_eq!(stored_blocks(b"ab"), [1, 2, 0, 0xfd, 0xff, b'a', b'b']);
        let big = vec![7u8; 70_000];
        let blocks = stored_blocks(&big);
        assert_eq!(blocks.len(), 70_000 + 10);
        assert_eq!(blocks[0], 0);
        assert_eq!(blocks[5 + 65_535], 1);
    }
}
