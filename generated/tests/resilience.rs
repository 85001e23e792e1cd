//! Faults on the way: throttling, dropped connections, server errors, stalls and unreachable
//! hosts. Whatever happens, an upload is stored at most once: a request the server may have
//! processed is never repeated, and the error says so.

mod support;

use std::time::{Duration, Instant};

use support::oauth::{Zoho, build, fast_retries};
use support::upload;
use zoho_crm::operations::UploadAttachmentError;
use zoho_crm::{Client, Error, FileSource, RetryPolicy};
use zoho_crm_testkit::Fault;

fn small() -> FileSource {
    FileSource::from_bytes("a.txt", &b"abc"[..])
}

fn file(dir: &tempfile::TempDir) -> FileSource {
    let (path, _) = support::random_file(dir.path(), "f.bin", 8 * 1024 * 1024, 9);
    FileSource::from_path(path)
}

#[tokio::test]
async fn throttling_is_retried_after_the_servers_retry_after() {
    let zoho = Zoho::start().await;
    let client = zoho.client();
    zoho.api.push_fault(Fault::TooManyRequests {
        retry_after: Some("1".into()),
    });
    let started = Instant::now();
    let result = client.upload_attachment(upload(small())).await;
    let elapsed = started.elapsed();
    assert!(result.is_ok(), "{result:?}");
    assert!(elapsed >= Duration::from_secs(1), "waited only {elapsed:?}");
    assert_eq!(zoho.api.request_count(), 2);
    assert_eq!(zoho.api.attachments().len(), 1);
}

#[tokio::test]
async fn throttling_without_retry_after_backs_off_exponentially() {
    let zoho = Zoho::start().await;
    let policy = fast_retries()
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(2));
    let client = build(zoho.builder().retry_policy(policy));
    for _ in 0..3 {
        zoho.api
            .push_fault(Fault::TooManyRequests { retry_after: None });
    }
    let started = Instant::now();
    let result = client.upload_attachment(upload(small())).await;
    let elapsed = started.elapsed();
    assert!(result.is_ok(), "{result:?}");
    // Backoffs of 100, 200 and 400 ms, each jittered down to no less than half.
    assert!(
        elapsed >= Duration::from_millis(350),
        "waited only {elapsed:?}"
    );
    assert_eq!(zoho.api.request_count(), 4);
    assert_eq!(zoho.api.attachments().len(), 1);
}

#[tokio::test]
async fn throttling_past_the_attempt_limit_is_the_typed_error() {
    let zoho = Zoho::start().await;
    let client = zoho.client();
    for _ in 0..4 {
        zoho.api
            .push_fault(Fault::TooManyRequests { retry_after: None });
    }
    let result = client.upload_attachment(upload(small())).await;
    let Err(Error::Api(error @ UploadAttachmentError::TooManyRequests(_))) = result else {
        panic!("{result:?}");
    };
    assert_eq!(error.http_status(), 429);
    assert_eq!(zoho.api.request_count(), 4);
    assert!(zoho.api.attachments().is_empty());
}

#[tokio::test]
async fn a_connection_lost_before_the_body_was_sent_is_retried() {
    let zoho = Zoho::start().await;
    let client = zoho.client();
    let dir = support::temp_dir();
    zoho.api.push_fault(Fault::DropBeforeBody);
    let result = client.upload_attachment(upload(file(&dir))).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoho.api.attachments().len(), 1);
}

#[tokio::test]
async fn a_connection_lost_after_the_body_is_not_retried_and_stores_at_most_once() {
    let zoho = Zoho::start().await;
    let client = zoho.client();
    let dir = support::temp_dir();
    zoho.api.push_fault(Fault::DropAfterBody { store: true });
    let result = client.upload_attachment(upload(file(&dir))).await;
    let Err(error) = &result else {
        panic!("{result:?}");
    };
    assert!(
        matches!(
            error,
            Error::Transport {
                may_have_been_processed: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("could attach the file twice"),
        "{error}"
    );
    assert_eq!(zoho.api.request_count(), 1, "the upload was sent again");
    assert_eq!(zoho.api.attachments().len(), 1);
}

#[tokio::test]
async fn a_server_error_after_the_body_is_not_retried_for_uploads() {
    let zoho = Zoho::start().await;
    let client = zoho.client();
    zoho.api.push_fault(Fault::StatusAfterBody {
        status: 500,
        store: true,
    });
    let result = client.upload_attachment(upload(small())).await;
    let Err(Error::Api(error @ UploadAttachmentError::InternalError(_))) = &result else {
        panic!("{result:?}");
    };
    assert_eq!(error.http_status(), 500);
    assert_eq!(zoho.api.request_count(), 1);
    assert_eq!(zoho.api.attachments().len(), 1);
}

#[tokio::test]
async fn a_stalled_answer_times_out_without_a_retry() {
    let zoho = Zoho::start().await;
    let client = build(zoho.builder().attempt_timeout(Duration::from_millis(300)));
    // Warm the token so that the attempt timeout measures only the upload.
    assert!(client.upload_attachment(upload(small())).await.is_ok());
    zoho.api.push_fault(Fault::Stall {
        before_body: false,
        duration: Duration::from_secs(3),
    });
    let started = Instant::now();
    let result = client.upload_attachment(upload(small())).await;
    let elapsed = started.elapsed();
    let Err(error) = &result else {
        panic!("{result:?}");
    };
    assert!(
        matches!(
            error,
            Error::Timeout {
                may_have_been_processed: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert_eq!(
        zoho.api.request_count(),
        2,
        "one warm-up and one stalled upload"
    );
    assert_eq!(
        zoho.api.attachments().len(),
        2,
        "the stalled server stored it once"
    );
}

#[tokio::test]
async fn the_total_timeout_bounds_retries_and_backoff() {
    let zoho = Zoho::start().await;
    let client = build(
        zoho.builder()
            .total_timeout(Duration::from_millis(500))
            .retry_policy(
                fast_retries()
                    .with_max_attempts(10)
                    .with_initial_backoff(Duration::from_secs(2))
                    .with_max_backoff(Duration::from_secs(2)),
            ),
    );
    zoho.api
        .push_fault(Fault::TooManyRequests { retry_after: None });
    let started = Instant::now();
    let result = client.upload_attachment(upload(small())).await;
    assert!(
        matches!(
            result,
            Err(Error::Timeout {
                may_have_been_processed: true,
                ..
            })
        ),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn an_unreachable_host_is_retried_then_reported_as_not_sent() {
    // Bind a port, then close it: connections to it are refused.
    let port = match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("{e}"),
    };
    let client = build(
        Client::builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .access_token("t")
            .retry_policy(
                fast_retries()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(100)),
            ),
    );
    let started = Instant::now();
    let result = client.upload_attachment(upload(small())).await;
    assert!(
        matches!(
            result,
            Err(Error::Transport {
                may_have_been_processed: false,
                ..
            })
        ),
        "{result:?}"
    );
    // Two backoffs: at least 50 and 100 ms after jitter.
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_concurrency_limit_holds_calls_back() {
    let zoho = Zoho::start().await;
    let client = build(zoho.builder().max_concurrency(2));
    assert!(client.upload_attachment(upload(small())).await.is_ok());
    for _ in 0..6 {
        zoho.api.push_fault(Fault::Stall {
            before_body: true,
            duration: Duration::from_millis(200),
        });
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let client = client.clone();
        tasks.spawn(async move { client.upload_attachment(upload(small())).await.is_ok() });
    }
    let mut ok = 0;
    while let Some(joined) = tasks.join_next().await {
        ok += usize::from(joined.unwrap_or(false));
    }
    let elapsed = started.elapsed();
    assert_eq!(ok, 6);
    // Six 200 ms stalls, two at a time: at least three rounds.
    assert!(
        elapsed >= Duration::from_millis(600),
        "took only {elapsed:?}"
    );
}

#[tokio::test]
async fn calls_go_through_an_explicit_proxy() {
    let zoho = Zoho::start().await;
    // The loopback server answers absolute-form requests, as a forwarding proxy would pass them.
    let port = match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("{e}"),
    };
    let token = zoho.api.tokens().issue(Duration::from_secs(60));
    let client = build(
        Client::builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .access_token(token)
            .proxy(zoho.api.base_url()),
    );
    let result = client.upload_attachment(upload(small())).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoho.api.attachments().len(), 1);
}

#[tokio::test]
async fn twenty_uploads_through_three_429s() {
    let zoho = Zoho::start().await;
    let client = build(zoho.builder().retry_policy(RetryPolicy::default()));
    for _ in 0..3 {
        zoho.api
            .push_fault(Fault::TooManyRequests { retry_after: None });
    }
    let started = Instant::now();
    for _ in 0..20 {
        let result = client.upload_attachment(upload(small())).await;
        assert!(result.is_ok(), "{result:?}");
    }
    let elapsed = started.elapsed();
    assert_eq!(zoho.api.attachments().len(), 20);
    assert_eq!(zoho.api.request_count(), 23);
    // Default backoffs 0.5, 1 and 2 s, each jittered to no less than half.
    assert!(
        elapsed >= Duration::from_millis(1750),
        "took only {elapsed:?}"
    );
    println!("figure: 20 uploads through 3 x 429 took {elapsed:?}");
}

#[tokio::test]
async fn reads_and_deletes_are_retried_after_a_server_error() {
    let zoho = Zoho::start().await;
    let client = zoho.client();
    let id = zoho
        .api
        .insert_file("Leads", support::RECORD, "a.txt", b"abc");
    zoho.api.push_fault(Fault::StatusAfterBody {
        status: 503,
        store: false,
    });
    let listed = client
        .list_attachments(zoho_crm::operations::ListAttachmentsRequest::new(
            zoho_crm::Module::Leads,
            support::RECORD,
        ))
        .await;
    assert_eq!(listed.map(|page| page.data.len()).ok(), Some(1));
    zoho.api.push_fault(Fault::DropAfterBody { store: false });
    let deleted = client
        .delete_attachment(zoho_crm::operations::DeleteAttachmentRequest::new(
            zoho_crm::Module::Leads,
            support::RECORD,
            id,
        ))
        .await;
    assert!(deleted.is_ok(), "{deleted:?}");
    assert_eq!(zoho.api.attachment_count(), 0);
    // One failed and one retried call each.
    assert_eq!(zoho.api.request_count(), 4);
}
