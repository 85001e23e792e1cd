//! Unit tests shared by photos, the file store and file fields: reqwest helpers, and the
//! faults, conditions and recording applying to the new routes as to attachments.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::image::png_header;
use crate::tests::{Part, file_part, multipart_body, multipart_content_type};
use crate::{Conditions, Fault, LoopbackServer, ServerConfig};

/// A record the tests use.
pub(crate) const RECORD: &str = "/crm/v8/Leads/1000000231009";

/// An answer as reqwest read it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!("not JSON: {}", String::from_utf8_lossy(&self.body));
        })
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts a Zoho error: status, and the item's code and message (top level or the one
    /// item of `data`); returns its details.
    pub(crate) fn error(&self, status: u16, code: &str, message: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        let json = self.json();
        let item = match json.get("data") {
            Some(data) => data[0].clone(),
            None => json,
        };
        assert_eq!(item["code"], code, "{item}");
        assert_eq!(item["message"], message, "{item}");
        assert_eq!(item["status"], "error");
        item["details"].clone()
    }
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client")
}

/// Sends a request with the server's token; a failed request panics.
pub(crate) async fn call(
    server: &LoopbackServer,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Answer {
    try_call(server, method, path, content_type, body)
        .await
        .expect("an answer")
}

/// Sends a request with the server's token.
pub(crate) async fn try_call(
    server: &LoopbackServer,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> reqwest::Result<Answer> {
    let mut request = client()
        .request(method, format!("{}{path}", server.base_url()))
        .header(
            "Authorization",
            format!("Zoho-oauthtoken {}", server.token()),
        )
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// `GET path`.
pub(crate) async fn get(server: &LoopbackServer, path: &str) -> Answer {
    call(server, Method::GET, path, None, Vec::new()).await
}

/// `POST path` with a multipart body of `parts`.
pub(crate) async fn post_parts(server: &LoopbackServer, path: &str, parts: &[Part<'_>]) -> Answer {
    let content_type = multipart_content_type();
    let body = multipart_body(parts);
    call(server, Method::POST, path, Some(&content_type), body).await
}

/// `PUT path` with a JSON body.
pub(crate) async fn put_json(server: &LoopbackServer, path: &str, body: &Value) -> Answer {
    let bytes = body.to_string().into_bytes();
    call(server, Method::PUT, path, Some("application/json"), bytes).await
}

/// A small PNG (a header and some bytes) of `width` x `height`.
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png_header(width, height);
    bytes.extend_from_slice(b"IDAT and the rest of a picture");
    bytes
}

/// How many files are in the server's storage directory.
pub(crate) fn files_on_disk(server: &LoopbackServer) -> usize {
    server
        .storage_dir()
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .map_or(0, Iterator::count)
}

#[tokio::test]
async fn a_429_fault_refuses_a_photo_upload_and_the_next_one_goes_through() {
    let server = LoopbackServer::start().await.expect("start");
    let path = format!("{RECORD}/photo");
    server.push_fault(Fault::TooManyRequests {
        retry_after: Some("2".to_owned()),
    });
    let photo = png(10, 10);
    let answer = post_parts(&server, &path, &[file_part("a.png", &photo)]).await;
    answer.error(429, "TOO_MANY_REQUESTS", "too many requests");
    assert_eq!(answer.header("retry-after"), Some("2"));
    assert!(server.photo("Leads", "1000000231009").is_none());

    let answer = post_parts(&server, &path, &[file_part("a.png", &photo)]).await;
    assert_eq!(answer.status, 200);
    assert!(server.photo("Leads", "1000000231009").is_some());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.path == path && r.method == "POST")
    );
}

#[tokio::test]
async fn a_drop_after_body_with_store_keeps_the_store_upload_but_answers_nothing() {
    let server = LoopbackServer::start().await.expect("start");
    server.push_fault(Fault::DropAfterBody { store: true });
    let content_type = multipart_content_type();
    let body = multipart_body(&[file_part("a.txt", b"kept")]);
    let result = try_call(
        &server,
        Method::POST,
        "/crm/v8/files",
        Some(&content_type),
        body,
    )
    .await;
    assert!(result.is_err(), "no answer expected: {result:?}");
    assert_eq!(server.stored_file_count(), 1);

    // Without `store`, nothing is kept.
    server.push_fault(Fault::DropAfterBody { store: false });
    let body = multipart_body(&[file_part("b.txt", b"dropped")]);
    let result = try_call(
        &server,
        Method::POST,
        "/crm/v8/files",
        Some(&content_type),
        body,
    )
    .await;
    assert!(result.is_err());
    assert_eq!(server.stored_file_count(), 1);
}

#[tokio::test]
async fn a_status_after_body_with_store_updates_the_record_but_answers_500() {
    let server = LoopbackServer::start().await.expect("start");
    server.add_file_field("Leads", "PO", 5);
    let upload = post_parts(&server, "/crm/v8/files", &[file_part("po.pdf", b"%PDF")]).await;
    let id = upload.json()["data"][0]["details"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    server.push_fault(Fault::StatusAfterBody {
        status: 503,
        store: true,
    });
    let answer = put_json(
        &server,
        RECORD,
        &json!({"data": [{"PO": [{"File_Id__s": id}]}]}),
    )
    .await;
    answer.error(503, "INTERNAL_ERROR", "Internal Server Error");
    let files = server.file_field("Leads", "1000000231009", "PO");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_id, id);
}

#[tokio::test]
async fn a_truncated_field_download_is_cut_short() {
    let server = LoopbackServer::start().await.expect("start");
    let content = vec![7u8; 100_000];
    let entry = server.insert_field_file("Leads", "1000000231009", "PO", "big.bin", &content);
    server.push_fault(Fault::TruncateBody { after_bytes: 1000 });
    let path = format!("{RECORD}/actions/download_fields_attachment?fields_attachment_id={entry}");
    let result = try_call(&server, Method::GET, &path, None, Vec::new()).await;
    assert!(result.is_err(), "a short body must fail: {result:?}");
    let answer = get(&server, &path).await;
    assert_eq!(answer.body, content);
}

#[tokio::test]
async fn the_new_routes_spend_credits_and_are_refused_when_they_are_spent() {
    let config = ServerConfig {
        conditions: Conditions {
            credits: Some(3),
            ..Conditions::default()
        },
        ..ServerConfig::default()
    };
    let server = LoopbackServer::start_with(config).await.expect("start");
    server.add_file_field("Leads", "PO", 5);
    assert_eq!(get(&server, &format!("{RECORD}/photo")).await.status, 204);
    assert_eq!(get(&server, "/crm/v8/files?id=unknown").await.status, 204);
    assert_eq!(
        get(&server, &format!("{RECORD}?fields=PO")).await.status,
        200
    );
    let refused = get(&server, &format!("{RECORD}?fields=PO")).await;
    refused.error(429, "TOO_MANY_REQUESTS", "too many requests");
    assert_eq!(server.credits_spent(), 3);
    assert_eq!(server.refused_count(), 1);
    assert_eq!(server.stats().requests, 4);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            format!("{RECORD}/photo"),
            "/crm/v8/files".to_owned(),
            RECORD.to_owned(),
            RECORD.to_owned()
        ]
    );
}

#[tokio::test]
async fn the_common_checks_come_first_on_every_new_route() {
    let server = LoopbackServer::start().await.expect("start");
    let no_token = client()
        .get(format!("{}/crm/v8/files?id=x", server.base_url()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(no_token.status().as_u16(), 401);

    let answer = call(&server, Method::DELETE, "/crm/v8/files", None, Vec::new()).await;
    answer.error(
        400,
        "INVALID_REQUEST_METHOD",
        "The http request method type is not a valid one",
    );
    let answer = call(&server, Method::POST, RECORD, None, Vec::new()).await;
    answer.error(
        400,
        "INVALID_REQUEST_METHOD",
        "The http request method type is not a valid one",
    );
    let path = format!("{RECORD}/actions/download_fields_attachment?fields_attachment_id=1");
    let answer = call(&server, Method::DELETE, &path, None, Vec::new()).await;
    answer.error(
        400,
        "INVALID_REQUEST_METHOD",
        "The http request method type is not a valid one",
    );

    let answer = get(&server, "/crm/v8/Widgets/1000000231009/photo").await;
    answer.error(
        400,
        "INVALID_MODULE",
        "The module name given seems to be invalid",
    );
    let answer = get(&server, "/crm/v8/Leads/12ab?fields=PO").await;
    let details = answer.error(
        400,
        "INVALID_DATA",
        "the related id given seems to be invalid",
    );
    assert_eq!(details, json!({"id": "12ab"}));
    let answer = get(&server, "/crm/v8/Leads/1/actions/other").await;
    answer.error(
        404,
        "INVALID_URL_PATTERN",
        "Please check if the URL trying to access is a correct one",
    );
}
