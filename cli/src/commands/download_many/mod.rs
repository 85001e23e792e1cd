//! `download-many`: every attachment of the records a CSV manifest names, exported to
//! `DIR/<module>/<record_id>/<file name>`, with bounded, adaptive concurrency and a journal that
//! makes re-runs download only what is missing; and, as `--include` selects (by default all
//! three), each record's photo (`DIR/<module>/<record_id>/photo.<ext>`, see [`photo`]) and the
//! files of the file-upload fields named with `--field`/`--fields`
//! (`DIR/<module>/<record_id>/fields/<field>/<file name>`, see [`fields`]), with the same
//! naming, journal, concurrency and summary.
//!
//! 1. The whole manifest (`module,record_id`) is checked first; an invalid line means nothing
//!    is sent (exit 2) unless `--skip-invalid`. A record named twice is reported and exported
//!    once.
//! 2. Each record is listed (every page, at most `--max-pages`), under the same limit on calls
//!    in flight as the downloads (`--concurrency`, halved on each burst of 429s and raised
//!    again after successes). A listing that fails is a failure of that record; the run goes on.
//! 3. Its links are written to `DIR/links.csv` once; attachments older than `--since` are left
//!    out; files the journal says are saved, and are on disk with their size, are done;
//!    temporary files of downloads an earlier run did not finish are removed; the other files
//!    are downloaded, each under a name unique within the record's directory and the same on
//!    every run (see [`names`] and [`journal`]).
//! 4. Each file saved gets a line in `DIR/index.csv` (see [`index`]), written anew from the
//!    journal at the start of the run; the filters (`--include-name`, `--exclude-name`,
//!    `--min-size`, `--max-size`, `--type`, see [`filters`]) leave out what they do not keep,
//!    counted as `filtered_out` and not journaled.
//! 5. When Zoho has refused every call for longer than `--patience` (or the run's budget of
//!    credits is spent), nothing more starts and the run exits 5 or 6 (4) with the command
//!    that resumes it; on SIGINT or SIGTERM, downloads in
//!    flight are abandoned (nothing partial is left under a final name), and the run exits 130
//!    or 143 after its summary.

mod estimate;
mod export;
mod fetch;
mod fields;
mod filters;
mod folder;
mod index;
mod journal;
mod links;
mod name_template;
mod names;
mod photo;
mod plan;
mod records;
mod report;
mod selection;
mod shared;
mod stage;
mod summary;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::account::Opening;
use crate::args::{DownloadManyArgs, Global};
use crate::commands::client_or_exit;
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::interrupt::Interrupt;
use crate::journal::{OpenError, Writer};
use crate::output::Output;
use crate::patience::Patience;
use crate::progress;
use crate::recheck::Recheck;
use crate::slots::Slots;

use self::estimate::Estimate;
use self::filters::Filters;
use self::index::IndexFile;
pub(crate) use self::index::{HEADER as INDEX_HEADER, INDEX_FILE};
pub(crate) use self::journal::FIELDS_DIR;
use self::links::LinksFile;
use self::name_template::NameTemplate;
use self::shared::{Shared, Tally};
use self::summary::{Lines, summarize};

/// The journal's name in the output directory unless `--journal` gives one.
const DEFAULT_JOURNAL: &str = ".zoho-crm-export.journal";

/// The links file's name in the output directory.
const LINKS_FILE: &str = "links.csv";

/// How many records may be open (listed, their files not all done) per slot of concurrency.
const OPEN_RECORDS_PER_SLOT: usize = 2;

/// Runs `download-many`; a signal stops it cleanly (see the module's documentation).
pub async fn run(
    global: &Global,
    env: &Env,
    output: &Output,
    args: DownloadManyArgs,
    interrupt: &Interrupt,
) -> Exit {
    let started = Instant::now();
    let selection = match selection::select(&args.include, &args.field, &args.fields) {
        Ok(selection) => selection,
        Err(message) => {
            output.stderr(&format!("error: {message}; nothing was sent"));
            return Exit::BadInput;
        }
    };
    let filters = match Filters::from_args(&args) {
        Ok(filters) => filters,
        Err(message) => {
            output.stderr(&format!("error: {message}; nothing was sent"));
            return Exit::BadInput;
        }
    };
    let name_template = match args.name_template.as_deref().map(NameTemplate::parse) {
        None => NameTemplate::default(),
        Some(Ok(template)) => template,
        Some(Err(message)) => {
            output.stderr(&format!("error: {message}; nothing was sent"));
            return Exit::BadInput;
        }
    };
    let manifest = match records::load(&args.manifest).await {
        Ok(manifest) => manifest,
        Err(unusable) => return unusable.report(output, &args.manifest),
    };
    for invalid in &manifest.invalid {
        report::invalid(output, invalid, args.skip_invalid);
    }
    if !manifest.invalid.is_empty() && !args.skip_invalid {
        output.stderr(&format!(
            "error: {} of {} lines of the manifest are invalid; nothing was sent (fix them, or pass --skip-invalid to export the records of the valid lines)",
            manifest.invalid.len(),
            manifest.invalid.len() + manifest.records.len() + manifest.duplicates.len()
        ));
        return Exit::BadInput;
    }
    for duplicate in &manifest.duplicates {
        report::duplicate(output, duplicate);
    }
    let concurrency = usize::from(args.concurrency);
    if args.no_listing {
        let rtt = Duration::from_millis(args.assume_rtt);
        let estimate = Estimate::unlisted(manifest.records.len(), &selection, concurrency, rtt);
        output.note(format!(
            "dry run: {} record(s); nothing was sent",
            manifest.records.len()
        ));
        output.note(estimate.describe());
        output.json_line(&serde_json::json!({
            "summary": true,
            "dry_run": true,
            "ok": true,
            "records": manifest.records.len(),
            "invalid": manifest.invalid.len(),
            "duplicates": manifest.duplicates.len(),
            "estimate": estimate,
        }));
        return Exit::Success;
    }
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| args.output.join(DEFAULT_JOURNAL));
    let history =
        match crate::journal::load_or_report(output, &journal_path, journal::load, |history| {
            history.unreadable_lines
        }) {
            Ok(history) => history,
            Err(exit) => return exit,
        };
    let client = match client_or_exit(global, env, output, |builder| {
        builder.max_concurrency(concurrency)
    }) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let opening = Opening::of(&client);
    let (writer, links, index) = if args.dry_run {
        (None, None, None)
    } else {
        match open_outputs(output, &args.output, &journal_path, &history) {
            Ok((writer, links, index)) => (Some(writer), Some(links), Some(index)),
            Err(exit) => return exit,
        }
    };
    if !manifest.records.is_empty() {
        // One token up front: a credential problem stops the run before anything is sent.
        if let Err(error) = client.token_provider().token().await {
            let failure = Failure::auth(&error);
            output.fail("no access token could be had; nothing was sent", &failure);
            return failure.exit();
        }
    }
    let shared = Arc::new(Shared {
        client,
        writer,
        links,
        index,
        output: output.clone(),
        bar: progress::bulk(output, 0, 0),
        slots: Slots::new(concurrency),
        patience: Patience::new(Duration::from_secs(args.patience)),
        interrupt: interrupt.clone(),
        history,
        since: args.since,
        selection: selection.clone(),
        filters: filters.clone(),
        name_template,
        dir: args.output.clone(),
        tally: Mutex::new(Tally::default()),
        stop: AtomicBool::new(false),
        files_total: AtomicUsize::new(0),
        files_finished: AtomicUsize::new(0),
    });
    export::export_all(
        &shared,
        manifest.records,
        concurrency * OPEN_RECORDS_PER_SLOT,
    )
    .await;
    shared.bar.finish_and_clear();
    let tally = std::mem::take(&mut *shared.tally());
    let account = opening.close(&shared.client);
    let rtt = Duration::from_millis(args.assume_rtt);
    let lines = Lines {
        invalid: manifest.invalid.len(),
        duplicates: manifest.duplicates.len(),
        patience: &shared.patience,
        account,
        estimate: args
            .dry_run
            .then(|| Estimate::listed(&account, &tally, concurrency, rtt)),
    };
    let exit = summarize(
        output,
        &tally,
        lines,
        shared.client.concurrency(),
        concurrency,
        started,
        (&args.output, &journal_path),
        &selection,
        args.dry_run,
    );
    if exit.is_out_of_calls() {
        output.stderr(&format!(
            "resume later with: {}{}{}{}",
            Recheck::new(global).download_many(&args.manifest, &args.output, &journal_path),
            selection.options(),
            filters.options(),
            args.name_template
                .as_deref()
                .map(|template| format!(" --name-template {}", crate::recheck::quote(template)))
                .unwrap_or_default()
        ));
    }
    match interrupt.received() {
        Some(signal) => Exit::Stopped(signal),
        None => exit,
    }
}

/// Makes the output directory, opens the journal (locked) and the links file in it, and
/// writes the index anew from what the journal says was saved (`history`).
fn open_outputs(
    output: &Output,
    dir: &Path,
    journal_path: &Path,
    history: &journal::History,
) -> Result<(Writer, LinksFile, IndexFile), Exit> {
    let fail = |context: &str, failure: Failure| {
        output.fail(context, &failure);
        Exit::BadInput
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return Err(fail(
            "the output directory cannot be used; nothing was sent",
            Failure::invalid(format!("cannot create {}: {e}", dir.display())),
        ));
    }
    let writer = match Writer::open(journal_path) {
        Ok(writer) => writer,
        Err(OpenError::Locked) => {
            let failure = Failure::invalid(format!(
                "another download-many run is using the journal {}",
                journal_path.display()
            ))
            .with_resolution("wait for it to finish, or give this run another --journal");
            return Err(fail("the journal cannot be used", failure));
        }
        Err(OpenError::Io(e)) => {
            let failure = Failure::invalid(format!(
                "cannot open the journal {}: {e}",
                journal_path.display()
            ));
            return Err(fail("the journal cannot be used", failure));
        }
    };
    let links_path = dir.join(LINKS_FILE);
    let links = LinksFile::open(&links_path).map_err(|e| {
        fail(
            "the links file cannot be used; nothing was sent",
            Failure::invalid(format!("cannot open {}: {e}", links_path.display())),
        )
    })?;
    let index = IndexFile::rebuild(dir, history).map_err(|e| {
        fail(
            "the index cannot be written; nothing was sent",
            Failure::invalid(format!(
                "cannot write {}: {e}",
                dir.join(INDEX_FILE).display()
            )),
        )
    })?;
    Ok((writer, links, index))
}
