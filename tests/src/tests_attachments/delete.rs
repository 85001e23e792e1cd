//! The delete endpoints: one attachment by its id, several by `ids` with an answer per id.

use serde_json::json;

use super::{
    OTHER_RECORD, RECORD, assert_status, call, collection, item, seed_files, stored_files,
};
use crate::LoopbackServer;

#[tokio::test]
async fn delete_one_removes_the_file() {
    let server = LoopbackServer::start().await.expect("start");
    let id = server.insert_file("Leads", RECORD, "a.txt", b"abc");
    let foreign = server.insert_file("Leads", OTHER_RECORD, "b.txt", b"b");
    assert_eq!(stored_files(&server), 2);

    let reply = call(&server, "DELETE", &item("v8", &id)).await;
    assert_status(&reply, 200);
    assert_eq!(
        reply.json(),
        json!({"data": [{"code": "SUCCESS", "details": {"id": id}, "message": "record deleted", "status": "success"}]})
    );
    assert_eq!(stored_files(&server), 1);
    assert_eq!(server.stored_file_bytes(&id), None);
    assert_eq!(server.attachment_count(), 1);

    let invalid = |id: &str| json!({"data": [{"code": "INVALID_DATA", "details": {"id": id}, "message": "the related id given seems to be invalid", "status": "error"}]});
    let reply = call(&server, "DELETE", &item("v8", &id)).await;
    assert_status(&reply, 400);
    assert_eq!(reply.json(), invalid(&id));
    // Another record's attachment is not this record's.
    let reply = call(&server, "DELETE", &item("v2", &foreign)).await;
    assert_status(&reply, 400);
    assert_eq!(reply.json(), invalid(&foreign));
    assert_eq!(server.attachment_count(), 1);
    assert_eq!(
        server.stored_file_bytes(&foreign).as_deref(),
        Some(&b"b"[..])
    );

    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 204);
}

#[tokio::test]
async fn delete_many_answers_per_id() {
    let server = LoopbackServer::start().await.expect("start");
    let ids = seed_files(&server, 3);
    let link = server.insert_link("Leads", RECORD, "https://example.com", None);
    let target = format!(
        "{}?ids={},999,{},{}%2C{}",
        collection("v2"),
        ids[0],
        ids[2],
        ids[0],
        link
    );
    let reply = call(&server, "DELETE", &target).await;
    assert_status(&reply, 200);
    let ok = |id: &str| json!({"code": "SUCCESS", "details": {"id": id}, "message": "record deleted", "status": "success"});
    let bad = |id: &str| json!({"code": "INVALID_DATA", "details": {"id": id}, "message": "the related id given seems to be invalid", "status": "error"});
    assert_eq!(
        reply.json(),
        json!({"data": [ok(&ids[0]), bad("999"), ok(&ids[2]), bad(&ids[0]), ok(&link)]})
    );
    let remaining: Vec<String> = server.attachments().into_iter().map(|a| a.id).collect();
    assert_eq!(remaining, [ids[1].clone()]);
    assert_eq!(stored_files(&server), 1);

    let missing = json!({
        "code": "REQUIRED_PARAM_MISSING",
        "details": {"param_name": "ids"},
        "message": "One of the expected parameter is missing",
        "status": "error",
    });
    for query in ["", "?ids=", "?ids=,%20,", "?other=1"] {
        let reply = call(&server, "DELETE", &format!("{}{query}", collection("v2"))).await;
        assert_status(&reply, 400);
        assert_eq!(reply.json(), missing, "{query}");
    }
    let many: Vec<String> = (0..101).map(|i| (1000 + i).to_string()).collect();
    let reply = call(
        &server,
        "DELETE",
        &format!("{}?ids={}", collection("v2"), many.join(",")),
    )
    .await;
    assert_status(&reply, 400);
    let json = reply.json();
    assert_eq!(json["code"], "INVALID_DATA");
    assert_eq!(json["details"], json!({"param_name": "ids"}));
    // 100 is fine.
    let reply = call(
        &server,
        "DELETE",
        &format!("{}?ids={}", collection("v2"), many[..100].join(",")),
    )
    .await;
    assert_status(&reply, 200);
    assert_eq!(reply.json()["data"].as_array().map(Vec::len), Some(100));
    assert_eq!(server.attachment_count(), 1);
}
