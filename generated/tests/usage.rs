//! What a client spends, against the test kit: every attempt is a call priced by the spec
//! (retries included), 429 answers and bytes each way are counted, and a budget of credits
//! stops any call that would pass it before a byte is sent.

mod support;

use support::{RECORD, client, server, upload};
use zoho_crm::operations::{
    DeleteAttachmentRequest, DownloadAttachmentRequest, ListAttachmentsRequest,
};
use zoho_crm::{Client, Error, FileSource, Module, RetryPolicy};
use zoho_crm_testkit::Fault;

fn file(index: usize) -> FileSource {
    FileSource::from_bytes(format!("f{index}.txt"), vec![b'x'; 100])
}

fn budgeted(server: &zoho_crm_testkit::LoopbackServer, credits: u64) -> Client {
    let client = Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .max_credits(credits)
        .build();
    match client {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn a_budget_of_five_lets_five_of_twenty_uploads_reach_the_server() {
    let server = server().await;
    let client = budgeted(&server, 5);
    let mut refused = 0;
    for index in 0..20 {
        match client.upload_attachment(upload(file(index))).await {
            Ok(_) => {}
            Err(Error::Budget(spent)) => {
                assert_eq!((spent.limit, spent.spent, spent.needed), (5, 5, 1));
                assert!(spent.to_string().starts_with("not sent: the budget of 5"));
                refused += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(refused, 15);
    assert_eq!(server.request_count(), 5);
    assert_eq!(server.attachment_count(), 5);
    let usage = client.usage();
    assert_eq!((usage.calls, usage.credits, usage.retries), (5, 5, 0));
    assert_eq!(usage.credits_left(), Some(0));
}

#[tokio::test]
async fn concurrent_calls_sharing_a_budget_never_pass_it_together() {
    let server = server().await;
    let client = budgeted(&server, 7);
    let calls = (0..30).map(|index| {
        let client = client.clone();
        async move { client.upload_attachment(upload(file(index))).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let stored = results.iter().filter(|r| r.is_ok()).count();
    let refused = (results.iter())
        .filter(|r| matches!(r, Err(Error::Budget(_))))
        .count();
    assert_eq!((stored, refused), (7, 23));
    assert_eq!(server.request_count(), 7);
}

#[tokio::test]
async fn retries_after_429s_are_calls_that_cost_credits_and_are_counted() {
    let server = server().await;
    let client = match Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .retry_policy(
            RetryPolicy::default().with_initial_backoff(std::time::Duration::from_millis(1)),
        )
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    };
    for _ in 0..3 {
        server.push_fault(Fault::TooManyRequests {
            retry_after: Some("0".to_owned()),
        });
    }
    let listed = client
        .list_attachments(ListAttachmentsRequest::new(Module::Leads, RECORD))
        .await;
    assert!(listed.is_ok(), "{listed:?}");
    let usage = client.usage();
    assert_eq!(
        (usage.calls, usage.credits, usage.retries, usage.throttled),
        (4, 4, 3, 3)
    );
    assert_eq!(usage.budget, None);
}

#[tokio::test]
async fn a_retry_refused_by_the_budget_says_what_the_attempt_before_it_may_have_done() {
    let server = server().await;
    // A budget of one credit and quick retries: each call's first attempt is its only one.
    let one_credit = || {
        let client = Client::builder()
            .base_url(server.base_url())
            .access_token(server.token())
            .max_credits(1)
            .retry_policy(
                RetryPolicy::default().with_initial_backoff(std::time::Duration::from_millis(1)),
            )
            .build();
        match client {
            Ok(client) => client,
            Err(e) => panic!("{e}"),
        }
    };
    let client = one_credit();
    let id = server.insert_file("Leads", RECORD, "a.txt", b"abc");
    // A delete answered 503 may have been carried out; its retry is past the budget.
    server.push_fault(Fault::StatusAfterBody {
        status: 503,
        store: false,
    });
    let deleted = client
        .delete_attachment(DeleteAttachmentRequest::new(Module::Leads, RECORD, &id))
        .await;
    let Err(error @ Error::Budget(spent)) = deleted else {
        panic!("{deleted:?}");
    };
    assert!(spent.retry && spent.may_have_been_processed, "{spent:?}");
    assert!(error.may_have_been_processed());
    let text = error.to_string();
    assert!(
        text.contains("a retry was not sent: the budget of 1 API credits is spent")
            && text.contains("the attempt before it may have been processed"),
        "{text}"
    );
    // A listing refused with 429 was not processed; its retry is past the budget too.
    server.push_fault(Fault::TooManyRequests {
        retry_after: Some("0".to_owned()),
    });
    let listed = one_credit()
        .list_attachments(ListAttachmentsRequest::new(Module::Leads, RECORD))
        .await;
    let Err(error @ Error::Budget(spent)) = listed else {
        panic!("{listed:?}");
    };
    assert!(spent.retry && !spent.may_have_been_processed, "{spent:?}");
    assert!(!error.may_have_been_processed());
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn bytes_are_counted_each_way_downloads_included() {
    let server = server().await;
    let client = client(&server);
    let stored = client.upload_attachment(upload(file(0))).await;
    let Ok(stored) = stored else {
        panic!("{stored:?}");
    };
    let sent = client.usage().bytes_sent;
    assert!(sent > 100, "the multipart body holds the 100 bytes: {sent}");
    let before = client.usage().bytes_received;
    let download = client
        .download_attachment(DownloadAttachmentRequest::new(
            Module::Leads,
            RECORD,
            stored.details.id,
        ))
        .await;
    let Ok(Some(download)) = download else {
        panic!("{download:?}");
    };
    let mut out = Vec::new();
    if let Err(e) = download.write_to(&mut out).await {
        panic!("{e}");
    }
    assert_eq!(out.len(), 100);
    assert_eq!(client.usage().bytes_received - before, 100);
    assert_eq!(client.usage().calls, 2);
}
