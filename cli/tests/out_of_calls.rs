//! `upload-many` when Zoho keeps refusing with 429: refusals that outlast `--patience` are the
//! day's API credits (exit 5), refusals Zoho's code calls a rate limit are its concurrency cap
//! (exit 6), and refusals that clear were the cap (the refused file is sent again after a
//! pause, exit 0). Each keeps the journal consistent and says which limit it was; a later run
//! sends the rest with no duplicates.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{against, attachments_manifest, run_within, stored_names, tempdir};
use zoho_crm_testkit::{CannedReply, Conditions, LoopbackServer, ServerConfig};

const FILES: usize = 8;
/// Attempts the client makes of each call (its default retry policy).
const ATTEMPTS: usize = 4;

/// A manifest of `files` small files under `dir`, as an argument.
fn manifest(dir: &std::path::Path, files: usize) -> String {
    attachments_manifest(dir, files)
        .to_string_lossy()
        .into_owned()
}

/// Queues `count` answers of 429 with Zoho's `code`.
fn refuse_next(server: &LoopbackServer, count: usize, code: &str, message: &str) {
    for _ in 0..count {
        server.respond_next_with(CannedReply::json(
            429,
            serde_json::json!({"code": code, "details": {}, "message": message, "status": "error"}),
        ));
    }
}

#[tokio::test]
async fn a_rate_limit_that_outlasts_the_patience_is_the_concurrency_cap_exit_6() {
    let server = common::server().await;
    let dir = tempdir();
    let manifest = manifest(dir.path(), 3);
    // The first two files are refused on every attempt; the third is not started once the
    // refusals have lasted a second.
    refuse_next(
        &server,
        2 * ATTEMPTS,
        "RATE_LIMIT_EXCEEDED",
        "API rate limit exceeded. Please retry after some time",
    );
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest,
        "--concurrency",
        "1",
        "--patience",
        "1",
    ];
    let limit = Duration::from_secs(60);
    let first = run_within(against(&server, dir.path(), &args), limit).await;
    first.expect(6);
    let summary = first.summary();
    assert_eq!(summary["stopped_by"], "zoho_concurrency", "{summary}");
    assert_eq!(summary["zoho_limit"], "concurrency", "{summary}");
    assert_eq!(summary["refused_items"], 2, "{summary}");
    assert_eq!(summary["held_back"], 1, "{summary}");
    assert_eq!(summary["uploaded"], 0, "{summary}");
    assert_eq!(summary["failed"], 2, "{summary}");
    let refused: Vec<_> = first
        .json()
        .into_iter()
        .filter(|line| line["code"] == "RATE_LIMIT_EXCEEDED")
        .collect();
    assert_eq!(refused.len(), 2, "{}", first.stdout);
    assert!(
        refused.iter().all(|line| line["throttle"] == "rate"),
        "{refused:?}"
    );
    assert!(
        first.stderr.contains(
            "Zoho's concurrency cap refused every call (HTTP 429 RATE_LIMIT_EXCEEDED, a rate limit, for"
        ),
        "{}",
        first.stderr
    );
    assert_eq!(server.attachments().len(), 0);

    let second = run_within(against(&server, dir.path(), &args), limit).await;
    second.expect(0);
    assert_eq!(second.summary()["uploaded"], 3, "{}", second.stdout);
    assert_eq!(server.attachments().len(), 3);
}

#[tokio::test]
async fn refusals_that_clear_were_the_cap_and_the_refused_file_is_sent_again() {
    let server = common::server().await;
    let dir = tempdir();
    let manifest = manifest(dir.path(), 3);
    // Every attempt of the first file is refused with the code Zoho sends for both limits;
    // then the cap has room again.
    refuse_next(&server, ATTEMPTS, "TOO_MANY_REQUESTS", "too many requests");
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest,
        "--concurrency",
        "1",
    ];
    let limit = Duration::from_secs(60);
    let run = run_within(against(&server, dir.path(), &args), limit).await;
    run.expect(0);
    let summary = run.summary();
    assert_eq!(summary["uploaded"], 3, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["refused_items"], 0, "{summary}");
    assert_eq!(summary["resent_after_429"], 1, "{summary}");
    assert_eq!(summary["zoho_limit"], "concurrency", "{summary}");
    assert_eq!(summary.get("stopped_by"), None, "{summary}");
    assert_eq!(summary["account"]["throttled"], ATTEMPTS, "{summary}");
    let names = stored_names(&server);
    let distinct: BTreeSet<&String> = names.iter().collect();
    assert_eq!((names.len(), distinct.len()), (3, 3), "{names:?}");
}
#[tokio::test]
async fn a_run_out_of_credits_stops_and_a_later_run_finishes_without_duplicates() {
    let config = ServerConfig {
        conditions: Conditions {
            credits: Some(3),
            ..Conditions::default()
        },
        ..ServerConfig::default()
    };
    let server = match LoopbackServer::start_with(config).await {
        Ok(server) => server,
        Err(e) => panic!("cannot start the server: {e}"),
    };
    let dir = tempdir();
    let manifest = attachments_manifest(dir.path(), FILES);
    let manifest_arg = manifest.to_string_lossy();
    let args = [
        "--json",
        "upload-many",
        "--manifest",
        &manifest_arg,
        "--concurrency",
        "1",
        "--patience",
        "1",
    ];
    let limit = Duration::from_secs(60);
    let first = run_within(against(&server, dir.path(), &args), limit).await;
    first.expect(5);
    let summary = first.summary();
    assert_eq!(summary["uploaded"], 3, "{summary}");
    assert_eq!(summary["stopped_by"], "zoho_credits", "{summary}");
    assert_eq!(summary["zoho_limit"], "credits", "{summary}");
    assert!(
        summary["refused_items"].as_u64().unwrap_or(0) >= 1,
        "{summary}"
    );
    assert_eq!(summary["ok"], false);
    let left = summary["held_back"].as_u64().unwrap_or(0) + summary["failed"].as_u64().unwrap_or(0);
    assert_eq!(left, (FILES - 3) as u64, "{summary}");
    assert!(summary["held_back"].as_u64().unwrap_or(0) >= 1, "{summary}");
    assert!(
        first
            .stderr
            .contains("resume later with: zoho-crm upload-many --manifest"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains(
            "the organisation's API credits for the day are spent (HTTP 429 TOO_MANY_REQUESTS for"
        ),
        "{}",
        first.stderr
    );
    assert_eq!(server.attachments().len(), 3);

    // A new day's credits: the same command finishes the rest.
    server.grant_credits(100);
    let second = run_within(against(&server, dir.path(), &args), limit).await;
    second.expect(0);
    let summary = second.summary();
    assert_eq!(summary["already_done"], 3, "{summary}");
    assert_eq!(summary["uploaded"], (FILES - 3) as u64, "{summary}");
    let names = stored_names(&server);
    let distinct: BTreeSet<&String> = names.iter().collect();
    assert_eq!(names.len(), FILES, "{names:?}");
    assert_eq!(distinct.len(), FILES, "{names:?}");
}
