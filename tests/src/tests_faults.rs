//! Unit tests of the API server's fault modes, over raw TCP.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::tests::{
    IO_TIMEOUT, LEAD_PATH, Reply, assert_error, file_part, multipart_body, multipart_content_type,
    request, send, upload,
};
use crate::{CannedReply, Fault, LoopbackServer};

/// Sends raw bytes and reads until the server closes; the raw bytes read, or the error.
async fn send_raw(addr: SocketAddr, bytes: &[u8]) -> io::Result<Vec<u8>> {
    timeout(IO_TIMEOUT, async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(bytes).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        Ok(raw)
    })
    .await
    .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "no EOF in time")))
}

/// A complete, valid upload request of one small file.
fn upload_bytes(server: &LoopbackServer) -> Vec<u8> {
    let body = multipart_body(&[file_part("a.txt", b"hello")]);
    let ct = multipart_content_type();
    request("POST", LEAD_PATH, Some(server.token()), Some(&ct), &body)
}

async fn upload_ok(server: &LoopbackServer) -> Reply {
    upload(
        server,
        LEAD_PATH,
        server.token(),
        &[file_part("a.txt", b"hello")],
    )
    .await
}

fn assert_eof(result: io::Result<Vec<u8>>) {
    match result {
        Ok(raw) => assert!(
            raw.is_empty(),
            "expected EOF, got {:?}",
            String::from_utf8_lossy(&raw)
        ),
        Err(error) => panic!("expected a clean EOF, got {error}"),
    }
}

#[tokio::test]
async fn too_many_requests_with_and_without_retry_after() {
    let server = LoopbackServer::start().await.expect("start");
    let date = "Wed, 21 Oct 2015 07:28:00 GMT";
    for retry_after in [Some("1"), None, Some(date)] {
        server.push_fault(Fault::TooManyRequests {
            retry_after: retry_after.map(str::to_owned),
        });
    }
    let expected = json!({
        "code": "TOO_MANY_REQUESTS",
        "details": {},
        "message": "too many requests",
        "status": "error",
    });
    for retry_after in [Some("1"), None, Some(date)] {
        let reply = upload_ok(&server).await;
        assert_error(&reply, 429, "TOO_MANY_REQUESTS", "too many requests", false);
        assert_eq!(reply.json(), expected);
        assert_eq!(reply.header("retry-after"), retry_after);
    }
    assert!(server.attachments().is_empty());
    assert_eq!(server.pending_faults(), 0);
    assert_eq!(upload_ok(&server).await.status, 200);
}

#[tokio::test]
async fn drop_before_body_closes_without_a_response() {
    let server = LoopbackServer::start().await.expect("start");
    let addr = server.local_addr();

    // Only the head of a large upload is sent: the server must not wait for the body.
    server.push_fault(Fault::DropBeforeBody);
    let head = format!(
        "POST {LEAD_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Zoho-oauthtoken {}\r\n\
         Content-Type: {}\r\nContent-Length: 1000000\r\n\r\n",
        server.token(),
        multipart_content_type()
    );
    assert_eof(send_raw(addr, head.as_bytes()).await);

    // A complete request (on a keep-alive connection) gets no response either.
    server.push_fault(Fault::DropBeforeBody);
    let bytes = upload_bytes(&server).replace_connection_close();
    assert_eof(send_raw(addr, &bytes).await);

    assert!(server.attachments().is_empty());
    assert_eq!(server.request_count(), 2);
    assert_eq!(server.pending_faults(), 0);
    // The server carries on.
    assert_eq!(upload_ok(&server).await.status, 200);
    assert_eq!(server.attachments().len(), 1);
}

#[tokio::test]
async fn drop_before_body_during_a_large_upload_never_answers() {
    let server = LoopbackServer::start().await.expect("start");
    server.push_fault(Fault::DropBeforeBody);
    // 8 MiB: far more than hyper buffers, so the server closes with unread bytes and the
    // client, still writing, may see a reset instead of a clean EOF. Either way: no HTTP
    // response and nothing stored.
    let content = vec![b'z'; 8 << 20];
    let body = multipart_body(&[file_part("big.bin", &content)]);
    let ct = multipart_content_type();
    let bytes = request("POST", LEAD_PATH, Some(server.token()), Some(&ct), &body);
    match send_raw(server.local_addr(), &bytes).await {
        Ok(raw) => assert!(raw.is_empty(), "{:?}", String::from_utf8_lossy(&raw)),
        Err(error) => assert!(
            matches!(
                error.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
            ),
            "{error}"
        ),
    }
    assert!(server.attachments().is_empty());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn drop_after_body_stores_when_asked_and_closes() {
    let server = LoopbackServer::start().await.expect("start");
    let addr = server.local_addr();

    server.push_fault(Fault::DropAfterBody { store: true });
    assert_eof(send_raw(addr, &upload_bytes(&server)).await);
    assert_eq!(server.attachments().len(), 1);

    server.push_fault(Fault::DropAfterBody { store: false });
    assert_eof(send_raw(addr, &upload_bytes(&server)).await);
    assert_eq!(server.attachments().len(), 1);

    // With store: true, a request normal handling rejects stores nothing, and still gets
    // no response.
    server.push_fault(Fault::DropAfterBody { store: true });
    let body = multipart_body(&[file_part("a.txt", b"x")]);
    let ct = multipart_content_type();
    let bytes = request("POST", LEAD_PATH, Some("wrong"), Some(&ct), &body);
    assert_eof(send_raw(addr, &bytes).await);
    assert_eq!(server.attachments().len(), 1);
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn status_after_body() {
    let server = LoopbackServer::start().await.expect("start");
    let expected = json!({
        "code": "INTERNAL_ERROR",
        "details": {},
        "message": "Internal Server Error",
        "status": "error",
    });

    server.push_fault(Fault::StatusAfterBody {
        status: 503,
        store: true,
    });
    let reply = upload_ok(&server).await;
    assert_error(
        &reply,
        503,
        "INTERNAL_ERROR",
        "Internal Server Error",
        false,
    );
    assert_eq!(reply.json(), expected);
    assert_eq!(server.attachments().len(), 1);

    server.push_fault(Fault::StatusAfterBody {
        status: 500,
        store: false,
    });
    let reply = upload_ok(&server).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.json(), expected);
    assert_eq!(server.attachments().len(), 1);

    // Not a status code: 500.
    server.push_fault(Fault::StatusAfterBody {
        status: 42,
        store: false,
    });
    assert_eq!(upload_ok(&server).await.status, 500);
    assert_eq!(server.attachments().len(), 1);
}

#[tokio::test]
async fn stall_delays_the_answer() {
    let server = LoopbackServer::start().await.expect("start");
    let stall = Duration::from_millis(200);
    for before_body in [true, false] {
        server.push_fault(Fault::Stall {
            before_body,
            duration: stall,
        });
        let started = Instant::now();
        let reply = upload_ok(&server).await;
        let elapsed = started.elapsed();
        assert_eq!(reply.status, 200);
        assert!(
            elapsed >= stall,
            "{before_body}: answered after {elapsed:?}"
        );
    }
    assert_eq!(server.attachments().len(), 2);
    // Without a fault there is no stall.
    let started = Instant::now();
    assert_eq!(upload_ok(&server).await.status, 200);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn expire_tokens_first_makes_the_token_invalid() {
    let server = LoopbackServer::start().await.expect("start");
    server.push_fault(Fault::ExpireTokensFirst);
    let reply = upload_ok(&server).await;
    assert_error(&reply, 401, "INVALID_TOKEN", "invalid oauth token", false);
    // The token stays expired after the fault is used.
    let reply = upload_ok(&server).await;
    assert_eq!(reply.status, 401);
    assert!(!server.tokens().is_valid(server.token()));
    server.tokens().add_static(server.token());
    assert_eq!(upload_ok(&server).await.status, 200);
}

#[tokio::test]
async fn faults_are_used_once_in_order() {
    let server = LoopbackServer::start().await.expect("start");
    server.respond_next_with(CannedReply::raw(502, Some("text/html"), "<h1>bad</h1>"));
    server.push_fault(Fault::TooManyRequests { retry_after: None });
    server.push_fault(Fault::StatusAfterBody {
        status: 500,
        store: false,
    });
    server.push_fault(Fault::Reply(CannedReply::json(201, json!({"ok": true}))));
    assert_eq!(server.pending_faults(), 4);

    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(upload_ok(&server).await.status);
    }
    assert_eq!(statuses, [502, 429, 500, 201, 200]);
    assert_eq!(server.pending_faults(), 0);
    assert_eq!(server.attachments().len(), 1);
    assert_eq!(server.request_count(), 5);
}

#[tokio::test]
async fn connections_are_counted() {
    let server = LoopbackServer::start().await.expect("start");
    assert_eq!(server.connection_count(), 0);
    for _ in 0..3 {
        let reply = send(server.local_addr(), &request("GET", "/x", None, None, b"")).await;
        assert_eq!(reply.status, 401);
    }
    assert_eq!(server.connection_count(), 3);

    // Two pipelined requests on one keep-alive connection.
    let mut bytes = upload_bytes(&server).replace_connection_close();
    bytes.extend_from_slice(&upload_bytes(&server));
    let raw = send_raw(server.local_addr(), &bytes)
        .await
        .expect("two replies");
    let text = String::from_utf8_lossy(&raw);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    assert_eq!(server.connection_count(), 4);
    assert_eq!(server.request_count(), 5);
}

/// Turns a request built with `Connection: close` into a keep-alive one.
trait KeepAlive {
    fn replace_connection_close(self) -> Vec<u8>;
}

impl KeepAlive for Vec<u8> {
    fn replace_connection_close(self) -> Vec<u8> {
        let needle = b"Connection: close\r\n";
        match self.windows(needle.len()).position(|w| w == needle) {
            Some(at) => [&self[..at], &self[at + needle.len()..]].concat(),
            None => self,
        }
    }
}
