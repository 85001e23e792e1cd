//! Unit tests of records' file-upload fields over real HTTP (reqwest).

use reqwest::Method;
use serde_json::{Value, json};

use crate::file_fields::MAX_BODY_BYTES;
use crate::tests::file_part;
use crate::tests_files::{RECORD, call, get, post_parts, put_json};
use crate::{Disposition, LoopbackServer};

const RECORD_ID: &str = "1000000231009";

/// Uploads files to the store; their ids.
async fn store(server: &LoopbackServer, files: &[(&str, &[u8])]) -> Vec<String> {
    let parts: Vec<_> = files
        .iter()
        .map(|(name, bytes)| file_part(name, bytes))
        .collect();
    let answer = post_parts(server, "/crm/v8/files", &parts).await;
    assert_eq!(answer.status, 200);
    answer.json()["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|item| item["details"]["id"].as_str().expect("an id").to_owned())
        .collect()
}

fn field_download(entry: &str) -> String {
    format!("{RECORD}/actions/download_fields_attachment?fields_attachment_id={entry}")
}

#[tokio::test]
async fn an_update_adds_files_keeps_the_others_and_deletes_on_request() {
    let server = LoopbackServer::start().await.expect("start");
    server.add_file_field("Leads", "PO", 5);
    server.add_file_field("Leads", "Scans", 10);
    let existing = server.insert_field_file("Leads", RECORD_ID, "PO", "old.txt", b"old");
    let ids = store(&server, &[("a.pdf", b"%PDF a"), ("b.csv", b"x,y\n1,2\n")]).await;

    let answer = put_json(
        &server,
        RECORD,
        &json!({"data": [{"PO": [{"File_Id__s": ids[0]}, {"File_Id__s": ids[1]}]}]}),
    )
    .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let item = &answer.json()["data"][0];
    assert_eq!(item["code"], "SUCCESS");
    assert_eq!(item["message"], "record updated");
    assert_eq!(item["status"], "success");
    assert_eq!(item["details"]["id"], RECORD_ID);
    assert_eq!(item["details"]["$approval_state"], "approved");
    assert_eq!(item["details"]["Modified_By"]["name"], "Patricia Boyle");
    assert!(item["details"]["Created_Time"].is_string());

    let files = server.file_field("Leads", RECORD_ID, "PO");
    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(names, ["old.txt", "a.pdf", "b.csv"]);
    assert_eq!(files[0].entry_id, existing);
    assert_eq!(files[1].file_id, ids[0]);
    assert!(server.stored_file(&ids[0]).is_some_and(|f| f.consumed));

    let record = get(&server, &format!("{RECORD}?fields=PO,Scans")).await;
    assert_eq!(record.status, 200);
    let json = record.json();
    let data = &json["data"][0];
    assert_eq!(data["id"], RECORD_ID);
    assert_eq!(data["Scans"], Value::Null);
    let po = data["PO"].as_array().expect("PO");
    assert_eq!(po.len(), 3);
    let entry = &po[1];
    assert_eq!(entry["File_Name__s"], "a.pdf");
    assert_eq!(entry["Size__s"], "6");
    assert_eq!(entry["File_Id__s"], ids[0].as_str());
    assert_eq!(entry["id"], files[1].entry_id.as_str());
    assert_eq!(entry["Owner__s"]["id"], "738964000000291009");
    for key in [
        "Created_Time__s",
        "Modified_Time__s",
        "Created_By__s",
        "Modified_By__s",
    ] {
        assert!(!entry[key].is_null(), "{key}");
    }

    // Delete the old entry, keep the rest.
    let answer = put_json(
        &server,
        RECORD,
        &json!({"data": [{"PO": [{"id": existing, "_delete": null}]}]}),
    )
    .await;
    assert_eq!(answer.status, 200);
    let names: Vec<String> = server
        .file_field("Leads", RECORD_ID, "PO")
        .into_iter()
        .map(|f| f.file_name)
        .collect();
    assert_eq!(names, ["a.pdf", "b.csv"]);

    // The consumed id can't be attached again, here or to another field.
    let again = put_json(
        &server,
        RECORD,
        &json!({"data": [{"Scans": [{"File_Id__s": ids[0]}]}]}),
    )
    .await;
    let details = again.error(
        400,
        "INVALID_DATA",
        "The field value given for Scans is invalid",
    );
    assert_eq!(
        details,
        json!({"api_name": "Scans", "json_path": "$.data[0].Scans[0].File_Id__s"})
    );
    assert!(server.file_field("Leads", RECORD_ID, "Scans").is_empty());
    // It still downloads from the store.
    assert_eq!(
        get(&server, &format!("/crm/v8/files?id={}", ids[0]))
            .await
            .body,
        b"%PDF a"
    );
}

#[tokio::test]
async fn a_field_file_downloads_byte_identical() {
    let server = LoopbackServer::start().await.expect("start");
    server.add_file_field("Leads", "PO", 5);
    let content: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    let ids = store(&server, &[("scan.png", &content)]).await;
    let answer = put_json(
        &server,
        RECORD,
        &json!({"data": [{"PO": [{"File_Id__s": ids[0]}]}]}),
    )
    .await;
    assert_eq!(answer.status, 200);
    let entry = server.file_field("Leads", RECORD_ID, "PO")[0]
        .entry_id
        .clone();

    server.set_disposition_style(Disposition::Quoted);
    let download = get(&server, &field_download(&entry)).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, content);
    assert_eq!(download.header("content-type"), Some("image/png"));
    assert_eq!(download.header("content-length"), Some("300000"));
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"scan.png\"")
    );

    let unknown = get(&server, &field_download("738964000000000001")).await;
    assert_eq!((unknown.status, unknown.body.len()), (204, 0));
    // Another record's entry is not this record's.
    let other = get(
        &server,
        &format!("/crm/v8/Leads/1000000231010/actions/download_fields_attachment?fields_attachment_id={entry}"),
    )
    .await;
    assert_eq!(other.status, 204);
    let missing = get(
        &server,
        &format!("{RECORD}/actions/download_fields_attachment"),
    )
    .await;
    let details = missing.error(
        400,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
    );
    assert_eq!(details, json!({"param_name": "fields_attachment_id"}));
}

#[tokio::test]
async fn reading_fields_checks_their_names() {
    let server = LoopbackServer::start().await.expect("start");
    server.add_file_field("Leads", "PO", 5);
    let unknown = get(&server, &format!("{RECORD}?fields=PO,Last_Name")).await;
    let details = unknown.error(400, "INVALID_DATA", "invalid data");
    assert_eq!(details, json!({"param_name": "fields"}));
    let missing = get(&server, RECORD).await;
    let details = missing.error(
        400,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
    );
    assert_eq!(details, json!({"param_name": "fields"}));
    // Before v3 every declared field is read without `fields`.
    let v2 = get(&server, "/crm/v2/Leads/1000000231009").await;
    assert_eq!(v2.json(), json!({"data": [{"id": RECORD_ID, "PO": null}]}));
    let only_id = get(&server, &format!("{RECORD}?fields=id")).await;
    assert_eq!(only_id.json(), json!({"data": [{"id": RECORD_ID}]}));
}

#[tokio::test]
async fn refused_updates_change_nothing() {
    let server = LoopbackServer::start().await.expect("start");
    server.add_file_field("Leads", "PO", 2);
    let ids = store(
        &server,
        &[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")],
    )
    .await;

    let too_many = put_json(
        &server,
        RECORD,
        &json!({"data": [{"PO": ids.iter().map(|id| json!({"File_Id__s": id})).collect::<Vec<_>>()}]}),
    )
    .await;
    let details = too_many.error(
        400,
        "LIMIT_EXCEEDED",
        "Record insertion limit has been exceeded.",
    );
    assert_eq!(
        details,
        json!({"api_name": "PO", "json_path": "$.data[0].PO", "maximum_length": 2})
    );
    assert!(server.file_field("Leads", RECORD_ID, "PO").is_empty());
    assert!(
        ids.iter()
            .all(|id| server.stored_file(id).is_some_and(|f| !f.consumed))
    );

    let unknown_field = put_json(
        &server,
        RECORD,
        &json!({"data": [{"Notes": [{"File_Id__s": ids[0]}]}]}),
    )
    .await;
    let details = unknown_field.error(400, "INVALID_DATA", "invalid data");
    assert_eq!(
        details,
        json!({"api_name": "Notes", "json_path": "$.data[0].Notes"})
    );

    let unknown_id = put_json(
        &server,
        RECORD,
        &json!({"data": [{"PO": [{"File_Id__s": "f".repeat(40)}]}]}),
    )
    .await;
    unknown_id.error(
        400,
        "INVALID_DATA",
        "The field value given for PO is invalid",
    );
    let unknown_entry = put_json(
        &server,
        RECORD,
        &json!({"data": [{"PO": [{"id": "1", "_delete": null}]}]}),
    )
    .await;
    let details = unknown_entry.error(
        400,
        "INVALID_DATA",
        "The field value given for PO is invalid",
    );
    assert_eq!(details["json_path"], "$.data[0].PO[0].id");

    let not_json = call(&server, Method::PUT, RECORD, Some("text/plain"), "{}").await;
    let details = not_json.error(400, "INVALID_DATA", "body");
    assert_eq!(details, json!({"expected_data_type": "jsonobject"}));
    let garbage = call(
        &server,
        Method::PUT,
        RECORD,
        Some("application/json"),
        "{data",
    )
    .await;
    garbage.error(400, "INVALID_DATA", "body");
    let no_data = put_json(&server, RECORD, &json!({"records": []})).await;
    no_data.error(400, "MANDATORY_NOT_FOUND", "required field not found");
    let two = put_json(&server, RECORD, &json!({"data": [{}, {}]})).await;
    two.error(
        400,
        "LIMIT_EXCEEDED",
        "count of records in your request exceeds the limit",
    );
    let huge = vec![b' '; MAX_BODY_BYTES + 1];
    let huge = call(&server, Method::PUT, RECORD, Some("application/json"), huge).await;
    let details = huge.error(413, "LIMIT_EXCEEDED", "limit exceeded");
    assert_eq!(details, json!({"limit": 1_048_576, "param_name": "body"}));

    assert!(server.file_field("Leads", RECORD_ID, "PO").is_empty());
    assert!(
        ids.iter()
            .all(|id| server.stored_file(id).is_some_and(|f| !f.consumed))
    );
}
