//! The download endpoint: stored bytes streamed back, links and unknown or foreign ids
//! refused, and the download faults (truncated bodies, `Content-Disposition` variants), read
//! over raw TCP.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use serde_json::json;

use super::{OTHER_RECORD, RECORD, assert_status, call, collection, item, stored_files};
use crate::tests::{IO_TIMEOUT, Reply, assert_error, file_part, parse_reply, upload};
use crate::{Disposition, Fault, LoopbackServer, StoredContent};

/// Sends raw bytes and reads until the server closes; the raw bytes read (a reset after
/// some bytes counts as the end).
async fn send_raw(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    timeout(IO_TIMEOUT, async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(bytes).await.expect("write");
        let mut raw = Vec::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&buffer[..n]),
                Err(error) if error.kind() == io::ErrorKind::ConnectionReset => break,
                Err(error) => panic!("read: {error}"),
            }
        }
        raw
    })
    .await
    .expect("EOF within the timeout")
}

#[tokio::test]
async fn downloads_stream_the_stored_bytes() {
    let server = LoopbackServer::start().await.expect("start");
    server.set_keep_bytes_limit(1000);
    let content: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let name = "naïve résumé.txt";
    let reply = upload(
        &server,
        &collection("v2"),
        server.token(),
        &[file_part(name, &content)],
    )
    .await;
    assert_status(&reply, 200);
    let id = reply.json()["data"][0]["details"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Over the keep limit: not in memory, but on disk.
    assert!(matches!(
        &server.attachments()[0].content,
        StoredContent::File { bytes: None, .. }
    ));
    assert_eq!(server.stored_file_bytes(&id).as_deref(), Some(&content[..]));
    assert_eq!(stored_files(&server), 1);

    for version in ["v2", "v8"] {
        let reply = call(&server, "GET", &item(version, &id)).await;
        assert_status(&reply, 200);
        assert_eq!(reply.body, content);
        assert_eq!(reply.header("content-length"), Some("300000"));
        assert_eq!(
            reply.header("content-type"),
            Some("application/octet-stream")
        );
        assert_eq!(
            reply.header("content-disposition"),
            Some("attachment; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.txt")
        );
    }

    let quoted = server.insert_file("Leads", RECORD, "say \"hi\".txt", b"hi");
    for (style, expected) in [
        (
            Disposition::Auto,
            r#"attachment; filename="say \"hi\".txt""#,
        ),
        (
            Disposition::Quoted,
            r#"attachment; filename="say \"hi\".txt""#,
        ),
        (
            Disposition::Rfc5987,
            "attachment; filename*=UTF-8''say%20%22hi%22.txt",
        ),
        (
            Disposition::Both,
            r#"attachment; filename="say \"hi\".txt"; filename*=UTF-8''say%20%22hi%22.txt"#,
        ),
    ] {
        server.set_disposition_style(style);
        let reply = call(&server, "GET", &item("v2", &quoted)).await;
        assert_status(&reply, 200);
        assert_eq!(reply.body, b"hi");
        assert_eq!(
            reply.header("content-disposition"),
            Some(expected),
            "{style:?}"
        );
    }
    server.set_disposition_style(Disposition::Both);
    let reply = call(&server, "GET", &item("v2", &id)).await;
    assert_eq!(
        reply.header("content-disposition"),
        Some(
            "attachment; filename=\"na_ve r_sum_.txt\"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.txt"
        )
    );
    server.set_disposition_style(Disposition::Quoted);
    let reply = call(&server, "GET", &item("v2", &id)).await;
    assert_eq!(
        reply.header("content-disposition").map(str::as_bytes),
        Some("attachment; filename=\"naïve résumé.txt\"".as_bytes())
    );
}

#[tokio::test]
async fn links_unknown_and_foreign_ids_are_not_downloaded() {
    let server = LoopbackServer::start().await.expect("start");
    let link = server.insert_link("Leads", RECORD, "https://www.zohocorp.com", None);
    let reply = call(&server, "GET", &item("v2", &link)).await;
    assert_error(
        &reply,
        400,
        "DOWNLOAD_NOT_ALLOWED",
        "Download is not allowed for link attachments",
        false,
    );
    assert_eq!(reply.json()["details"], json!({}));

    let reply = call(&server, "GET", &item("v2", "738964000009999999")).await;
    assert_status(&reply, 204);
    assert!(reply.body.is_empty());

    let foreign = server.insert_file("Leads", OTHER_RECORD, "a.txt", b"a");
    let reply = call(&server, "GET", &item("v2", &foreign)).await;
    assert_status(&reply, 204);
    let other_module = server.insert_file("Deals", RECORD, "a.txt", b"a");
    let reply = call(&server, "GET", &item("v2", &other_module)).await;
    assert_status(&reply, 204);
    let reply = call(
        &server,
        "GET",
        &format!("/crm/v2/Leads/{OTHER_RECORD}/Attachments/{foreign}"),
    )
    .await;
    assert_status(&reply, 200);
    assert_eq!(reply.body, b"a");
}

/// Splits a raw reply into its head (as a parsed reply without body) and the body bytes
/// actually received.
fn split_raw(raw: &[u8]) -> (Reply, Vec<u8>) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = parse_reply(&raw[..split + 4]);
    (head, raw[split + 4..].to_vec())
}

#[tokio::test]
async fn truncated_bodies_declare_the_full_length() {
    let server = LoopbackServer::start().await.expect("start");
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 256) as u8).collect();
    let id = server.insert_file("Leads", RECORD, "t.bin", &content);

    server.push_fault(Fault::TruncateBody { after_bytes: 1000 });
    // Keep-alive: the server, not the client, must end the connection.
    let get = format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Zoho-oauthtoken {}\r\n\r\n",
        item("v2", &id),
        server.token()
    );
    let raw = send_raw(server.local_addr(), get.as_bytes()).await;
    let (head, body) = split_raw(&raw);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("100000"));
    assert_eq!(body, content[..1000]);

    // Nothing sent of the body.
    server.push_fault(Fault::TruncateBody { after_bytes: 0 });
    let raw = send_raw(server.local_addr(), get.as_bytes()).await;
    let (head, body) = split_raw(&raw);
    assert_eq!(head.header("content-length"), Some("100000"));
    assert!(body.is_empty());

    // Any reply with a body: here a list.
    server.push_fault(Fault::TruncateBody { after_bytes: 10 });
    let list = get.replace(&item("v2", &id), &collection("v2"));
    let raw = send_raw(server.local_addr(), list.as_bytes()).await;
    let (head, body) = split_raw(&raw);
    assert_eq!(head.status, 200);
    let declared: usize = head
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .expect("a length");
    assert!(declared > 10);
    assert_eq!(body.len(), 10);

    // A limit past the end: sent whole.
    server.push_fault(Fault::TruncateBody {
        after_bytes: 1_000_000,
    });
    let reply = call(&server, "GET", &item("v2", &id)).await;
    assert_eq!(reply.body, content);
    // And then downloads are whole again.
    let reply = call(&server, "GET", &item("v2", &id)).await;
    assert_eq!(reply.body, content);
    assert_eq!(server.pending_faults(), 0);
}

#[tokio::test]
async fn disposition_fault_sets_the_header_once() {
    let server = LoopbackServer::start().await.expect("start");
    let id = server.insert_file("Leads", RECORD, "passwd", b"root");
    let evil = "attachment; filename=\"../../etc/passwd\"";
    server.push_fault(Fault::Disposition(evil.to_owned()));
    let reply = call(&server, "GET", &item("v2", &id)).await;
    assert_status(&reply, 200);
    assert_eq!(reply.header("content-disposition"), Some(evil));
    let reply = call(&server, "GET", &item("v2", &id)).await;
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"passwd\"")
    );

    // Used up by a request that isn't a download, without effect.
    server.push_fault(Fault::Disposition(evil.to_owned()));
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 200);
    assert_eq!(reply.header("content-disposition"), None);
    assert_eq!(server.pending_faults(), 0);

    // Not a header value: no header at all.
    server.push_fault(Fault::Disposition("a\r\nb".to_owned()));
    let reply = call(&server, "GET", &item("v2", &id)).await;
    assert_status(&reply, 200);
    assert_eq!(reply.header("content-disposition"), None);
}
