//! Odd answers in a hostile world: token lifetimes no clock can hold, compressed answers, and
//! answers that are not text. None may panic the client, and an error never prints binary
//! bytes.

mod support;

use serde_json::json;
use support::oauth::{Zoho, build};
use support::{RECORD, client, server, upload};
use zoho_crm::operations::ListAttachmentsRequest;
use zoho_crm::{Error, FileSource, Module, RetryPolicy};
use zoho_crm_testkit::{CannedReply, Coding, Fault, RawExpiry};

fn small() -> FileSource {
    FileSource::from_bytes("a.txt", &b"abc"[..])
}

#[tokio::test]
async fn absurd_token_lifetimes_do_not_panic_the_client() {
    let zoho = Zoho::start().await;
    let max = json!(u64::MAX);
    let cases = [
        (max.clone(), None),
        (json!(3600), Some(max.clone())),
        (max.clone(), Some(max)),
        (json!(-1), None),
        (json!(-1), Some(json!(-9_223_372_036_854_775_808i64))),
        (json!(1e308), None),
        (json!(0.5), Some(json!(1.0e19))),
        (json!("18446744073709551615"), None),
        (json!("soon"), Some(json!(null))),
        (json!(null), None),
        (json!([1]), Some(json!({"s": 1}))),
    ];
    for (expires_in, expires_in_sec) in cases {
        let shown = format!("expires_in {expires_in}, expires_in_sec {expires_in_sec:?}");
        zoho.accounts.set_raw_expiry(Some(RawExpiry {
            expires_in,
            expires_in_sec,
        }));
        let client = build(zoho.builder());
        let listed = client
            .list_attachments(ListAttachmentsRequest::new(Module::Leads, RECORD))
            .await;
        assert!(listed.is_ok(), "{shown}: {listed:?}");
        // The token is used again from the cache: its expiry was computed without overflow.
        let again = client.upload_attachment(upload(small())).await;
        assert!(again.is_ok(), "{shown}: {again:?}");
    }
}

#[tokio::test]
async fn gzip_and_deflate_answers_are_decoded() {
    let server = server().await;
    let client = client(&server);
    for coding in [Coding::Gzip, Coding::Deflate] {
        server.push_fault(Fault::Encode(coding));
        let uploaded = client.upload_attachment(upload(small())).await;
        let Ok(uploaded) = uploaded else {
            panic!("{coding:?}: {uploaded:?}");
        };
        server.push_fault(Fault::Encode(coding));
        let listed = client
            .list_attachments(ListAttachmentsRequest::new(Module::Leads, RECORD))
            .await;
        let Ok(listed) = listed else {
            panic!("{coding:?}: {listed:?}");
        };
        assert!(
            listed
                .data
                .iter()
                .any(|item| item.id == uploaded.details.id),
            "{coding:?}: {listed:?}"
        );
    }
    assert_eq!(server.request_count(), 4, "no retries were needed");
}

#[tokio::test]
async fn a_binary_answer_is_described_not_printed() {
    let server = server().await;
    let client = zoho_crm::Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .retry_policy(RetryPolicy::never())
        .build();
    let Ok(client) = client else {
        panic!("client");
    };
    // A gzip answer a broken gateway sent without its Content-Encoding.
    let body = Coding::Gzip.encode(br#"{"code":"INTERNAL_ERROR","status":"error"}"#);
    let length = body.len();
    server.respond_next_with(CannedReply::raw(502, Some("application/json"), body));
    let result = client.upload_attachment(upload(small())).await;
    let Err(Error::Decode(error)) = &result else {
        panic!("expected a decode error: {result:?}");
    };
    assert_eq!(error.status, 502);
    assert_eq!(error.snippet, format!("<{length} bytes of binary data>"));
    let shown = error.to_string();
    assert!(shown.chars().all(|c| !c.is_control()), "{shown:?}");
    assert!(!shown.contains('\u{fffd}'), "{shown}");
}
