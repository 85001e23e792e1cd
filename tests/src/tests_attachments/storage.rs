//! The stored files end to end: a full upload, list, download and delete round trip leaves
//! none behind, rejected uploads leave none, and the directory goes with the server.

use super::{assert_status, call, collection, item, stored_files};
use crate::LoopbackServer;
use crate::tests::{file_part, text_part, upload};

/// Lists every attachment id and file name, following `page` (v2) or `page_token` (v8).
async fn list_all(server: &LoopbackServer, version: &str) -> Vec<(String, String)> {
    let base = format!("{}?fields=File_Name&per_page=2", collection(version));
    let mut target = base.clone();
    let mut all = Vec::new();
    for page in 2..20 {
        let reply = call(server, "GET", &target).await;
        if reply.status == 204 {
            break;
        }
        assert_status(&reply, 200);
        let json = reply.json();
        for item in json["data"].as_array().expect("data") {
            all.push((
                item["id"].as_str().unwrap_or_default().to_owned(),
                item["File_Name"].as_str().unwrap_or_default().to_owned(),
            ));
        }
        if json["info"]["more_records"] != true {
            break;
        }
        target = match json["info"]["next_page_token"].as_str() {
            Some(token) => format!("{base}&page_token={token}"),
            None => format!("{base}&page={page}"),
        };
    }
    all
}

#[tokio::test]
async fn upload_list_download_delete_round_trip() {
    for version in ["v2", "v8"] {
        let server = LoopbackServer::start().await.expect("start");
        server.set_keep_bytes_limit(10_000);
        let files: Vec<(String, Vec<u8>)> = [0usize, 1, 9_999, 10_001, 2_000_000]
            .iter()
            .map(|&size| {
                let bytes: Vec<u8> = (0..size).map(|i| (i * 31 % 256) as u8).collect();
                (format!("file-{size}.bin"), bytes)
            })
            .collect();
        let mut ids = Vec::new();
        for (name, bytes) in &files {
            let reply = upload(
                &server,
                &collection(version),
                server.token(),
                &[file_part(name, bytes)],
            )
            .await;
            assert_status(&reply, 200);
            ids.push(
                reply.json()["data"][0]["details"]["id"]
                    .as_str()
                    .expect("id")
                    .to_owned(),
            );
        }
        let listed = list_all(&server, version).await;
        let expected: Vec<(String, String)> = ids
            .iter()
            .cloned()
            .zip(files.iter().map(|(name, _)| name.clone()))
            .collect();
        assert_eq!(listed, expected, "{version}");

        for (id, (name, bytes)) in ids.iter().zip(&files) {
            let reply = call(&server, "GET", &item(version, id)).await;
            assert_status(&reply, 200);
            assert_eq!(&reply.body, bytes, "{name}");
            assert_eq!(
                reply.header("content-disposition"),
                Some(format!("attachment; filename=\"{name}\"").as_str())
            );
        }

        let reply = call(&server, "DELETE", &item(version, &ids[0])).await;
        assert_status(&reply, 200);
        let reply = call(
            &server,
            "DELETE",
            &format!("{}?ids={}", collection(version), ids[1..].join(",")),
        )
        .await;
        assert_status(&reply, 200);
        assert!(
            reply.json()["data"]
                .as_array()
                .is_some_and(|items| items.iter().all(|i| i["status"] == "success"))
        );
        assert!(list_all(&server, version).await.is_empty());
        let reply = call(
            &server,
            "GET",
            &format!("{}?fields=id", collection(version)),
        )
        .await;
        assert_status(&reply, 204);
        assert_eq!(server.attachment_count(), 0);
        assert_eq!(stored_files(&server), 0);
    }
}

#[tokio::test]
async fn rejected_uploads_leave_no_file_and_the_directory_goes_with_the_server() {
    let server = LoopbackServer::start().await.expect("start");
    let dir = server.storage_dir().expect("a storage directory");
    assert!(dir.is_dir());
    for parts in [
        vec![file_part("setup.exe", b"MZ")],
        vec![
            file_part("a.txt", b"x"),
            text_part("attachmentUrl", "https://example.com"),
        ],
        vec![file_part("a.txt", b"x"), file_part("b.txt", b"y")],
        vec![file_part("a.txt", b"x"), text_part("other", "y")],
    ] {
        let reply = upload(&server, &collection("v2"), server.token(), &parts).await;
        assert_status(&reply, 400);
    }
    assert_eq!(stored_files(&server), 0);
    let reply = upload(
        &server,
        &collection("v2"),
        server.token(),
        &[file_part("a.txt", b"kept")],
    )
    .await;
    assert_status(&reply, 200);
    assert_eq!(stored_files(&server), 1);
    drop(server);
    // The server's state goes once its connection tasks are gone.
    let mut removed = false;
    for _ in 0..100 {
        if !dir.exists() {
            removed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(removed, "{} still exists", dir.display());
}
