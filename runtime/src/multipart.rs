//! A streaming multipart/form-data encoder: small text parts in memory, file parts streamed from
//! their source (each with its media type, as a browser sends it), with an exact Content-Length
//! so the server sees an ordinary (not chunked) body.

use bytes::Bytes;
use futures_util::{StreamExt as _, stream};

use crate::file_source::OpenedFile;

/// A multipart/form-data body under construction.
#[derive(Debug)]
pub struct MultipartBody {
    boundary: String,
    parts: Vec<Part>,
}

#[derive(Debug)]
enum Part {
    Text {
        field: &'static str,
        value: String,
    },
    File {
        field: &'static str,
        file: OpenedFile,
    },
}

impl MultipartBody {
    /// An empty body with a fresh random boundary.
    pub fn new() -> Self {
        MultipartBody {
            boundary: random_boundary(),
            parts: Vec::new(),
        }
    }

    /// Adds a text field. The value must already be validated (no control characters).
    pub fn text(mut self, field: &'static str, value: impl Into<String>) -> Self {
        self.parts.push(Part::Text {
            field,
            value: value.into(),
        });
        self
    }

    /// Adds a file field, streamed from the opened file.
    pub fn file(mut self, field: &'static str, file: OpenedFile) -> Self {
        self.parts.push(Part::File { field, file });
        self
    }

    /// The Content-Type header value, with the boundary.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// Splits the body into its exact length and a stream of its bytes.
    pub(crate) fn into_stream(
        self,
    ) -> (
        u64,
        impl futures_util::Stream<Item = std::io::Result<Bytes>>,
    ) {
        let mut length = 0u64;
        let mut pieces = Vec::with_capacity(self.parts.len() * 2 + 1);
        for part in self.parts {
            match part {
                Part::Text { field, value } => {
                    let mut bytes = part_header(&self.boundary, field, None).into_bytes();
                    bytes.extend_from_slice(b"\r\n");
                    bytes.extend_from_slice(value.as_bytes());
                    bytes.extend_from_slice(b"\r\n");
                    length += bytes.len() as u64;
                    pieces.push(stream::once(std::future::ready(Ok(Bytes::from(bytes)))).boxed());
                }
                Part::File { field, file } => {
                    let mut head =
                        part_header(&self.boundary, field, Some(&file.name)).into_bytes();
                    // A plain `type/subtype` of token characters (see `media_type`), so it
                    // needs no quoting; counted in the length with the rest of the head.
                    head.extend_from_slice(b"Content-Type: ");
                    head.extend_from_slice(file.media_type.as_bytes());
                    head.extend_from_slice(b"\r\n\r\n");
                    length += head.len() as u64 + file.length + 2;
                    pieces.push(stream::once(std::future::ready(Ok(Bytes::from(head)))).boxed());
                    pieces.push(file.stream.boxed());
                    pieces.push(
                        stream::once(std::future::ready(Ok(Bytes::from_static(b"\r\n")))).boxed(),
                    );
                }
            }
        }
        let tail = format!("--{}--\r\n", self.boundary);
        length += tail.len() as u64;
        pieces.push(stream::once(std::future::ready(Ok(Bytes::from(tail)))).boxed());
        (length, stream::iter(pieces).flatten())
    }
}

impl Default for MultipartBody {
    fn default() -> Self {
        Self::new()
    }
}

fn part_header(boundary: &str, field: &str, file_name: Option<&str>) -> String {
    let mut header = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
        escape_quoted(field)
    );
    if let Some(name) = file_name {
        header.push_str("; filename=\"");
        header.push_str(&escape_quoted(name));
        header.push('"');
    }
    header.push_str("\r\n");
    header
}

/// Escapes a value for a quoted multipart header parameter the way browsers do (the HTML
/// standard's multipart/form-data encoding): `"` becomes `%22`, CR `%0D` and LF `%0A`. Other
/// characters, non-ASCII included, are sent as UTF-8.
pub fn escape_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

fn random_boundary() -> String {
    let mut random = [0u8; 16];
    // A boundary only has to be unlikely to occur in the content; if the OS generator fails,
    // fall back to the clock and a counter rather than failing the upload.
    if getrandom::fill(&mut random).is_err() {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        random[..8].copy_from_slice(&(nanos as u64).to_le_bytes());
        random[8..].copy_from_slice(&count.to_le_bytes());
    }
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("zoho-crm-rs-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_source::{FileSource, UploadLimits};

    const LIMITS: UploadLimits = UploadLimits {
        max_file_bytes: 1024,
        forbidden_extensions: &[],
        image: None,
    };

    async fn encode(body: MultipartBody) -> (u64, Vec<u8>) {
        let (length, mut stream) = body.into_stream();
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => out.extend_from_slice(&chunk),
                Err(e) => panic!("stream failed: {e}"),
            }
        }
        (length, out)
    }

    #[tokio::test]
    async fn declared_length_matches_the_bytes_produced() {
        let file = match FileSource::from_bytes("a \"b\".txt", &b"hello"[..])
            .open(&LIMITS)
            .await
        {
            Ok(file) => file,
            Err(e) => panic!("{e}"),
        };
        let body = MultipartBody::new()
            .file("file", file)
            .text("title", "naïve");
        let boundary = body.boundary.clone();
        let (length, bytes) = encode(body).await;
        assert_eq!(length, bytes.len() as u64);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("name=\"file\"; filename=\"a %22b%22.txt\"\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\n\r\nhello\r\n"), "{text}");
        assert!(text.contains("name=\"title\"\r\n\r\nnaïve\r\n"), "{text}");
        assert!(text.ends_with(&format!("--{boundary}--\r\n")), "{text}");
    }

    /// What a real multipart parser reads from a body: each part's field name, file name,
    /// media type and bytes.
    async fn parse(body: MultipartBody) -> Vec<(String, Option<String>, Option<String>, Vec<u8>)> {
        let boundary = body.boundary.clone();
        let (length, bytes) = encode(body).await;
        assert_eq!(length, bytes.len() as u64);
        let chunks = stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]);
        let mut parser = multer::Multipart::new(chunks, boundary);
        let mut parts = Vec::new();
        loop {
            let field = match parser.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => panic!("the body does not parse: {e}"),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let media_type = field.content_type().map(ToString::to_string);
            match field.bytes().await {
                Ok(bytes) => parts.push((name, file_name, media_type, bytes.to_vec())),
                Err(e) => panic!("a part does not parse: {e}"),
            }
        }
        parts
    }

    #[tokio::test]
    async fn file_parts_carry_the_media_type_of_their_extension() {
        let mut body = MultipartBody::new();
        for (name, content) in [
            ("report.pdf", &b"%PDF-1.7"[..]),
            ("blob.qqqz", b"?"),
            ("Photo.JPG", b"\xff\xd8"),
        ] {
            match FileSource::from_bytes(name, content).open(&LIMITS).await {
                Ok(file) => body = body.file("file", file),
                Err(e) => panic!("{e}"),
            }
        }
        let parts = parse(body.text("title", "a")).await;
        let expected = [
            (
                "file",
                Some("report.pdf"),
                Some("application/pdf"),
                &b"%PDF-1.7"[..],
            ),
            (
                "file",
                Some("blob.qqqz"),
                Some("application/octet-stream"),
                b"?",
            ),
            ("file", Some("Photo.JPG"), Some("image/jpeg"), b"\xff\xd8"),
            ("title", None, None, b"a"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(field, file, media, bytes)| {
                (
                    (*field).to_owned(),
                    file.map(str::to_owned),
                    media.map(str::to_owned),
                    bytes.to_vec(),
                )
            })
            .collect();
        assert_eq!(parts, expected);
    }

    #[test]
    fn boundaries_differ() {
        assert_ne!(random_boundary(), random_boundary());
    }
}
