//! `credits`: what this machine's runs spent of the organisation's API credits, from the
//! ledger (see [`crate::ledger`]): the last 24 hours (and what the daily budget has left),
//! then the last 7 days by command and by day. Read-only; a missing ledger is nothing spent.

use std::collections::BTreeMap;

use chrono::{TimeDelta, Utc};
use serde::Serialize;

use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::ledger::{self, Totals};
use crate::output::{Output, table};

/// How far back the tables go.
const DAYS: i64 = 7;

/// One row of a table in JSON.
#[derive(Serialize)]
struct Row<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<&'a str>,
    #[serde(flatten)]
    totals: Totals,
}

/// The whole answer in JSON.
#[derive(Serialize)]
struct Report<'a> {
    ledger: String,
    last_24_hours: Totals,
    max_credits_per_day: Option<u64>,
    left_today: Option<u64>,
    by_command: Vec<Row<'a>>,
    by_day: Vec<Row<'a>>,
}

/// Runs `credits`.
pub fn run(env: &Env, output: &Output) -> Exit {
    let Some(place) = env.session.place() else {
        output.stderr("error: there is no ledger: this platform has no configuration folder and no token file is set");
        return Exit::BadInput;
    };
    let parsed = match ledger::read(place) {
        Ok(parsed) => parsed,
        Err(e) => {
            output.fail("the ledger cannot be read", &Failure::io(e));
            return Exit::Failed;
        }
    };
    ledger::warn_skipped(output, place, &parsed.skipped);
    let now = Utc::now();
    let spends = ledger::spends(&parsed.entries);
    let day = ledger::totals(&spends, now - ledger::WINDOW);
    let week = now - TimeDelta::days(DAYS);
    let by_command = ledger::by(&spends, week, |e| e.command.clone());
    let by_day = ledger::by(&spends, week, |e| e.time.format("%Y-%m-%d").to_string());
    let per_day = env.session.per_day();
    let left = per_day.map(|limit| limit.saturating_sub(day.counted()));
    let report = Report {
        ledger: place.file.display().to_string(),
        last_24_hours: day,
        max_credits_per_day: per_day,
        left_today: left,
        by_command: rows(&by_command, |key| Row {
            command: Some(key),
            day: None,
            totals: Totals::default(),
        }),
        by_day: rows(&by_day, |key| Row {
            command: None,
            day: Some(key),
            totals: Totals::default(),
        }),
    };
    output.json_line(&report);
    output.text(format!("ledger: {}", report.ledger));
    output.text(format!(
        "last 24 hours: {} calls, {} credits in {} runs, {} credits reserved by runs not settled",
        day.calls, day.credits, day.runs, day.reserved
    ));
    if let (Some(limit), Some(left)) = (per_day, left) {
        output.text(format!("daily budget: {limit} credits, {left} left"));
    }
    for (heading, groups) in [("COMMAND (7 days)", &by_command), ("DAY (UTC)", &by_day)] {
        output.text("");
        let mut lines = vec![vec![
            heading.to_owned(),
            "RUNS".to_owned(),
            "CALLS".to_owned(),
            "CREDITS".to_owned(),
            "RESERVED".to_owned(),
        ]];
        for (key, totals) in groups {
            lines.push(vec![
                key.clone(),
                totals.runs.to_string(),
                totals.calls.to_string(),
                totals.credits.to_string(),
                totals.reserved.to_string(),
            ]);
        }
        for line in table(&lines) {
            output.text(line);
        }
    }
    Exit::Success
}

/// The rows of a grouping, in key order.
fn rows<'a>(
    groups: &'a BTreeMap<String, Totals>,
    row: impl Fn(&'a str) -> Row<'a>,
) -> Vec<Row<'a>> {
    groups
        .iter()
        .map(|(key, totals)| Row {
            totals: *totals,
            ..row(key)
        })
        .collect()
}
