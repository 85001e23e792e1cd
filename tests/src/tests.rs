//! Unit tests: a real server, driven with hand-written HTTP/1.1 over a TCP socket.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::{CannedReply, LoopbackServer, ServerConfig, StoredContent};

pub(crate) const BOUNDARY: &str = "----loopback-test-boundary-7MA4YWxkTrZu0gW";
pub(crate) const LEAD_PATH: &str = "/crm/v2/Leads/1000000231009/Attachments";
pub(crate) const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// A parsed HTTP reply.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("reply body is JSON")
    }
}

/// One multipart part: field name, optional file name, optional content type, content.
pub(crate) struct Part<'a> {
    name: &'a str,
    file_name: Option<&'a str>,
    content_type: Option<&'a str>,
    content: &'a [u8],
}

pub(crate) fn file_part<'a>(file_name: &'a str, content: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        file_name: Some(file_name),
        content_type: Some("application/octet-stream"),
        content,
    }
}

pub(crate) fn text_part<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part {
        name,
        file_name: None,
        content_type: None,
        content: value.as_bytes(),
    }
}

pub(crate) fn part_head(part: &Part<'_>) -> Vec<u8> {
    let mut head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"",
        part.name
    );
    if let Some(file_name) = part.file_name {
        head.push_str(&format!("; filename=\"{file_name}\""));
    }
    head.push_str("\r\n");
    if let Some(content_type) = part.content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

pub(crate) fn multipart_body(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(&part_head(part));
        body.extend_from_slice(part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(crate) fn multipart_content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A complete HTTP/1.1 request with `Connection: close` and a Content-Length.
pub(crate) fn request(
    method: &str,
    target: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<u8> {
    let mut head =
        format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Zoho-oauthtoken {token}\r\n"));
    }
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

pub(crate) fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("reply has a header block");
    let head = std::str::from_utf8(&raw[..split]).expect("reply head is UTF-8");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if let Some(len) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Reply {
        status,
        headers,
        body,
    }
}

/// Sends raw request bytes and reads the reply until the server closes the connection.
pub(crate) async fn send(addr: SocketAddr, bytes: &[u8]) -> Reply {
    timeout(IO_TIMEOUT, async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(bytes).await.expect("write request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read reply");
        parse_reply(&raw)
    })
    .await
    .expect("reply within the timeout")
}

pub(crate) async fn upload(
    server: &LoopbackServer,
    path: &str,
    token: &str,
    parts: &[Part<'_>],
) -> Reply {
    let body = multipart_body(parts);
    let ct = multipart_content_type();
    send(
        server.local_addr(),
        &request("POST", path, Some(token), Some(&ct), &body),
    )
    .await
}

pub(crate) fn assert_error(
    reply: &Reply,
    status: u16,
    code: &str,
    message: &str,
    data_envelope: bool,
) {
    assert_eq!(
        reply.status,
        status,
        "body: {}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let json = reply.json();
    let item = if data_envelope {
        let data = json["data"].as_array().expect("data array");
        assert_eq!(data.len(), 1);
        data[0].clone()
    } else {
        assert!(json.get("data").is_none());
        json
    };
    assert_eq!(item["code"], code);
    assert_eq!(item["message"], message);
    assert_eq!(item["status"], "error");
    assert!(item["details"].is_object());
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[tokio::test]
async fn successful_upload_is_stored_and_answered_like_zoho() {
    let server = LoopbackServer::start().await.expect("start");
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert!(!server.base_url().ends_with('/'));
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let reply = upload(
        &server,
        LEAD_PATH,
        server.token(),
        &[file_part("report.pdf", &content)],
    )
    .await;

    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let json = reply.json();
    let item = &json["data"][0];
    assert_eq!(item["code"], "SUCCESS");
    assert_eq!(item["message"], "attachment uploaded successfully");
    assert_eq!(item["status"], "success");
    let details = &item["details"];
    let id = details["id"].as_str().expect("id");
    assert_eq!(id, "738964000002118002");
    assert!(details["Created_Time"].is_string());
    assert_eq!(details["Created_Time"], details["Modified_Time"]);
    let time = details["Created_Time"].as_str().expect("time");
    assert_eq!(time.len(), 25);
    assert!(time.ends_with("+00:00"));
    assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok());
    for who in ["Created_By", "Modified_By"] {
        assert_eq!(details[who]["name"], "Patricia Boyle");
        assert_eq!(details[who]["id"], "738964000000291009");
    }
    // The exact key order of Zoho's sample.
    let text = String::from_utf8_lossy(&reply.body).into_owned();
    let id_key = format!("\"id\":\"{id}\"");
    let order = [
        "Modified_Time",
        "Modified_By",
        "Created_Time",
        &id_key,
        "Created_By",
    ];
    let positions: Vec<usize> = order.iter().map(|k| text.find(*k).expect("key")).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    let stored = server.attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, id);
    assert_eq!(stored[0].version, "v2");
    assert_eq!(stored[0].module, "Leads");
    assert_eq!(stored[0].record_id, "1000000231009");
    match &stored[0].content {
        StoredContent::File {
            file_name,
            content_type,
            size,
            sha256: digest,
            bytes,
        } => {
            assert_eq!(file_name, "report.pdf");
            assert_eq!(content_type.as_deref(), Some("application/octet-stream"));
            assert_eq!(*size, 100_000);
            assert_eq!(*digest, sha256(&content));
            assert_eq!(bytes.as_deref(), Some(&content[..]));
        }
        other => panic!("expected a file, got {other:?}"),
    }

    // A second upload gets the next id.
    let reply = upload(
        &server,
        LEAD_PATH,
        server.token(),
        &[file_part("b.txt", b"")],
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json()["data"][0]["details"]["id"],
        "738964000002118003"
    );
}

#[tokio::test]
async fn file_over_keep_limit_keeps_only_size_and_hash() {
    let server = LoopbackServer::start().await.expect("start");
    let content = vec![0xA5u8; (crate::KEEP_BYTES_LIMIT + 1) as usize];
    let reply = upload(
        &server,
        LEAD_PATH,
        server.token(),
        &[file_part("big.bin", &content)],
    )
    .await;
    assert_eq!(reply.status, 200);
    let stored = server.attachments();
    match &stored[0].content {
        StoredContent::File {
            size,
            sha256: digest,
            bytes,
            ..
        } => {
            assert_eq!(*size, crate::KEEP_BYTES_LIMIT + 1);
            assert_eq!(*digest, sha256(&content));
            assert!(bytes.is_none());
        }
        other => panic!("expected a file, got {other:?}"),
    }
}

#[tokio::test]
async fn chunked_upload_is_streamed_and_recorded() {
    let server = LoopbackServer::start().await.expect("start");
    let body = multipart_body(&[file_part("chunked.txt", b"hello chunked world")]);
    let mut bytes = format!(
        "POST {LEAD_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Authorization: Zoho-oauthtoken {}\r\nContent-Type: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.token(),
        multipart_content_type()
    )
    .into_bytes();
    for chunk in body.chunks(7) {
        bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        bytes.extend_from_slice(chunk);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    let reply = send(server.local_addr(), &bytes).await;
    assert_eq!(reply.status, 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].transfer_encoding.as_deref(), Some("chunked"));
    assert_eq!(requests[0].content_length, None);
    match &server.attachments()[0].content {
        StoredContent::File { size, bytes, .. } => {
            assert_eq!(*size, 19);
            assert_eq!(bytes.as_deref(), Some(&b"hello chunked world"[..]));
        }
        other => panic!("expected a file, got {other:?}"),
    }
}

#[tokio::test]
async fn link_upload_is_stored() {
    let server = LoopbackServer::start().await.expect("start");
    let path = "/crm/v8/CustomModule1/3477061000005177002/Attachments";
    let reply = upload(
        &server,
        path,
        server.token(),
        &[text_part("attachmentUrl", "https://www.zohocorp.com")],
    )
    .await;
    assert_eq!(reply.status, 200);
    let stored = server.attachments();
    assert_eq!(stored[0].module, "CustomModule1");
    assert_eq!(stored[0].version, "v8");
    assert!(
        matches!(&stored[0].content, StoredContent::Link { url } if url == "https://www.zohocorp.com")
    );

    let reply = upload(
        &server,
        path,
        server.token(),
        &[text_part("attachmentUrl", "ftp://example.com")],
    )
    .await;
    assert_error(&reply, 400, "INVALID_DATA", "invalid url", true);
    assert_eq!(server.attachments().len(), 1);
}

#[tokio::test]
async fn wrong_or_missing_token_is_401() {
    let server = LoopbackServer::start().await.expect("start");
    let reply = upload(
        &server,
        LEAD_PATH,
        "not-the-token",
        &[file_part("a.txt", b"x")],
    )
    .await;
    assert_error(&reply, 401, "INVALID_TOKEN", "invalid oauth token", false);
    assert_eq!(reply.json()["details"], serde_json::json!({}));

    // No Authorization header at all, on an unknown path: the token is checked first.
    let reply = send(
        server.local_addr(),
        &request("GET", "/nowhere", None, None, b""),
    )
    .await;
    assert_error(&reply, 401, "INVALID_TOKEN", "invalid oauth token", false);

    // A custom token.
    let config = ServerConfig {
        token: "custom".to_owned(),
        ..ServerConfig::default()
    };
    let server = LoopbackServer::start_with(config).await.expect("start");
    assert_eq!(server.token(), "custom");
    let reply = upload(&server, LEAD_PATH, "custom", &[file_part("a.txt", b"x")]).await;
    assert_eq!(reply.status, 200);
    assert!(server.attachments().len() == 1);
}

#[tokio::test]
async fn url_method_module_and_record_checks() {
    let server = LoopbackServer::start().await.expect("start");
    let token = server.token().to_owned();
    let ct = multipart_content_type();
    let body = multipart_body(&[file_part("a.txt", b"x")]);
    let addr = server.local_addr();

    for bad in [
        "/crm/v2/Leads/1/Attachments/",
        "/crm/v9/Leads/1/Attachments",
        "/crm/v2/Leads/1/Photo",
        "/",
    ] {
        let reply = send(addr, &request("POST", bad, Some(&token), Some(&ct), &body)).await;
        assert_error(
            &reply,
            404,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
            false,
        );
    }

    let reply = send(addr, &request("PUT", LEAD_PATH, Some(&token), None, b"")).await;
    assert_error(
        &reply,
        400,
        "INVALID_REQUEST_METHOD",
        "The http request method type is not a valid one",
        false,
    );

    let reply = upload(
        &server,
        "/crm/v2/Widgets/1000000231009/Attachments",
        &token,
        &[file_part("a.txt", b"x")],
    )
    .await;
    assert_error(
        &reply,
        400,
        "INVALID_MODULE",
        "The module name given seems to be invalid",
        false,
    );

    let reply = upload(
        &server,
        "/crm/v2.1/Deals/12ab/Attachments",
        &token,
        &[file_part("a.txt", b"x")],
    )
    .await;
    assert_error(
        &reply,
        400,
        "INVALID_DATA",
        "the related id given seems to be invalid",
        true,
    );
    assert_eq!(reply.json()["data"][0]["details"]["id"], "12ab");

    let reply = send(
        addr,
        &request(
            "POST",
            LEAD_PATH,
            Some(&token),
            Some("application/json"),
            b"{}",
        ),
    )
    .await;
    assert_error(&reply, 400, "INVALID_DATA", "invalid multipart body", false);

    assert!(server.attachments().is_empty());
    assert_eq!(server.request_count(), 8);
}

#[tokio::test]
async fn exe_files_are_rejected() {
    let server = LoopbackServer::start().await.expect("start");
    for name in ["SETUP.EXE", "tool.exe. ", "x.Exe"] {
        let reply = upload(
            &server,
            LEAD_PATH,
            server.token(),
            &[file_part(name, b"MZ")],
        )
        .await;
        assert_error(&reply, 400, "INVALID_DATA", "invalid file type", true);
    }
    assert!(server.attachments().is_empty());
    assert!(!crate::multipart::is_exe("setup.exe.txt"));
    assert!(!crate::multipart::is_exe("exe"));
}

#[tokio::test]
async fn field_structure_violations_are_400() {
    let server = LoopbackServer::start().await.expect("start");
    let token = server.token().to_owned();

    let cases: Vec<(Vec<Part<'_>>, &str)> = vec![
        (
            vec![
                file_part("a.txt", b"x"),
                text_part("attachmentUrl", "https://example.com"),
            ],
            "attachmentUrl",
        ),
        (
            vec![
                text_part("attachmentUrl", "https://example.com"),
                file_part("a.txt", b"x"),
            ],
            "file",
        ),
        (
            vec![file_part("a.txt", b"x"), file_part("b.txt", b"y")],
            "file",
        ),
        (
            vec![file_part("a.txt", b"x"), text_part("title", "hi")],
            "title",
        ),
        (vec![text_part("file", "not a file")], "file"),
        (vec![], "file"),
    ];
    for (parts, param) in cases {
        let reply = upload(&server, LEAD_PATH, &token, &parts).await;
        assert_eq!(
            reply.status,
            400,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        let item = &reply.json()["data"][0];
        assert_eq!(item["code"], "INVALID_DATA");
        assert_eq!(item["status"], "error");
        assert_eq!(item["details"]["param_name"], param);
        let message = item["message"].as_str().expect("message");
        assert!(message.contains(&format!("`{param}`")), "{message}");
    }

    // Both fields: the message says so.
    let reply = upload(
        &server,
        LEAD_PATH,
        &token,
        &[
            file_part("a.txt", b"x"),
            text_part("attachmentUrl", "https://example.com"),
        ],
    )
    .await;
    let message = reply.json()["data"][0]["message"].clone();
    assert_eq!(
        message,
        "send either the form field `file` or the form field `attachmentUrl`, not both"
    );

    // A body multer can't parse: top-level INVALID_DATA with multer's message.
    let ct = multipart_content_type();
    let reply = send(
        server.local_addr(),
        &request(
            "POST",
            LEAD_PATH,
            Some(&token),
            Some(&ct),
            b"garbage without boundary",
        ),
    )
    .await;
    assert_eq!(reply.status, 400);
    let json = reply.json();
    assert_eq!(json["code"], "INVALID_DATA");
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));

    assert!(server.attachments().is_empty());
}

#[tokio::test]
async fn file_over_100_mb_is_rejected() {
    let server = LoopbackServer::start().await.expect("start");
    let size = crate::MAX_FILE_SIZE + 1;
    let head = part_head(&file_part("huge.bin", b""));
    let tail = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
    let total = head.len() as u64 + size + tail.len() as u64;
    let reply = timeout(IO_TIMEOUT, async {
        let mut stream = TcpStream::connect(server.local_addr()).await.expect("connect");
        let req_head = format!(
            "POST {LEAD_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Authorization: Zoho-oauthtoken {}\r\nContent-Type: {}\r\nContent-Length: {total}\r\n\r\n",
            server.token(),
            multipart_content_type()
        );
        stream.write_all(req_head.as_bytes()).await.expect("head");
        stream.write_all(&head).await.expect("part head");
        let block = vec![b'z'; 1 << 20];
        let mut left = size;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            stream.write_all(&block[..n]).await.expect("content");
            left -= n as u64;
        }
        stream.write_all(&tail).await.expect("tail");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("reply");
        parse_reply(&raw)
    })
    .await
    .expect("within the timeout");
    assert_error(
        &reply,
        400,
        "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
        "please check if the file size is in the correct range",
        true,
    );
    assert!(server.attachments().is_empty());
}

#[tokio::test]
async fn canned_reply_is_served_once_then_normal_handling_resumes() {
    let server = LoopbackServer::start().await.expect("start");
    server.respond_next_with(CannedReply::json(
        429,
        serde_json::json!({"code": "TOO_MANY_REQUESTS", "details": {}, "message": "slow down", "status": "error"}),
    ));
    server.respond_next_with(CannedReply::raw(
        502,
        Some("text/html"),
        "<h1>bad gateway</h1>",
    ));

    let reply = upload(
        &server,
        LEAD_PATH,
        server.token(),
        &[file_part("a.txt", b"x")],
    )
    .await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json()["code"], "TOO_MANY_REQUESTS");

    // A canned reply answers any request, even one with a wrong token.
    let reply = upload(&server, LEAD_PATH, "wrong", &[file_part("a.txt", b"x")]).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert_eq!(reply.body, b"<h1>bad gateway</h1>");
    assert!(server.attachments().is_empty());

    let reply = upload(
        &server,
        LEAD_PATH,
        server.token(),
        &[file_part("a.txt", b"x")],
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(server.attachments().len(), 1);
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn rejected_requests_are_recorded() {
    let server = LoopbackServer::start().await.expect("start");
    let body = multipart_body(&[file_part("a.txt", b"x")]);
    let ct = multipart_content_type();
    let target = "/crm/v2/Leads/1000000231009/Attachments?foo=bar";
    let reply = send(
        server.local_addr(),
        &request("POST", target, Some("wrong"), Some(&ct), &body),
    )
    .await;
    assert_eq!(reply.status, 401);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(server.request_count(), 1);
    let recorded = &requests[0];
    assert_eq!(recorded.method, "POST");
    assert_eq!(recorded.path, LEAD_PATH);
    assert_eq!(recorded.query.as_deref(), Some("foo=bar"));
    assert_eq!(
        recorded.authorization.as_deref(),
        Some("Zoho-oauthtoken wrong")
    );
    assert_eq!(recorded.content_type.as_deref(), Some(ct.as_str()));
    assert_eq!(recorded.content_length, Some(body.len() as u64));
    assert_eq!(recorded.transfer_encoding, None);
}

#[tokio::test]
async fn expect_continue_rejection_answers_without_the_body() {
    let server = LoopbackServer::start().await.expect("start");
    let ct = multipart_content_type();
    let head = format!(
        "POST {LEAD_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Authorization: Zoho-oauthtoken wrong\r\nContent-Type: {ct}\r\n\
         Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n"
    );
    // Only the head is sent; the reply must come anyway.
    let reply = timeout(IO_TIMEOUT, async {
        let mut stream = TcpStream::connect(server.local_addr())
            .await
            .expect("connect");
        stream.write_all(head.as_bytes()).await.expect("head");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("reply");
        parse_reply(&raw)
    })
    .await
    .expect("within the timeout");
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = LoopbackServer::start().await.expect("start");
    let addr = server.local_addr();
    drop(server);
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "the port still accepts connections");
}

/// What multer returns as the file name for various `Content-Disposition` spellings.
mod multer_file_names {
    use bytes::Bytes;
    use futures_util::stream;

    async fn file_name_of(disposition: &[u8]) -> Option<String> {
        let mut body = b"--B\r\nContent-Disposition: ".to_vec();
        body.extend_from_slice(disposition);
        body.extend_from_slice(b"\r\n\r\ncontent\r\n--B--\r\n");
        let chunks = stream::iter([Ok::<_, std::convert::Infallible>(Bytes::from(body))]);
        let mut multipart = multer::Multipart::new(chunks, "B");
        let field = multipart
            .next_field()
            .await
            .expect("parses")
            .expect("one field");
        assert_eq!(field.name(), Some("file"));
        field.file_name().map(str::to_owned)
    }

    #[tokio::test]
    async fn percent_escapes_are_not_decoded() {
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename="a%22b""#)
                .await
                .as_deref(),
            Some("a%22b")
        );
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename=a%22b"#)
                .await
                .as_deref(),
            Some("a%22b")
        );
    }

    #[tokio::test]
    async fn backslash_quote_is_unescaped_but_nothing_else() {
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename="a\"b""#)
                .await
                .as_deref(),
            Some("a\"b")
        );
        // `\\` is not unescaped: both backslashes stay.
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename="a\\b""#)
                .await
                .as_deref(),
            Some(r"a\\b")
        );
        // A name ending in a backslash: the closing quote looks escaped, no name at all.
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename="a\\""#).await,
            None
        );
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename="a\""#).await,
            None
        );
        // An escaped quote at the end works.
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename="a\"""#)
                .await
                .as_deref(),
            Some("a\"")
        );
    }

    #[tokio::test]
    async fn raw_utf8_names_come_back_unchanged() {
        assert_eq!(
            file_name_of("form-data; name=\"file\"; filename=\"naïve résumé.txt\"".as_bytes())
                .await
                .as_deref(),
            Some("naïve résumé.txt")
        );
        // Semicolons inside quotes are part of the name.
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename="a; b.txt""#)
                .await
                .as_deref(),
            Some("a; b.txt")
        );
    }

    #[tokio::test]
    async fn rfc5987_filename_star_is_not_understood() {
        // Alone: no file name.
        assert_eq!(
            file_name_of(br#"form-data; name="file"; filename*=UTF-8''na%C3%AFve.txt"#).await,
            None
        );
        // After a plain `filename`: the plain one is used.
        assert_eq!(
            file_name_of(
                br#"form-data; name="file"; filename="naive.txt"; filename*=UTF-8''na%C3%AFve.txt"#
            )
            .await
            .as_deref(),
            Some("naive.txt")
        );
        // Before a plain `filename`: it hides it, no file name at all.
        assert_eq!(
            file_name_of(
                br#"form-data; name="file"; filename*=UTF-8''na%C3%AFve.txt; filename="naive.txt""#
            )
            .await,
            None
        );
    }

    #[tokio::test]
    async fn parameter_names_are_case_sensitive() {
        assert_eq!(
            file_name_of(br#"form-data; name="file"; FileName="a.txt""#).await,
            None
        );
    }
}
