//! Pacing against the test kit: a limit of calls per second holds where the requests arrive,
//! across concurrent calls, and a limit of bytes per second holds for an upload's body and a
//! download's content alike.

mod support;

use std::time::{Duration, Instant};

use support::{RECORD, server, upload};
use zoho_crm::operations::DownloadAttachmentRequest;
use zoho_crm::{Client, FileSource, Module};
use zoho_crm_testkit::LoopbackServer;

/// The most of `times` in any one-second window.
fn most_in_any_second(times: &[Instant]) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort();
    (0..sorted.len())
        .map(|i| {
            sorted[i..]
                .iter()
                .take_while(|t| t.duration_since(sorted[i]) < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0)
}

fn paced(
    server: &LoopbackServer,
    configure: impl FnOnce(zoho_crm::ClientBuilder) -> zoho_crm::ClientBuilder,
) -> Client {
    let builder = Client::builder()
        .base_url(server.base_url())
        .access_token(server.token());
    match configure(builder).build() {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn twenty_concurrent_calls_at_five_a_second_never_start_six_in_a_second() {
    let server = server().await;
    let client = paced(&server, |b| b.max_calls_per_second(5).max_concurrency(20));
    let started = Instant::now();
    let calls = (0..20).map(|index| {
        let client = client.clone();
        let file = FileSource::from_bytes(format!("f{index}.txt"), vec![b'x'; 100]);
        async move { client.upload_attachment(upload(file)).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let took = started.elapsed();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let arrivals: Vec<Instant> = server.requests().iter().map(|r| r.received_at).collect();
    assert_eq!(arrivals.len(), 20);
    let most = most_in_any_second(&arrivals);
    eprintln!("max_calls_per_second(5), 20 calls: at most {most} in any second, {took:?} in all");
    assert_eq!(most, 5);
    // Four groups of five, a little over a second apart.
    assert!(took >= Duration::from_millis(3150), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn an_upload_and_a_download_keep_to_the_byte_rate() {
    const RATE: u64 = 512 * 1024;
    const SIZE: usize = 2 * 1024 * 1024;
    let server = server().await;
    let client = paced(&server, |b| b.max_bytes_per_second(RATE));
    let content: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    let expected = Duration::from_secs_f64(SIZE as f64 / RATE as f64);
    let within = |took: Duration| {
        let ratio = took.as_secs_f64() / expected.as_secs_f64();
        (0.9..=1.1).contains(&ratio)
    };

    let started = Instant::now();
    let stored = client
        .upload_attachment(upload(FileSource::from_bytes("big.bin", content.clone())))
        .await;
    let upload_took = started.elapsed();
    let Ok(stored) = stored else {
        panic!("{stored:?}");
    };
    let sent = client.usage().bytes_sent;
    eprintln!(
        "upload: {sent} bytes in {upload_took:?}, {:.0} bytes/s for a limit of {RATE}",
        sent as f64 / upload_took.as_secs_f64()
    );
    assert!(within(upload_took), "{upload_took:?} for {expected:?}");

    let started = Instant::now();
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
    let download_took = started.elapsed();
    eprintln!(
        "download: {} bytes in {download_took:?}, {:.0} bytes/s for a limit of {RATE}",
        out.len(),
        out.len() as f64 / download_took.as_secs_f64()
    );
    assert!(out == content, "the content came back changed");
    assert!(within(download_took), "{download_took:?} for {expected:?}");
}
