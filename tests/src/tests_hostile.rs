//! Unit tests of the hostile fault modes of both servers and of [`crate::OtherHost`], with a
//! plain reqwest client that follows no redirect.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{
    AccountsConfig, AccountsServer, Coding, Fault, LoopbackServer, OtherHost, Paging, RawExpiry,
    TokenFailure, TokenRegistry,
};

const LIST: &str = "/crm/v8/Leads/1000000231009/Attachments";
const RECORD: &str = "1000000231009";

fn http() -> reqwest::Client {
    match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    }
}

async fn server() -> LoopbackServer {
    match LoopbackServer::start().await {
        Ok(server) => server,
        Err(e) => panic!("{e}"),
    }
}

/// GETs `path_and_query` with the server's token: status, headers and body.
async fn get(
    server: &LoopbackServer,
    path_and_query: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = http()
        .get(format!("{}{path_and_query}", server.base_url()))
        .header(
            "Authorization",
            format!("Zoho-oauthtoken {}", server.token()),
        )
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(e) => panic!("{e}"),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    match response.bytes().await {
        Ok(bytes) => (status, headers, bytes.to_vec()),
        Err(e) => panic!("{e}"),
    }
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("{e}: {body:?}"))
}

#[tokio::test]
async fn a_redirect_fault_answers_with_its_location_and_stores_nothing() {
    let server = server().await;
    server.push_fault(Fault::Redirect {
        status: 307,
        location: "http://127.0.0.2:9/steal".to_owned(),
    });
    let (status, headers, body) = get(&server, LIST).await;
    assert_eq!(status, 307);
    let location = headers.get("location").and_then(|v| v.to_str().ok());
    assert_eq!(location, Some("http://127.0.0.2:9/steal"));
    assert!(body.is_empty());
    assert_eq!(server.attachment_count(), 0);
}

#[tokio::test]
async fn a_drip_fault_sends_the_normal_answer_one_byte_at_a_time() {
    let server = server().await;
    let (_, _, normal) = get(&server, "/crm/v2/Leads/1/Attachments/x/y").await;
    let interval = Duration::from_millis(5);
    server.push_fault(Fault::Drip { interval });
    let started = Instant::now();
    let (status, headers, dripped) = get(&server, "/crm/v2/Leads/1/Attachments/x/y").await;
    let elapsed = started.elapsed();
    assert_eq!(status, 404);
    assert_eq!(dripped, normal);
    let length = headers.get("content-length").and_then(|v| v.to_str().ok());
    assert_eq!(length, Some(normal.len().to_string().as_str()));
    assert!(
        elapsed >= interval * u32::try_from(normal.len()).unwrap_or(u32::MAX),
        "{elapsed:?} for {} bytes",
        normal.len()
    );
}

#[tokio::test]
async fn encoded_answers_decode_to_the_normal_answer() {
    let server = server().await;
    server.insert_file("Leads", RECORD, "a.txt", b"hello");
    let (_, _, normal) = get(&server, &format!("{LIST}?fields=id")).await;
    for coding in [Coding::Gzip, Coding::Deflate] {
        // A client without decoding sees the encoded bytes and the header...
        server.push_fault(Fault::Encode(coding));
        let raw = reqwest::Client::builder()
            .no_gzip()
            .no_deflate()
            .no_proxy()
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
            .get(format!("{}{LIST}?fields=id", server.base_url()))
            .header(
                "Authorization",
                format!("Zoho-oauthtoken {}", server.token()),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let encoding = raw.headers().get("content-encoding").cloned();
        assert_eq!(
            encoding.as_ref().and_then(|v| v.to_str().ok()),
            Some(coding.name())
        );
        let bytes = raw.bytes().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bytes.to_vec(), coding.encode(&normal));
        assert_ne!(bytes.to_vec(), normal);
        // ...and one that decodes gets the normal answer (ids aside, it is the same listing).
        server.push_fault(Fault::Encode(coding));
        let (status, _, decoded) = get(&server, &format!("{LIST}?fields=id")).await;
        assert_eq!(status, 200);
        assert_eq!(json_of(&decoded)["data"], json_of(&normal)["data"]);
    }
}

#[tokio::test]
async fn an_echo_fault_repeats_the_request_with_its_authorization() {
    let server = server().await;
    server.push_fault(Fault::Echo { status: 502 });
    let (status, headers, body) = get(&server, &format!("{LIST}?fields=id")).await;
    assert_eq!(status, 502);
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/plain")
    );
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.starts_with(&format!("GET {LIST}?fields=id HTTP/1.1")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "authorization: Zoho-oauthtoken {}",
            server.token()
        )),
        "{text}"
    );
}

/// `info` of a list answer.
async fn info(server: &LoopbackServer, query: &str) -> Value {
    let (status, _, body) = get(server, &format!("{LIST}?fields=id&per_page=1{query}")).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    json_of(&body)["info"].clone()
}

#[tokio::test]
async fn paging_styles_never_end_or_repeat_a_page() {
    let server = server().await;
    server.insert_file("Leads", RECORD, "a.txt", b"a");
    server.insert_file("Leads", RECORD, "b.txt", b"b");
    let honest = info(&server, "&page=2").await;
    assert_eq!(honest["more_records"], json!(false));

    server.set_paging(Paging::Endless);
    let past_the_end = info(&server, "&page=9").await;
    assert_eq!(past_the_end["more_records"], json!(true));
    assert_eq!(past_the_end["count"], json!(0));

    server.set_paging(Paging::RepeatToken);
    let first = info(&server, "").await;
    let Some(token) = first["next_page_token"].as_str() else {
        panic!("no token: {first}");
    };
    let second = info(&server, &format!("&page_token={token}")).await;
    assert_eq!(second["next_page_token"], json!(token));
    assert_eq!(second["more_records"], json!(true));

    server.set_paging(Paging::IgnorePage);
    let (_, _, one) = get(&server, &format!("{LIST}?fields=id&per_page=1&page=1")).await;
    let (_, _, two) = get(&server, &format!("{LIST}?fields=id&per_page=1&page=2")).await;
    assert_eq!(json_of(&one)["data"], json_of(&two)["data"]);
    assert_eq!(json_of(&two)["info"]["more_records"], json!(true));
}

#[tokio::test]
async fn the_other_host_records_what_reaches_it_and_answers_success() {
    let other = match OtherHost::start().await {
        Ok(other) => other,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(other.local_addr().ip().to_string(), "127.0.0.2");
    let answer = http()
        .post(format!("{}/steal", other.base_url()))
        .header("Authorization", "Zoho-oauthtoken seen")
        .body("the body")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer.status().as_u16(), 200);
    let body = answer.text().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, crate::other_host::UPLOAD_SUCCESS);
    assert_eq!(other.connection_count(), 1);
    let seen = other.received_text();
    assert!(seen.starts_with("POST /steal HTTP/1.1"), "{seen}");
    assert!(
        seen.contains("Zoho-oauthtoken seen") && seen.ends_with("the body"),
        "{seen}"
    );
}

async fn accounts() -> AccountsServer {
    match AccountsServer::start(TokenRegistry::new(), AccountsConfig::default()).await {
        Ok(accounts) => accounts,
        Err(e) => panic!("{e}"),
    }
}

/// Posts a refresh with the server's credentials: status, headers and body text.
async fn refresh(accounts: &AccountsServer) -> (u16, reqwest::header::HeaderMap, String) {
    let config = accounts.config();
    let form = format!(
        "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={}",
        config.client_id, config.client_secret, config.refresh_token
    );
    let response = http()
        .post(format!("{}/oauth/v2/token", accounts.base_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_else(|e| panic!("{e}"));
    (status, headers, text)
}

#[tokio::test]
async fn accounts_faults_redirect_echo_and_drip() {
    let accounts = accounts().await;
    let secret = accounts.config().client_secret.clone();

    accounts.fail_next_with(TokenFailure::Redirect {
        status: 308,
        location: "http://127.0.0.2:9/oauth/v2/token".to_owned(),
    });
    let (status, headers, _) = refresh(&accounts).await;
    assert_eq!(status, 308);
    let location = headers.get("location").and_then(|v| v.to_str().ok());
    assert_eq!(location, Some("http://127.0.0.2:9/oauth/v2/token"));

    accounts.fail_next_with(TokenFailure::EchoForm { status: 500 });
    let (status, _, text) = refresh(&accounts).await;
    assert_eq!(status, 500);
    assert!(text.contains(&format!("client_secret={secret}")), "{text}");

    accounts.fail_next_with(TokenFailure::EchoFormAsError);
    let (status, _, text) = refresh(&accounts).await;
    assert_eq!(status, 200);
    assert!(
        json_of(text.as_bytes())["error"]
            .as_str()
            .is_some_and(|error| error.contains(&secret))
    );
    assert_eq!(accounts.refresh_count(), 0);

    accounts.fail_next_with(TokenFailure::Drip {
        interval: Duration::from_millis(2),
    });
    let started = Instant::now();
    let (status, _, text) = refresh(&accounts).await;
    assert_eq!(status, 200);
    assert!(
        json_of(text.as_bytes())["access_token"].is_string(),
        "{text}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(2) * 50,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(accounts.refresh_count(), 1);
}

#[tokio::test]
async fn raw_expiry_values_replace_the_lifetime() {
    let accounts = accounts().await;
    accounts.set_raw_expiry(Some(RawExpiry {
        expires_in: json!(u64::MAX),
        expires_in_sec: Some(json!(-1)),
    }));
    let (_, _, text) = refresh(&accounts).await;
    let answer = json_of(text.as_bytes());
    assert_eq!(answer["expires_in"], json!(u64::MAX));
    assert_eq!(answer["expires_in_sec"], json!(-1));
    accounts.set_raw_expiry(None);
    let (_, _, text) = refresh(&accounts).await;
    let answer = json_of(text.as_bytes());
    assert_eq!(answer["expires_in"], json!(3600));
    assert_eq!(answer.get("expires_in_sec"), None);
}
