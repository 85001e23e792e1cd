//! `upload-many` when Zoho keeps refusing (the day's API credits spent): it stops sending after
//! `--patience`, keeps the journal consistent, says how to resume, exits 4; a later run sends
//! the rest with no duplicates.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{RECORD, against, run_within, stored_names, tempdir, write};
use zoho_crm_testkit::{Conditions, LoopbackServer, ServerConfig};

const FILES: usize = 8;

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
    let mut csv = String::from("module,record_id,path\n");
    for index in 0..FILES {
        write(
            dir.path(),
            &format!("files/f{index}.txt"),
            format!("{index}").as_bytes(),
        );
        csv.push_str(&format!("Leads,{RECORD},files/f{index}.txt\n"));
    }
    let manifest = write(dir.path(), "manifest.csv", csv.as_bytes());
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
    first.expect(4);
    let summary = first.summary();
    assert_eq!(summary["uploaded"], 3, "{summary}");
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
