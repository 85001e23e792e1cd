//! The bytes each operation puts on the wire, compared with recorded fixtures in `tests/wire/`.
//!
//! A raw TCP recorder on loopback reads each request whole (head, then a body of
//! `Content-Length` bytes) and answers a canned success, so what is compared is exactly what the
//! client sent. Only what legitimately varies is normalised: the port in `Host` and the random
//! multipart boundary. `UPDATE_EXPECT=1 cargo test -p zcrm-attachments --test wire` rewrites the fixtures.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use zoho_crm::operations::{
    DeleteAttachmentRequest, DeleteAttachmentsRequest, DownloadAttachmentRequest,
    ListAttachmentsRequest, UploadAttachmentRequest, UploadLinkAttachmentRequest,
};
use zoho_crm::{ApiVersion, Client, FileSource, Module};

const RECORD: &str = "3477061000005177002";
const ATTACHMENT: &str = "3477061000005177010";
const TOKEN: &str = "1000.wire-test-token";

const ACTION: &str = r#"{"data":[{"code":"SUCCESS","details":{"id":"3477061000005177010"},"message":"done","status":"success"}]}"#;
const ACTION_LIST: &str = r#"{"data":[{"code":"SUCCESS","details":{"id":"3477061000005177010"},"message":"done","status":"success"},{"code":"SUCCESS","details":{"id":"3477061000005177011"},"message":"done","status":"success"}]}"#;
const LIST: &str = r#"{"data":[{"id":"3477061000005177010","File_Name":"a.txt"}],"info":{"per_page":10,"count":1,"page":2,"more_records":false}}"#;

/// A loopback server that records every request and answers each with the same canned response.
struct Recorder {
    port: u16,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Recorder {
    async fn start(content_type: &'static str, body: &'static str) -> Recorder {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(listener) => listener,
            Err(e) => panic!("bind the recorder: {e}"),
        };
        let port = match listener.local_addr() {
            Ok(addr) => addr.port(),
            Err(e) => panic!("recorder address: {e}"),
        };
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let Some(request) = read_request(&mut socket).await else {
                    continue;
                };
                if let Ok(mut seen) = seen.lock() {
                    seen.push(request);
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        Recorder { port, requests }
    }

    fn client(&self) -> Client {
        match Client::builder()
            .base_url(format!("http://127.0.0.1:{}", self.port))
            .access_token(TOKEN)
            .build()
        {
            Ok(client) => client,
            Err(e) => panic!("client: {e}"),
        }
    }

    /// The one request recorded, normalised.
    fn only_request(&self) -> String {
        let requests = match self.requests.lock() {
            Ok(requests) => requests.clone(),
            Err(e) => panic!("recorder lock: {e}"),
        };
        assert_eq!(requests.len(), 1, "exactly one request is sent");
        normalise(&String::from_utf8_lossy(&requests[0]), self.port)
    }
}

/// Reads one HTTP/1.1 request: the head up to the blank line, then `Content-Length` bytes.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = find(&bytes, b"\r\n\r\n") {
            break at + 4;
        }
        let read = socket.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let read = socket.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    }
    Some(bytes)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Replaces the recorder's port and the multipart boundary, the only parts that vary by run.
fn normalise(request: &str, port: u16) -> String {
    let mut text = request.replace(&format!("127.0.0.1:{port}"), "127.0.0.1:PORT");
    let boundary = text.lines().find_map(|line| {
        line.split_once("boundary=")
            .map(|(_, b)| b.trim().to_owned())
    });
    if let Some(boundary) = boundary {
        text = text.replace(&boundary, "BOUNDARY");
    }
    text
}

/// Compares with `tests/wire/<name>.http`, or writes it when `UPDATE_EXPECT=1`.
fn expect(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wire")
        .join(format!("{name}.http"));
    if std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1") {
        if let Err(e) = std::fs::write(&path, actual) {
            panic!("write {}: {e}", path.display());
        }
        return;
    }
    let expected = match std::fs::read_to_string(&path) {
        Ok(expected) => expected,
        Err(e) => panic!(
            "read {}: {e} (record it with UPDATE_EXPECT=1)",
            path.display()
        ),
    };
    assert!(
        expected == actual,
        "{name}: the request on the wire changed.\n--- expected ({})\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

#[tokio::test]
async fn upload_attachment_sends_the_recorded_bytes() {
    let recorder = Recorder::start("application/json", ACTION).await;
    let file = FileSource::from_bytes("notes.txt", &b"hello, wire\n"[..]);
    let result = recorder
        .client()
        .upload_attachment(UploadAttachmentRequest::new(Module::Leads, RECORD, file))
        .await;
    assert!(result.is_ok(), "{result:?}");
    expect("upload_attachment", &recorder.only_request());
}

#[tokio::test]
async fn upload_link_attachment_at_the_default_version_sends_the_recorded_bytes() {
    let recorder = Recorder::start("application/json", ACTION).await;
    let request =
        UploadLinkAttachmentRequest::new(Module::Leads, RECORD, "https://www.zohocorp.com/a?b=c");
    let result = recorder.client().upload_link_attachment(request).await;
    assert!(result.is_ok(), "{result:?}");
    expect("upload_link_attachment_default", &recorder.only_request());
}

#[tokio::test]
async fn upload_link_attachment_at_v8_sends_the_recorded_bytes() {
    let recorder = Recorder::start("application/json", ACTION).await;
    let request =
        UploadLinkAttachmentRequest::new(Module::Contacts, RECORD, "https://www.zohocorp.com/")
            .title("Zoho & co")
            .version(ApiVersion::V8);
    let result = recorder.client().upload_link_attachment(request).await;
    assert!(result.is_ok(), "{result:?}");
    expect("upload_link_attachment_v8", &recorder.only_request());
}

#[tokio::test]
async fn list_attachments_with_every_query_parameter_sends_the_recorded_bytes() {
    let recorder = Recorder::start("application/json", LIST).await;
    let request = ListAttachmentsRequest::new(Module::Leads, RECORD)
        .fields(["id", "File_Name", "Size"])
        .page(2)
        .per_page(10)
        .ids([ATTACHMENT, "3477061000005177011"])
        .page_token("tok en/+")
        .version(ApiVersion::V8);
    let result = recorder.client().list_attachments(request).await;
    assert!(result.is_ok(), "{result:?}");
    expect("list_attachments", &recorder.only_request());
}

#[tokio::test]
async fn download_attachment_sends_the_recorded_bytes() {
    let recorder = Recorder::start("application/octet-stream", "file content").await;
    let request = DownloadAttachmentRequest::new(Module::Deals, RECORD, ATTACHMENT);
    let result = recorder.client().download_attachment(request).await;
    assert!(matches!(result, Ok(Some(_))), "{result:?}");
    expect("download_attachment", &recorder.only_request());
}

#[tokio::test]
async fn delete_attachment_sends_the_recorded_bytes() {
    let recorder = Recorder::start("application/json", ACTION).await;
    let request = DeleteAttachmentRequest::new(Module::Leads, RECORD, ATTACHMENT);
    let result = recorder.client().delete_attachment(request).await;
    assert!(result.is_ok(), "{result:?}");
    expect("delete_attachment", &recorder.only_request());
}

#[tokio::test]
async fn delete_attachments_sends_the_recorded_bytes() {
    let recorder = Recorder::start("application/json", ACTION_LIST).await;
    let request =
        DeleteAttachmentsRequest::new(Module::Leads, RECORD, [ATTACHMENT, "3477061000005177011"]);
    let result = recorder.client().delete_attachments(request).await;
    assert!(result.is_ok(), "{result:?}");
    expect("delete_attachments", &recorder.only_request());
}
