//! Unit tests of record photos over real HTTP (reqwest).

use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::image::png_header;
use crate::photos::{MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS};
use crate::tests::{file_part, text_part};
use crate::tests_files::{RECORD, call, files_on_disk, get, png, post_parts};
use crate::{Disposition, LoopbackServer};

fn photo_path() -> String {
    format!("{RECORD}/photo")
}

/// A small GIF of 3 x 2 pixels.
const GIF: &[u8] = b"GIF89a\x03\x00\x02\x00\x00\x00\x00;";

#[tokio::test]
async fn a_photo_is_uploaded_downloaded_replaced_and_deleted() {
    let server = LoopbackServer::start().await.expect("start");
    let first = png(640, 480);
    let answer = post_parts(&server, &photo_path(), &[file_part("me.png", &first)]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"code": "SUCCESS", "details": {}, "message": "Photo uploaded successfully", "status": "success"})
    );
    let stored = server.photo("Leads", "1000000231009").expect("a photo");
    assert_eq!(stored.media_type, "image/png");
    assert_eq!(stored.bytes, first);
    assert_eq!(stored.size, first.len() as u64);
    assert_eq!(stored.sha256, <[u8; 32]>::from(Sha256::digest(&first)));
    assert_eq!(stored.dimensions, Some((640, 480)));
    assert_eq!(stored.file_name, "me.png");

    let download = get(&server, &photo_path()).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, first);
    assert_eq!(download.header("content-type"), Some("image/png"));
    let length = first.len().to_string();
    assert_eq!(download.header("content-length"), Some(length.as_str()));
    assert_eq!(download.header("content-disposition"), None);

    // A second upload replaces the photo (and its file on disk).
    let answer = post_parts(&server, &photo_path(), &[file_part("me.gif", GIF)]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(files_on_disk(&server), 1);
    let download = get(&server, &photo_path()).await;
    assert_eq!(download.body, GIF);
    assert_eq!(download.header("content-type"), Some("image/gif"));

    server.set_photo_disposition(true);
    server.set_disposition_style(Disposition::Quoted);
    let download = get(&server, &photo_path()).await;
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"me.gif\"")
    );

    // Another record's photo is its own.
    assert_eq!(
        get(&server, "/crm/v8/Leads/1000000231010/photo")
            .await
            .status,
        204
    );

    let answer = call(&server, Method::DELETE, &photo_path(), None, Vec::new()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"code": "SUCCESS", "details": {}, "message": "Photo deleted successfully", "status": "success"})
    );
    assert!(server.photo("Leads", "1000000231009").is_none());
    assert_eq!(files_on_disk(&server), 0);
    let none = get(&server, &photo_path()).await;
    assert_eq!(none.status, 204);
    assert!(none.body.is_empty());
    // Deleting again is answered the same (Zoho documents no error for it).
    let again = call(&server, Method::DELETE, &photo_path(), None, Vec::new()).await;
    assert_eq!(again.json()["message"], "Photo deleted successfully");
}

#[tokio::test]
async fn what_is_not_a_photo_is_refused_415() {
    let server = LoopbackServer::start().await.expect("start");
    let text = post_parts(
        &server,
        &photo_path(),
        &[file_part("notes.png", b"just text")],
    )
    .await;
    let details = text.error(415, "INVALID_DATA", "invalid file type");
    assert_eq!(details, json!({}));

    // 4000 x 2750 = 11 megapixels, from the header alone.
    let big = post_parts(
        &server,
        &photo_path(),
        &[file_part("big.png", &png_header(4000, 2750))],
    )
    .await;
    let details = big.error(
        415,
        "FILE_RESOLUTION_EXCEEDS",
        "File exceeded its maximum limit",
    );
    assert_eq!(details, json!({"resolution": 11_000_000}));
    assert!(server.photo("Leads", "1000000231009").is_none());
    assert_eq!(files_on_disk(&server), 0);

    // Exactly 10 megapixels is allowed.
    assert_eq!(4000 * 2500, MAX_PHOTO_PIXELS);
    let ok = post_parts(
        &server,
        &photo_path(),
        &[file_part("ok.png", &png(4000, 2500))],
    )
    .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn a_photo_over_10_mb_is_refused_413_and_10_mb_is_taken() {
    let server = LoopbackServer::start().await.expect("start");
    let size = usize::try_from(MAX_PHOTO_BYTES).expect("fits");
    let mut photo = png(100, 100);
    photo.resize(size + 1, 0);
    let answer = post_parts(&server, &photo_path(), &[file_part("big.png", &photo)]).await;
    let details = answer.error(413, "FILE_SIZE_EXCEEDS", "File exceeded its maximum limit");
    assert_eq!(details, json!({"size": 10_485_760}));
    assert!(server.photo("Leads", "1000000231009").is_none());
    assert_eq!(files_on_disk(&server), 0);

    photo.truncate(size);
    let answer = post_parts(&server, &photo_path(), &[file_part("max.png", &photo)]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        server.photo("Leads", "1000000231009").map(|p| p.size),
        Some(MAX_PHOTO_BYTES)
    );
}

#[tokio::test]
async fn a_locked_record_refuses_photos() {
    let server = LoopbackServer::start().await.expect("start");
    server.set_locked("Leads", "1000000231009", true);
    let photo = png(10, 10);
    let answer = post_parts(&server, &photo_path(), &[file_part("a.png", &photo)]).await;
    let details = answer.error(
        400,
        "RECORD_LOCKED",
        "Sorry, you cannot perform this operation as the record is locked.",
    );
    assert_eq!(details, json!({"id": "1000000231009"}));
    assert!(server.photo("Leads", "1000000231009").is_none());

    server.set_locked("Leads", "1000000231009", false);
    let answer = post_parts(&server, &photo_path(), &[file_part("a.png", &photo)]).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn malformed_photo_uploads_are_400() {
    let server = LoopbackServer::start().await.expect("start");
    let photo = png(10, 10);
    let none = post_parts(&server, &photo_path(), &[text_part("title", "x")]).await;
    let details = none.error(
        400,
        "INVALID_DATA",
        "send the photo as exactly one multipart part named `file`",
    );
    assert_eq!(details, json!({"param_name": "file"}));
    let two = post_parts(
        &server,
        &photo_path(),
        &[file_part("a.png", &photo), file_part("b.png", &photo)],
    )
    .await;
    two.error(
        400,
        "INVALID_DATA",
        "send the photo as exactly one multipart part named `file`",
    );
    let json = call(
        &server,
        Method::POST,
        &photo_path(),
        Some("application/json"),
        "{}",
    )
    .await;
    json.error(400, "INVALID_DATA", "invalid multipart body");
    assert!(server.photo("Leads", "1000000231009").is_none());
    assert_eq!(files_on_disk(&server), 0);
}

#[tokio::test]
async fn an_inserted_photo_is_served_with_its_format() {
    let server = LoopbackServer::start().await.expect("start");
    // A JPEG: SOI, then SOF0 for 2 x 1 pixels, then EOI.
    let jpeg = [
        0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x02, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xD9,
    ];
    server.insert_photo("Contacts", "1000000231009", &jpeg);
    let stored = server.photo("Contacts", "1000000231009").expect("a photo");
    assert_eq!(stored.dimensions, Some((2, 1)));
    let answer = get(&server, "/crm/v2/Contacts/1000000231009/photo").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("image/jpeg"));
    assert_eq!(answer.body, jpeg);
}
