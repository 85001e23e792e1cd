//! Unit tests of the file store (`/crm/{version}/files`) over real HTTP (reqwest).

use bytes::Bytes;
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::file_store::{MAX_STORE_FILE_BYTES, MAX_STORE_FILES};
use crate::tests::{BOUNDARY, file_part, multipart_content_type, part_head, text_part};
use crate::tests_files::{call, files_on_disk, get, post_parts};
use crate::{Disposition, LoopbackServer};

const FILES: &str = "/crm/v8/files";
const ATTACHMENT_PROBLEM: &str = "Problem in uploading attachment. kindly upload the file properly";

fn is_file_id(id: &str) -> bool {
    id.len() == 40
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[tokio::test]
async fn files_are_stored_one_result_each_in_order_and_downloaded() {
    let server = LoopbackServer::start().await.expect("start");
    let answer = post_parts(
        &server,
        FILES,
        &[
            file_part("contract.pdf", b"%PDF-1.7 contract"),
            file_part("signature.png", b"not really a png"),
        ],
    )
    .await;
    assert_eq!(answer.status, 200);
    let json = answer.json();
    let data = json["data"].as_array().expect("data");
    assert_eq!(data.len(), 2);
    let mut ids = Vec::new();
    for (item, name) in data.iter().zip(["contract.pdf", "signature.png"]) {
        let id = item["details"]["id"].as_str().expect("an id").to_owned();
        assert!(is_file_id(&id), "{id}");
        assert_eq!(
            *item,
            json!({
                "status": "success",
                "code": "SUCCESS",
                "message": format!("{name} uploaded successfully"),
                "details": {"name": name, "id": id},
            })
        );
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);
    let stored = server.stored_file(&ids[0]).expect("stored");
    assert_eq!(stored.file_name, "contract.pdf");
    assert_eq!(stored.size, 17);
    assert_eq!(
        stored.sha256,
        <[u8; 32]>::from(Sha256::digest(b"%PDF-1.7 contract"))
    );
    assert!(!stored.consumed && !stored.inline);

    server.set_disposition_style(Disposition::Quoted);
    let download = get(&server, &format!("{FILES}?id={}", ids[0])).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, b"%PDF-1.7 contract");
    assert_eq!(download.header("content-type"), Some("application/pdf"));
    assert_eq!(download.header("content-length"), Some("17"));
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"contract.pdf\"")
    );

    let unknown = get(&server, &format!("{FILES}?id={}", "0".repeat(40))).await;
    assert_eq!((unknown.status, unknown.body.len()), (204, 0));
    assert_eq!(get(&server, &format!("{FILES}?id=")).await.status, 204);
    let missing = get(&server, FILES).await;
    let details = missing.error(
        400,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
    );
    assert_eq!(details, json!({"param_name": "id"}));

    let inline = post_parts(
        &server,
        "/crm/v2/files?type=inline",
        &[file_part("i.png", b"x")],
    )
    .await;
    let id = inline.json()["data"][0]["details"]["id"]
        .as_str()
        .map(str::to_owned);
    assert!(
        server
            .stored_file(&id.expect("an id"))
            .is_some_and(|f| f.inline)
    );
}

#[tokio::test]
async fn eleven_files_are_refused_whole() {
    let server = LoopbackServer::start().await.expect("start");
    let names: Vec<String> = (0..=MAX_STORE_FILES).map(|n| format!("f{n}.txt")).collect();
    let parts: Vec<_> = names
        .iter()
        .map(|name| file_part(name, b"content"))
        .collect();
    let answer = post_parts(&server, FILES, &parts).await;
    let details = answer.error(
        400,
        "INVALID_REQUEST",
        "unable to process your request. please verify whether you have entered proper method name, parameter and parameter values.",
    );
    assert_eq!(details, json!({}));
    assert_eq!(server.stored_file_count(), 0);
    assert_eq!(files_on_disk(&server), 0);

    let answer = post_parts(&server, FILES, &parts[..MAX_STORE_FILES]).await;
    assert_eq!(answer.json()["data"].as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn a_21_mb_file_refuses_the_whole_upload() {
    let server = LoopbackServer::start().await.expect("start");
    // A small file first, then 21 MiB of zeros, streamed a MiB at a time.
    let mut head = part_head(&file_part("small.txt", b""));
    head.extend_from_slice(b"small\r\n");
    head.extend_from_slice(&part_head(&file_part("big.bin", b"")));
    let zeros = Bytes::from(vec![0u8; 1 << 20]);
    let tail = Bytes::from(format!("\r\n--{BOUNDARY}--\r\n"));
    let chunks = std::iter::once(Bytes::from(head))
        .chain(std::iter::repeat_n(zeros, 21))
        .chain(std::iter::once(tail))
        .map(Ok::<Bytes, std::io::Error>);
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let content_type = multipart_content_type();
    let answer = call(&server, Method::POST, FILES, Some(&content_type), body).await;
    let details = answer.error(
        415,
        "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
        "Please check if the size of the file is in the correct range",
    );
    assert_eq!(details, json!({}));
    const { assert!(21 << 20 > MAX_STORE_FILE_BYTES) };
    assert_eq!(server.stored_file_count(), 0);
    assert_eq!(files_on_disk(&server), 0);
}

#[tokio::test]
async fn missing_or_empty_files_are_refused() {
    let server = LoopbackServer::start().await.expect("start");
    let none = post_parts(&server, FILES, &[text_part("note", "x")]).await;
    let details = none.error(400, "failure_in_attachment_handling", ATTACHMENT_PROBLEM);
    assert_eq!(details, json!({}));
    let empty = post_parts(
        &server,
        FILES,
        &[file_part("a.txt", b"x"), file_part("e.txt", b"")],
    )
    .await;
    empty.error(400, "failure_in_attachment_handling", ATTACHMENT_PROBLEM);
    let not_multipart = call(&server, Method::POST, FILES, Some("text/plain"), "x").await;
    not_multipart.error(400, "INVALID_DATA", "invalid multipart body");
    assert_eq!(server.stored_file_count(), 0);
    assert_eq!(files_on_disk(&server), 0);
}
