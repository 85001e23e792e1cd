//! Hangs and loops in a hostile world: a server that drips its answer, stops reading an upload
//! or streams a download without end, and a listing that never ends or goes round in circles.
//! Every call ends within a bounded time, and a listing that makes no progress stops with a
//! typed error. Timeouts are scaled down so the tests stay quick; one test works out, from the
//! same rule the scaled ones measure, how long a call can hang with the default settings.

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use support::oauth::fast_retries;
use support::{RECORD, server, temp_dir, upload};
use zoho_crm::limits::{
    DEFAULT_LOW_SPEED_LIMIT, DEFAULT_LOW_SPEED_TIME, DEFAULT_MAX_PAGES, DEFAULT_RESPONSE_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
};
use zoho_crm::operations::{DownloadAttachmentRequest, ListAttachmentsRequest};
use zoho_crm::{Client, ClientBuilder, DownloadError, Error, FileSource, Module, RetryPolicy};
use zoho_crm::{PageMark, PaginationError};
use zoho_crm_testkit::{Fault, LoopbackServer, Paging};

/// A builder for `server` with its token.
fn builder(server: &LoopbackServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
}

fn build(builder: ClientBuilder) -> Client {
    match builder.build() {
        Ok(client) => client,
        Err(e) => panic!("client: {e}"),
    }
}

fn list_request() -> ListAttachmentsRequest {
    ListAttachmentsRequest::new(Module::Leads, RECORD)
}

/// The longest a call can take when every attempt's answer drips until the response timeout:
/// each attempt waits `response_timeout`, and the backoff before each retry is at most its
/// full (unjittered) value.
fn longest_drip(policy: &RetryPolicy, response_timeout: Duration) -> Duration {
    let backoff: Duration = (1..policy.max_attempts())
        .map(|attempt| policy.backoff(attempt, 1.0))
        .sum();
    response_timeout * policy.max_attempts() + backoff
}

#[tokio::test]
async fn a_json_answer_dripped_byte_by_byte_ends_at_the_response_timeout() {
    let server = server().await;
    server.insert_file("Leads", RECORD, "a.txt", b"abc");
    let client = build(
        builder(&server)
            .response_timeout(Duration::from_millis(300))
            .retry_policy(RetryPolicy::never()),
    );
    server.push_fault(Fault::Drip {
        interval: Duration::from_millis(50),
    });
    let started = Instant::now();
    let result = client.list_attachments(list_request()).await;
    let elapsed = started.elapsed();
    let Err(Error::Timeout { message, .. }) = &result else {
        panic!("a dripped answer did not time out: {result:?}");
    };
    assert!(message.contains("response timeout"), "{message}");
    assert!(
        (Duration::from_millis(300)..Duration::from_millis(1500)).contains(&elapsed),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_read_timeout_on_a_stalled_server_keeps_the_reqwest_error_as_its_source() {
    let server = server().await;
    let client = build(
        builder(&server)
            .read_timeout(Duration::from_millis(200))
            .retry_policy(RetryPolicy::never()),
    );
    server.push_fault(Fault::Stall {
        before_body: false,
        duration: Duration::from_secs(3),
    });
    let result = client.list_attachments(list_request()).await;
    let Err(error @ Error::Timeout { .. }) = &result else {
        panic!("a stalled answer did not time out: {result:?}");
    };
    let chain = std::iter::successors(std::error::Error::source(error), |cause| cause.source());
    let reached = chain
        .filter_map(|cause| cause.downcast_ref::<reqwest::Error>())
        .any(reqwest::Error::is_timeout);
    assert!(reached, "the timeout lost its cause: {error:?}");
}

#[tokio::test]
async fn an_upload_whose_answer_drips_is_not_retried_and_may_have_been_stored() {
    let server = server().await;
    let client = build(builder(&server).response_timeout(Duration::from_millis(300)));
    server.push_fault(Fault::Drip {
        interval: Duration::from_millis(50),
    });
    let result = client
        .upload_attachment(upload(FileSource::from_bytes("a.txt", &b"abc"[..])))
        .await;
    let Err(error @ Error::Timeout { .. }) = &result else {
        panic!("a dripped answer did not time out: {result:?}");
    };
    assert!(error.may_have_been_processed());
    assert!(
        error.to_string().contains("may have processed it"),
        "{error}"
    );
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.attachment_count(), 1);
}

#[tokio::test]
async fn a_get_against_a_dripping_server_ends_after_its_attempts() {
    let server = server().await;
    server.insert_file("Leads", RECORD, "a.txt", b"abc");
    let policy = fast_retries();
    let response_timeout = Duration::from_millis(250);
    let client = build(
        builder(&server)
            .response_timeout(response_timeout)
            .retry_policy(policy),
    );
    for _ in 0..policy.max_attempts() {
        server.push_fault(Fault::Drip {
            interval: Duration::from_millis(50),
        });
    }
    let started = Instant::now();
    let result = client.list_attachments(list_request()).await;
    let elapsed = started.elapsed();
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert_eq!(server.request_count(), 4);
    let bound = longest_drip(&policy, response_timeout);
    println!(
        "scaled drip: {} attempts × {response_timeout:?} + backoff, bound {bound:?}, measured {elapsed:?}",
        policy.max_attempts()
    );
    assert!(
        elapsed >= response_timeout * policy.max_attempts(),
        "{elapsed:?}"
    );
    assert!(
        elapsed <= bound + Duration::from_millis(500),
        "{elapsed:?} > {bound:?}"
    );
}

#[test]
fn the_defaults_bound_every_call_against_a_dripping_server() {
    let policy = RetryPolicy::default();
    // A GET or DELETE whose answer drips one byte a second: every attempt ends at the response
    // timeout (no answer head completes in time), then it is retried.
    let get = longest_drip(&policy, DEFAULT_RESPONSE_TIMEOUT);
    assert_eq!(get, Duration::from_millis(4 * 60_000 + 500 + 1000 + 2000));
    // An upload is not retried once its body was sent: one response timeout.
    let upload = DEFAULT_RESPONSE_TIMEOUT;
    // A download's content dripping at 1 byte/s fails the low-speed rule's first window.
    let download_content = DEFAULT_LOW_SPEED_TIME;
    // It does: a 1 byte/s drip is under the minimum speed.
    const { assert!(DEFAULT_LOW_SPEED_LIMIT > 1) };
    println!(
        "longest hang with the default settings against a server dripping 1 byte/s: \
         GET/DELETE {get:?}, upload {upload:?}, download content {download_content:?}; \
         no call of any kind runs past the total timeout of {DEFAULT_TOTAL_TIMEOUT:?}"
    );
    assert!(get < DEFAULT_TOTAL_TIMEOUT);
    assert!(get <= Duration::from_secs(5 * 60));
}

fn download_request(id: &str) -> DownloadAttachmentRequest {
    DownloadAttachmentRequest::new(Module::Leads, RECORD, id)
}

#[tokio::test]
async fn a_download_whose_content_drips_is_aborted_by_the_low_speed_rule() {
    let server = server().await;
    let id = server.insert_file("Leads", RECORD, "a.bin", &[7u8; 3000]);
    let client = build(builder(&server).low_speed_limit(1000, Duration::from_millis(300)));
    server.push_fault(Fault::Drip {
        interval: Duration::from_millis(10),
    });
    let dir = temp_dir();
    let out = dir.path().join("a.bin");
    let started = Instant::now();
    let download = match client.download_attachment(download_request(&id)).await {
        Ok(Some(download)) => download,
        other => panic!("{other:?}"),
    };
    let saved = download.save_to(&out).await;
    let elapsed = started.elapsed();
    let Err(DownloadError::TooSlow {
        moved,
        bytes_per_second,
        ..
    }) = &saved
    else {
        panic!("a dripping download was not aborted: {saved:?}");
    };
    assert!(*moved < 300, "{moved}");
    assert_eq!(*bytes_per_second, 1000);
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(!out.exists());
}

/// Downloads a 3000-byte file that drips at 100 bytes/s with the low-speed rule off, through a
/// client from `configure`: the error and how long it took.
async fn slow_download(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> (DownloadError, Duration) {
    let server = server().await;
    let id = server.insert_file("Leads", RECORD, "a.bin", &[7u8; 3000]);
    let client = build(configure(
        builder(&server).low_speed_limit(0, Duration::from_millis(100)),
    ));
    server.push_fault(Fault::Drip {
        interval: Duration::from_millis(10),
    });
    let mut sink = Vec::new();
    let started = Instant::now();
    let download = match client.download_attachment(download_request(&id)).await {
        Ok(Some(download)) => download,
        other => panic!("{other:?}"),
    };
    match download.write_to(&mut sink).await {
        Ok(written) => panic!("a 30 s download finished ({written} bytes)"),
        Err(error) => (error, started.elapsed()),
    }
}

#[tokio::test]
async fn a_download_that_outlasts_the_total_timeout_is_cut_off() {
    let total = Duration::from_millis(600);
    let (error, elapsed) = slow_download(|b| b.total_timeout(total)).await;
    let DownloadError::TimedOut { received, limit } = error else {
        panic!("an endless download was not cut off: {error:?}");
    };
    assert_eq!(limit, total);
    assert!(received < 3000, "{received}");
    assert!(
        (total..total + Duration::from_millis(700)).contains(&elapsed),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_download_that_outlasts_the_attempt_timeout_is_cut_off() {
    let attempt = Duration::from_millis(500);
    let (error, elapsed) = slow_download(|b| b.attempt_timeout(attempt)).await;
    let DownloadError::TimedOut { limit, .. } = error else {
        panic!("an endless download was not cut off: {error:?}");
    };
    assert_eq!(limit, attempt);
    assert!(
        (attempt..attempt + Duration::from_millis(700)).contains(&elapsed),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn an_upload_to_a_server_that_stops_reading_is_aborted_by_the_low_speed_rule() {
    let server = server().await;
    let dir = temp_dir();
    let (path, _) = support::random_file(dir.path(), "big.bin", 48 * 1024 * 1024, 3);
    let client = build(
        builder(&server)
            .low_speed_limit(4 * 1024 * 1024, Duration::from_millis(300))
            .retry_policy(RetryPolicy::never()),
    );
    server.push_fault(Fault::Stall {
        before_body: true,
        duration: Duration::from_secs(60),
    });
    let started = Instant::now();
    let result = client
        .upload_attachment(upload(FileSource::from_path(path)))
        .await;
    let elapsed = started.elapsed();
    let Err(error @ Error::Timeout { message, .. }) = &result else {
        panic!("a stalled upload did not time out: {result:?}");
    };
    assert!(message.contains("low-speed rule"), "{message}");
    assert!(!error.may_have_been_processed());
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert_eq!(server.attachment_count(), 0);
}

/// Walks a listing: the items' ids, and the pagination error that ended it, if any.
async fn walk(
    client: &Client,
    request: ListAttachmentsRequest,
) -> (Vec<String>, Option<PaginationError>) {
    let results: Vec<_> = client.list_attachments_stream(request).collect().await;
    let mut ids = Vec::new();
    let mut stopped = None;
    for result in results {
        match result {
            Ok(item) => ids.push(item.id),
            Err(Error::Pagination(e)) => stopped = Some(e),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    (ids, stopped)
}

/// A server with `files` attachments on the record, and a request for one per page.
async fn listed(files: usize) -> (LoopbackServer, ListAttachmentsRequest) {
    let server = server().await;
    for n in 0..files {
        server.insert_file("Leads", RECORD, &format!("{n}.txt"), b"x");
    }
    (server, list_request().per_page(1))
}

#[tokio::test]
async fn a_listing_that_never_says_no_more_stops_with_a_typed_error() {
    let (server, request) = listed(3).await;
    server.set_paging(Paging::Endless);
    let client = build(builder(&server));
    let (ids, stopped) = walk(&client, request).await;
    assert_eq!(ids.len(), 3);
    assert_eq!(
        stopped,
        Some(PaginationError::EmptyPageWithMore { pages: 4 })
    );
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn a_repeated_page_token_stops_the_listing() {
    let (server, request) = listed(3).await;
    server.set_paging(Paging::RepeatToken);
    let request = request.fields(["id"]);
    let client = build(builder(&server).api_version(zoho_crm::ApiVersion::V8));
    let (ids, stopped) = walk(&client, request).await;
    assert_eq!(ids.len(), 2);
    assert!(
        matches!(
            &stopped,
            Some(PaginationError::RepeatedPage {
                pages: 2,
                mark: PageMark::Token(_)
            })
        ),
        "{stopped:?}"
    );
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_server_that_ignores_the_page_asked_for_stops_the_listing() {
    let (server, request) = listed(3).await;
    server.set_paging(Paging::IgnorePage);
    let client = build(builder(&server));
    let (ids, stopped) = walk(&client, request).await;
    assert_eq!(ids.len(), 1);
    assert_eq!(stopped, Some(PaginationError::SameItemsAgain { pages: 2 }));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn the_page_limit_bounds_the_api_calls_of_a_listing() {
    let (server, request) = listed(5).await;
    let default = build(builder(&server));
    assert_eq!(default.max_pages(), DEFAULT_MAX_PAGES);
    let client = build(builder(&server).max_pages(3));
    let (ids, stopped) = walk(&client, request.clone()).await;
    assert_eq!(ids.len(), 3);
    assert_eq!(stopped, Some(PaginationError::PageLimit { limit: 3 }));
    assert_eq!(server.request_count(), 3);
    let (all, stopped) = walk(&default, request).await;
    assert_eq!((all.len(), stopped), (5, None));
}
