//! `--rate` and `--bwlimit`: a run starts no more calls a second than `--rate` says, wherever
//! they arrive, and `--bwlimit` takes rates such as `2M` and refuses garbage before anything
//! is sent (exit 2).

mod common;

use std::time::{Duration, Instant};

use common::{
    RECORD, against, attachments_manifest, run, run_within, server, stored_names, tempdir, write,
};

const FILES: usize = 15;

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

#[tokio::test]
async fn upload_many_at_rate_five_never_starts_six_calls_in_a_second() {
    let server = server().await;
    let dir = tempdir();
    let manifest = attachments_manifest(dir.path(), FILES);
    let manifest_arg = manifest.to_string_lossy();
    let args = [
        "--json",
        "--rate",
        "5",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--concurrency",
        "15",
    ];
    let done = run_within(against(&server, dir.path(), &args), Duration::from_secs(60)).await;
    done.expect(0);
    assert_eq!(done.summary()["uploaded"], FILES as u64, "{done:#?}");
    assert_eq!(stored_names(&server).len(), FILES);
    let arrivals: Vec<Instant> = server.requests().iter().map(|r| r.received_at).collect();
    assert_eq!(arrivals.len(), FILES);
    let most = most_in_any_second(&arrivals);
    let span = arrivals.iter().max().zip(arrivals.iter().min());
    let span = span.map(|(last, first)| last.duration_since(*first));
    eprintln!("--rate 5, {FILES} uploads: at most {most} in any second, over {span:?}");
    assert_eq!(most, 5);
    // Three groups of five, at least a second apart where they arrive (the client spaces
    // them 1.05 s, but an arrival can be late by a few milliseconds on a busy machine).
    assert!(
        span.is_some_and(|s| s >= Duration::from_millis(2000)),
        "{span:?}"
    );
}

#[tokio::test]
async fn a_bandwidth_limit_is_taken_in_binary_units_and_garbage_is_refused() {
    let server = server().await;
    let dir = tempdir();
    let path = write(dir.path(), "a.txt", b"hello");
    let path = path.to_string_lossy();
    let upload = |limit: &str| {
        let option = format!("--bwlimit={limit}");
        let args = [
            &option, "upload", "--module", "Leads", "--record", RECORD, &path,
        ];
        against(&server, dir.path(), &args)
    };
    run(upload("2M")).await.expect(0);
    run(upload("1.5m")).await.expect(0);
    assert_eq!(stored_names(&server), ["a.txt", "a.txt"]);
    for garbage in ["fast", "2MB", "-1", "0", "1e6"] {
        let refused = run(upload(garbage)).await;
        refused.expect(2);
        assert!(
            refused.stderr.contains("--bwlimit") && refused.stderr.contains("is not a byte rate")
                || refused.stderr.contains("under 1 byte"),
            "{refused:#?}"
        );
    }
    let bad_rate = run(against(
        &server,
        dir.path(),
        &[
            "--rate", "0", "upload", "--module", "Leads", "--record", RECORD, &path,
        ],
    ))
    .await;
    bad_rate.expect(2);
    assert_eq!(server.requests().len(), 2, "nothing more was sent");
}
