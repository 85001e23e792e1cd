//! Unit tests of list, download and delete, the link upload styles and the download
//! faults, over raw TCP.

use std::io;
use std::net::SocketAddr;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::operations::LIST_FIELDS;
use crate::tests::{
    IO_TIMEOUT, Reply, assert_error, file_part, multipart_body, multipart_content_type,
    parse_reply, request, send, text_part, upload,
};
use crate::{Disposition, EmptyList, Fault, LoopbackServer, StoredContent};

const RECORD: &str = "1000000231009";
const OTHER_RECORD: &str = "1000000231010";

fn collection(version: &str) -> String {
    format!("/crm/{version}/Leads/{RECORD}/Attachments")
}

/// The list fields before v8 (which adds `$field_states`).
fn v2_fields() -> impl Iterator<Item = &'static &'static str> {
    LIST_FIELDS.iter().filter(|k| **k != "$field_states")
}

fn item(version: &str, id: &str) -> String {
    format!("/crm/{version}/Leads/{RECORD}/Attachments/{id}")
}

/// A bodiless request with the server's token.
async fn call(server: &LoopbackServer, method: &str, target: &str) -> Reply {
    let bytes = request(method, target, Some(server.token()), None, b"");
    send(server.local_addr(), &bytes).await
}

fn body_text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

fn assert_status(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "body: {}", body_text(reply));
}

/// The ids of a list reply's `data`.
fn ids_of(reply: &Reply) -> Vec<String> {
    reply.json()["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The keys of a JSON object, sorted.
fn sorted_keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object
        .as_object()
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn seed_files(server: &LoopbackServer, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let content = format!("content of file {i}");
            server.insert_file("Leads", RECORD, &format!("f{i}.txt"), content.as_bytes())
        })
        .collect()
}

/// Files in the server's storage directory.
fn stored_files(server: &LoopbackServer) -> usize {
    server
        .storage_dir()
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .map_or(0, Iterator::count)
}

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
async fn list_pages_on_v2() {
    let server = LoopbackServer::start().await.expect("start");
    let mut ids = seed_files(&server, 5);
    ids.push(server.insert_link("Leads", RECORD, "https://www.zohocorp.com", Some("Zoho")));
    // Other records and modules don't show.
    server.insert_file("Leads", OTHER_RECORD, "other.txt", b"x");
    server.insert_file("Deals", RECORD, "deal.txt", b"x");

    let path = collection("v2");
    let mut seen = Vec::new();
    for (page, count, more) in [(1, 4, true), (2, 2, false)] {
        let reply = call(&server, "GET", &format!("{path}?per_page=4&page={page}")).await;
        assert_status(&reply, 200);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let json = reply.json();
        assert_eq!(
            json["info"],
            json!({"per_page": 4, "count": count, "page": page, "more_records": more})
        );
        seen.extend(ids_of(&reply));
    }
    assert_eq!(seen, ids);
    let reply = call(&server, "GET", &format!("{path}?per_page=4&page=3")).await;
    assert_status(&reply, 204);
    assert!(reply.body.is_empty());

    // Defaults: page 1, 200 per page, every field.
    let reply = call(&server, "GET", &path).await;
    assert_status(&reply, 200);
    let json = reply.json();
    assert_eq!(
        json["info"],
        json!({"per_page": 200, "count": 6, "page": 1, "more_records": false})
    );
    let file = &json["data"][0];
    let keys = sorted_keys(file);
    let mut expected: Vec<String> = v2_fields().map(|k| (*k).to_owned()).collect();
    expected.sort();
    assert_eq!(keys, expected);
    // The order on the wire is Zoho's.
    let text = body_text(&reply);
    let positions: Vec<usize> = v2_fields()
        .map(|k| text.find(&format!("\"{k}\":")).expect("key"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    assert_eq!(file["id"], ids[0].as_str());
    assert_eq!(file["File_Name"], "f0.txt");
    assert_eq!(file["Size"], "17");
    assert_eq!(file["$type"], "File");
    assert_eq!(file["$se_module"], "Leads");
    assert_eq!(file["$state"], "active");
    assert_eq!(file["$editable"], true);
    assert_eq!(file["$sharing_permission"], "Public");
    assert!(file["$link_url"].is_null());
    assert!(file["$file_id"].as_str().is_some_and(|id| id.len() == 32));
    assert_eq!(file["Parent_Id"]["id"], RECORD);
    assert!(file["Parent_Id"]["name"].is_string());
    for who in ["Owner", "Created_By", "Modified_By"] {
        assert_eq!(
            file[who],
            json!({"name": "Patricia Boyle", "id": "738964000000291009"})
        );
    }
    let time = file["Created_Time"].as_str().expect("time");
    assert!(time.ends_with("+00:00"));
    assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok());
    assert_eq!(file["Modified_Time"], file["Created_Time"]);

    let link = &json["data"][5];
    assert_eq!(link["$type"], "Link URL");
    assert_eq!(link["$link_url"], "https://www.zohocorp.com");
    assert_eq!(link["File_Name"], "Zoho");
    assert!(link["$file_id"].is_null());
    assert_eq!(link["Size"], "0");
}

#[tokio::test]
async fn v8_items_carry_field_states_and_users_with_an_email() {
    let server = LoopbackServer::start().await.expect("start");
    seed_files(&server, 1);
    let reply = call(&server, "GET", &format!("{}?fields=id", collection("v8"))).await;
    assert_status(&reply, 200);
    let reply = call(
        &server,
        "GET",
        &format!("{}?fields=Owner,%24field_states", collection("v8")),
    )
    .await;
    assert_status(&reply, 200);
    let item = &reply.json()["data"][0];
    assert!(
        item.get("$field_states").is_some_and(Value::is_null),
        "{item}"
    );
    assert_eq!(item["Owner"]["email"], "patricia.boyle@example.com");
    let v7 = call(
        &server,
        "GET",
        &format!("{}?fields=Owner", collection("v7")),
    )
    .await;
    let owner = &v7.json()["data"][0]["Owner"];
    assert!(owner.get("email").is_none(), "{owner}");
}

#[tokio::test]
async fn list_follows_page_tokens_on_v8() {
    let server = LoopbackServer::start().await.expect("start");
    let ids = seed_files(&server, 7);
    let base = format!("{}?fields=File_Name,Size&per_page=3", collection("v8"));

    let mut target = base.clone();
    let mut seen = Vec::new();
    let mut previous_tokens = Vec::new();
    let mut requests = 0;
    for _ in 0..10 {
        let reply = call(&server, "GET", &target).await;
        assert_status(&reply, 200);
        requests += 1;
        let json = reply.json();
        for item in json["data"].as_array().expect("data") {
            assert_eq!(sorted_keys(item), ["File_Name", "Size", "id"]);
        }
        seen.extend(ids_of(&reply));
        let info = &json["info"];
        previous_tokens.push(info["previous_page_token"].clone());
        match info["next_page_token"].as_str() {
            Some(next) => {
                assert_eq!(info["more_records"], true);
                let expiry = info["page_token_expiry"].as_str().expect("expiry");
                assert!(chrono::DateTime::parse_from_rfc3339(expiry).is_ok());
                target = format!("{base}&page_token={next}");
            }
            None => {
                assert_eq!(info["more_records"], false);
                assert!(info["next_page_token"].is_null());
                assert!(info["page_token_expiry"].is_null());
                break;
            }
        }
    }
    assert_eq!(requests, 3);
    assert_eq!(seen, ids);
    assert!(previous_tokens[0].is_null());
    assert!(previous_tokens[1].is_string() && previous_tokens[2].is_string());

    // `page` is ignored next to a token.
    let first = call(&server, "GET", &base).await.json();
    let next = first["info"]["next_page_token"].as_str().expect("next");
    let reply = call(&server, "GET", &format!("{base}&page=9&page_token={next}")).await;
    assert_eq!(ids_of(&reply), ids[3..6]);
    assert_eq!(reply.json()["info"]["page"], 2);

    // v2's page parameters work on v8 too.
    let reply = call(&server, "GET", &format!("{base}&page=3")).await;
    assert_eq!(ids_of(&reply), ids[6..]);

    // Tokens only on v8; bad, foreign and expired tokens are refused.
    let reply = call(
        &server,
        "GET",
        &format!("{}?fields=id&page_token={next}", collection("v7")),
    )
    .await;
    assert_status(&reply, 400);
    assert_eq!(reply.json()["code"], "INVALID_DATA");
    assert_eq!(reply.json()["details"]["param_name"], "page_token");
    let expired = crate::query::encode_page_token("Leads", RECORD, 3, 1);
    let foreign = crate::query::encode_page_token("Leads", OTHER_RECORD, 3, i64::MAX);
    for token in ["zz", "not-a-token", &expired, &foreign] {
        let reply = call(&server, "GET", &format!("{base}&page_token={token}")).await;
        assert_status(&reply, 400);
        let json = reply.json();
        assert_eq!(json["code"], "INVALID_DATA");
        assert_eq!(json["details"], json!({"param_name": "page_token"}));
        assert_eq!(json["status"], "error");
    }
    let reply = call(&server, "GET", &format!("{base}&page_token={expired}")).await;
    assert!(
        reply.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired"))
    );
}

#[tokio::test]
async fn fields_are_required_from_v3() {
    let server = LoopbackServer::start().await.expect("start");
    seed_files(&server, 2);
    let expected = json!({
        "code": "REQUIRED_PARAM_MISSING",
        "details": {"param_name": "fields"},
        "message": "One of the expected parameter is missing",
        "status": "error",
    });
    for target in [
        collection("v3"),
        format!("{}?fields=", collection("v5")),
        format!("{}?page=1&fields=%20,", collection("v8")),
    ] {
        let reply = call(&server, "GET", &target).await;
        assert_status(&reply, 400);
        assert_eq!(reply.json(), expected);
    }
    for version in ["v2", "v2.1"] {
        let reply = call(&server, "GET", &collection(version)).await;
        assert_status(&reply, 200);
        assert_eq!(
            sorted_keys(&reply.json()["data"][0]).len(),
            v2_fields().count()
        );
    }
    let reply = call(
        &server,
        "GET",
        &format!("{}?fields=%24type,File_Name,Nope", collection("v3")),
    )
    .await;
    assert_status(&reply, 200);
    assert_eq!(
        sorted_keys(&reply.json()["data"][0]),
        ["$type", "File_Name", "id"]
    );
}

#[tokio::test]
async fn page_parameters_are_checked() {
    let server = LoopbackServer::start().await.expect("start");
    seed_files(&server, 1);
    let path = collection("v2");
    for (query, param) in [
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("per_page=abc", "per_page"),
        ("per_page=-1", "per_page"),
        ("per_page=1&per_page=2", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
    ] {
        let reply = call(&server, "GET", &format!("{path}?{query}")).await;
        assert_status(&reply, 400);
        let json = reply.json();
        assert_eq!(json["code"], "INVALID_DATA");
        assert_eq!(json["status"], "error");
        assert!(json["message"].as_str().is_some_and(|m| m.contains(param)));
        assert_eq!(json["details"], json!({"param_name": param}), "{query}");
    }
    for query in ["per_page=1", "per_page=200", "page=1"] {
        let reply = call(&server, "GET", &format!("{path}?{query}")).await;
        assert_status(&reply, 200);
    }
}

#[tokio::test]
async fn ids_filter_the_list() {
    let server = LoopbackServer::start().await.expect("start");
    let ids = seed_files(&server, 4);
    let target = format!(
        "{}?ids={},{},999,{}",
        collection("v2"),
        ids[3],
        ids[1],
        ids[0]
    );
    let reply = call(&server, "GET", &target).await;
    assert_status(&reply, 200);
    assert_eq!(ids_of(&reply), [ids[0].as_str(), &ids[1], &ids[3]]);
    assert_eq!(reply.json()["info"]["count"], 3);
    let reply = call(&server, "GET", &format!("{}?ids=999", collection("v2"))).await;
    assert_status(&reply, 204);
}

#[tokio::test]
async fn empty_lists_in_both_styles() {
    let server = LoopbackServer::start().await.expect("start");
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 204);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("content-type"), None);

    server.set_empty_list_style(EmptyList::EmptyData);
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 200);
    assert_eq!(
        reply.json(),
        json!({"data": [], "info": {"per_page": 200, "count": 0, "page": 1, "more_records": false}})
    );
    let reply = call(&server, "GET", &format!("{}?fields=id", collection("v8"))).await;
    assert_status(&reply, 200);
    assert_eq!(
        reply.json(),
        json!({"data": [], "info": {
            "per_page": 200, "count": 0, "page": 1, "more_records": false,
            "next_page_token": null, "previous_page_token": null, "page_token_expiry": null,
        }})
    );

    server.set_empty_list_style(EmptyList::NoContent);
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 204);
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

#[tokio::test]
async fn links_upload_from_query_parameters() {
    let server = LoopbackServer::start().await.expect("start");
    let query =
        "attachmentUrl=https%3A%2F%2Fwww.zohocorp.com%2Fa%3Fb%3Dc&title=Zoho+Corp%20%E2%9C%93";
    let target = format!("{}?{query}", collection("v8"));

    // With Content-Length: 0.
    let reply = call(&server, "POST", &target).await;
    assert_status(&reply, 200);
    let details = &reply.json()["data"][0]["details"];
    let id = details["id"].as_str().expect("id").to_owned();
    // With no length and no body at all.
    let bare = format!(
        "POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Zoho-oauthtoken {}\r\n\r\n",
        server.token()
    );
    let reply = send(server.local_addr(), bare.as_bytes()).await;
    assert_status(&reply, 200);

    let stored = server.attachments();
    assert_eq!(stored.len(), 2);
    for attachment in &stored {
        assert!(matches!(
            &attachment.content,
            StoredContent::Link { url } if url == "https://www.zohocorp.com/a?b=c"
        ));
        assert_eq!(attachment.title.as_deref(), Some("Zoho Corp ✓"));
        assert_eq!(attachment.version, "v8");
        assert_eq!(attachment.kind, crate::AttachmentKind::Link);
        assert_eq!(
            attachment.created_time,
            details["Created_Time"].as_str().unwrap_or("")
        );
    }
    // Without a title, on v2 too.
    let reply = call(
        &server,
        "POST",
        &format!("{}?attachmentUrl=https://example.com", collection("v2")),
    )
    .await;
    assert_status(&reply, 200);
    assert_eq!(server.attachments()[2].title, None);

    let reply = call(
        &server,
        "GET",
        &format!("{}?fields=File_Name,%24link_url", collection("v8")),
    )
    .await;
    let first = &reply.json()["data"][0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["File_Name"], "Zoho Corp ✓");
    assert_eq!(first["$link_url"], "https://www.zohocorp.com/a?b=c");

    // A body next to the query link.
    let body = multipart_body(&[text_part("attachmentUrl", "https://example.com")]);
    let ct = multipart_content_type();
    let bytes = request("POST", &target, Some(server.token()), Some(&ct), &body);
    let reply = send(server.local_addr(), &bytes).await;
    assert_status(&reply, 400);
    assert_eq!(
        reply.json()["data"][0]["details"]["param_name"],
        "attachmentUrl"
    );
    // A title on v2.
    let reply = call(&server, "POST", &format!("{}?{query}", collection("v2"))).await;
    assert_status(&reply, 400);
    assert_eq!(reply.json()["data"][0]["details"]["param_name"], "title");
    // A bad URL, and two of them.
    for query in [
        "attachmentUrl=ftp://example.com",
        "attachmentUrl=",
        "attachmentUrl=https://a.com&attachmentUrl=https://b.com",
    ] {
        let reply = call(&server, "POST", &format!("{}?{query}", collection("v8"))).await;
        assert_status(&reply, 400);
        assert_eq!(reply.json()["data"][0]["code"], "INVALID_DATA");
        assert_eq!(
            reply.json()["data"][0]["details"]["param_name"],
            "attachmentUrl"
        );
    }
    // A query title with a form link.
    let reply = upload(
        &server,
        &format!("{}?title=x", collection("v8")),
        server.token(),
        &[text_part("attachmentUrl", "https://example.com")],
    )
    .await;
    assert_status(&reply, 400);
    assert_eq!(reply.json()["data"][0]["details"]["param_name"], "title");
    assert_eq!(server.attachment_count(), 3);
}

#[tokio::test]
async fn link_titles_from_v2_1() {
    let server = LoopbackServer::start().await.expect("start");
    let link = [
        text_part("attachmentUrl", "https://www.zohocorp.com"),
        text_part("title", "Zoho"),
    ];
    let reply = upload(&server, &collection("v2.1"), server.token(), &link).await;
    assert_status(&reply, 200);
    let stored = server.attachments();
    assert_eq!(stored[0].title.as_deref(), Some("Zoho"));
    // Title first works too.
    let reversed = [
        text_part("title", "Zoho 2"),
        text_part("attachmentUrl", "https://www.zohocorp.com"),
    ];
    let reply = upload(&server, &collection("v8"), server.token(), &reversed).await;
    assert_status(&reply, 200);
    assert_eq!(server.attachments()[1].title.as_deref(), Some("Zoho 2"));

    let cases: Vec<(&str, Vec<crate::tests::Part<'_>>)> = vec![
        (
            "v2",
            vec![
                text_part("attachmentUrl", "https://www.zohocorp.com"),
                text_part("title", "Zoho"),
            ],
        ),
        (
            "v2.1",
            vec![file_part("a.txt", b"x"), text_part("title", "t")],
        ),
        (
            "v3",
            vec![
                text_part("attachmentUrl", "https://www.zohocorp.com"),
                text_part("title", "a"),
                text_part("title", "b"),
            ],
        ),
    ];
    for (version, parts) in cases {
        let reply = upload(&server, &collection(version), server.token(), &parts).await;
        assert_status(&reply, 400);
        let item = &reply.json()["data"][0];
        assert_eq!(item["code"], "INVALID_DATA");
        assert_eq!(item["details"]["param_name"], "title", "{version}");
        assert!(
            item["message"]
                .as_str()
                .is_some_and(|m| m.contains("`title`"))
        );
    }
    assert_eq!(server.attachment_count(), 2);
    // The rejected file was not left on disk.
    assert_eq!(stored_files(&server), 0);
}

#[tokio::test]
async fn methods_and_checks_apply_to_every_route() {
    let server = LoopbackServer::start().await.expect("start");
    let id = server.insert_file("Leads", RECORD, "a.txt", b"a");
    let method_error = "The http request method type is not a valid one";
    for (method, target) in [
        ("PUT", collection("v2")),
        ("PATCH", collection("v2")),
        ("POST", item("v2", &id)),
        ("PUT", item("v2", &id)),
    ] {
        let reply = call(&server, method, &target).await;
        assert_error(&reply, 400, "INVALID_REQUEST_METHOD", method_error, false);
    }
    let wrong_token = request("GET", &item("v2", &id), Some("wrong"), None, b"");
    let reply = send(server.local_addr(), &wrong_token).await;
    assert_error(&reply, 401, "INVALID_TOKEN", "invalid oauth token", false);
    let reply = call(
        &server,
        "DELETE",
        &format!("/crm/v2/Widgets/{RECORD}/Attachments/{id}"),
    )
    .await;
    assert_error(
        &reply,
        400,
        "INVALID_MODULE",
        "The module name given seems to be invalid",
        false,
    );
    let reply = call(&server, "GET", "/crm/v8/Leads/12x/Attachments?fields=id").await;
    assert_error(
        &reply,
        400,
        "INVALID_DATA",
        "the related id given seems to be invalid",
        true,
    );
    for target in [
        format!("{}/x", item("v2", &id)),
        format!("{}/", item("v2", &id)),
        format!("/crm/v9/Leads/{RECORD}/Attachments/{id}"),
    ] {
        let reply = call(&server, "GET", &target).await;
        assert_status(&reply, 404);
    }
    // Faults apply to the new routes too.
    server.push_fault(Fault::TooManyRequests { retry_after: None });
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 429);
    server.push_fault(Fault::StatusAfterBody {
        status: 500,
        store: true,
    });
    let reply = call(&server, "DELETE", &item("v2", &id)).await;
    assert_status(&reply, 500);
    // Handled normally first: the attachment is gone.
    assert_eq!(server.attachment_count(), 0);
}

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
