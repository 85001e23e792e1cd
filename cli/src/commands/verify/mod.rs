//! `verify`: whether Zoho holds what an `upload-many` manifest names (`--manifest`), or
//! whether a `download-many` export is whole and still what Zoho holds (`--export`).
//!
//! Each file gets one line marked as `rclone check --combined` marks it (see [`Mark`]), then
//! a summary: the count of each mark, the files and bytes hashed, and the run's account.
//! Each record is listed once (every page) through one client, so every listing counts
//! toward `--max-credits` and in the account.

mod export;
mod hash;
mod manifest;

use indicatif::HumanBytes;
use serde::Serialize;

use crate::account::{Account, Opening};
use crate::args::{Global, VerifyArgs};
use crate::commands::client_or_exit;
use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::{Failure, Kind};
use crate::output::Output;

/// What one line says of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
enum Mark {
    /// The same on both sides.
    #[serde(rename = "=")]
    Same,
    /// Zoho lists it but the backup lacks it, or the manifest's file is not in Zoho.
    #[serde(rename = "-")]
    Missing,
    /// The backup has it but Zoho no longer lists it.
    #[serde(rename = "+")]
    Extra,
    /// In both, but the file on disk is not what the index says (or Zoho's size differs).
    #[serde(rename = "*")]
    Differs,
    /// Not checked (what Zoho gives cannot be compared).
    #[serde(rename = "?")]
    NotChecked,
    /// Its record could not be read.
    #[serde(rename = "!")]
    Error,
}

impl Mark {
    /// The mark's character.
    fn symbol(self) -> char {
        match self {
            Mark::Same => '=',
            Mark::Missing => '-',
            Mark::Extra => '+',
            Mark::Differs => '*',
            Mark::NotChecked => '?',
            Mark::Error => '!',
        }
    }
}

/// One file's line.
#[derive(Clone, Debug, Serialize)]
struct Item {
    mark: Mark,
    module: String,
    record_id: String,
    /// Zoho's file name (or the manifest's upload name, or the index's).
    name: String,
    /// Its size in bytes, when known.
    size: Option<u64>,
    /// Zoho's id of it, when known (an attachment's id, a field entry's id).
    id: Option<String>,
    /// Where it is on disk: the index's path (relative to the export) or the manifest's (as
    /// the manifest gives it).
    path: Option<String>,
    /// Why it is not `=`.
    reason: Option<String>,
    /// The manifest's line (`--manifest` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    /// What the text line shows: `module/record_id/name`, or the index's path.
    #[serde(skip)]
    shown: String,
}

impl Item {
    /// A line for `name` of `module`'s record `record_id`, with nothing else known yet.
    fn new(mark: Mark, module: &str, record_id: &str, name: &str) -> Self {
        Item {
            mark,
            module: module.to_owned(),
            record_id: record_id.to_owned(),
            name: name.to_owned(),
            size: None,
            id: None,
            path: None,
            reason: None,
            line: None,
            shown: format!("{module}/{record_id}/{name}"),
        }
    }
}

/// What the run found, counted.
#[derive(Clone, Copy, Debug, Default, Serialize)]
struct Counts {
    /// `=`.
    equal: usize,
    /// `-`.
    missing: usize,
    /// `+`.
    extra: usize,
    /// `*`.
    differ: usize,
    /// `?`.
    not_checked: usize,
    /// `!`.
    errors: usize,
    /// Files read and hashed.
    files_hashed: u64,
    /// Their bytes.
    bytes_hashed: u64,
}

/// The lines printed so far, their counts, and what refused a call.
struct Report<'a> {
    output: &'a Output,
    counts: Counts,
    /// The budget of `--max-credits` refused a listing.
    budget_spent: bool,
    /// Zoho said the day's credits are spent.
    quota_spent: bool,
}

impl<'a> Report<'a> {
    fn new(output: &'a Output) -> Self {
        Report {
            output,
            counts: Counts::default(),
            budget_spent: false,
            quota_spent: false,
        }
    }

    /// Prints and counts one line.
    fn item(&mut self, item: &Item) {
        let counter = match item.mark {
            Mark::Same => &mut self.counts.equal,
            Mark::Missing => &mut self.counts.missing,
            Mark::Extra => &mut self.counts.extra,
            Mark::Differs => &mut self.counts.differ,
            Mark::NotChecked => &mut self.counts.not_checked,
            Mark::Error => &mut self.counts.errors,
        };
        *counter += 1;
        let size = item
            .size
            .map(|size| format!(" ({size} bytes)"))
            .unwrap_or_default();
        let reason = item
            .reason
            .as_deref()
            .map(|reason| format!(": {reason}"))
            .unwrap_or_default();
        self.output.text(format!(
            "{} {}{size}{reason}",
            item.mark.symbol(),
            item.shown
        ));
        self.output.json_line(item);
    }

    /// Counts a file read and hashed.
    fn hashed(&mut self, bytes: u64) {
        self.counts.files_hashed += 1;
        self.counts.bytes_hashed += bytes;
    }

    /// Reports that a record's `what` could not be read (its files get `!` lines from the
    /// caller), and notes a refusal for the budget or Zoho's credits.
    fn unreadable(&mut self, module: &str, record_id: &str, what: &str, failure: &Failure) {
        if failure.kind == Kind::Budget {
            self.budget_spent = true;
        } else if failure.exit() == Exit::ZohoCredits {
            self.quota_spent = true;
        }
        self.output.stderr(&format!(
            "error: the {what} of {module} record {record_id} cannot be read: {}",
            failure.describe()
        ));
    }

    /// The exit code: 4 or 5 when a call was refused for credits, 3 when anything is not `=`
    /// (`?` aside), 0 otherwise.
    fn exit(&self) -> Exit {
        let counts = &self.counts;
        if self.budget_spent {
            Exit::BudgetSpent
        } else if self.quota_spent {
            Exit::ZohoCredits
        } else if counts.missing + counts.extra + counts.differ + counts.errors > 0 {
            Exit::Partial
        } else {
            Exit::Success
        }
    }

    /// Prints the summary: a JSON line, or text on standard error (with `--quiet` only when
    /// something differs).
    fn summarize(&self, checked: &str, account: Account) {
        #[derive(Serialize)]
        struct Summary<'a> {
            summary: bool,
            ok: bool,
            checked: &'a str,
            #[serde(flatten)]
            counts: Counts,
            calls: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            budget_spent: Option<u64>,
            account: Account,
        }
        let ok = self.exit() == Exit::Success;
        self.output.json_line(&Summary {
            summary: true,
            ok,
            checked,
            counts: self.counts,
            calls: account.calls,
            budget_spent: self.budget_spent.then_some(account.max_credits).flatten(),
            account,
        });
        if self.output.json || (self.output.quiet && ok) {
            return;
        }
        let c = &self.counts;
        self.output.stderr(&format!(
            "verify ({checked}): {} =, {} -, {} +, {} *, {} ? (not checked), {} ! (unreadable); {} file(s) hashed ({}); {} call(s)",
            c.equal,
            c.missing,
            c.extra,
            c.differ,
            c.not_checked,
            c.errors,
            c.files_hashed,
            HumanBytes(c.bytes_hashed),
            account.calls
        ));
        if self.budget_spent {
            self.output.stderr(
                "the budget of --max-credits refused a listing: the records marked ! were not checked (raise --max-credits, or run again later)",
            );
        }
        self.output.stderr(&account.describe());
    }
}

/// Runs `verify`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: VerifyArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |builder| builder) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let opening = Opening::of(&client);
    let mut report = Report::new(output);
    let checked = match (&args.manifest, &args.export) {
        (Some(path), _) => {
            let verified = manifest::verify(&client, &mut report, path, &args).await;
            if let Err(exit) = verified {
                return exit;
            }
            "manifest"
        }
        (None, Some(dir)) => {
            if let Err(exit) = export::verify(&client, &mut report, dir).await {
                return exit;
            }
            "export"
        }
        (None, None) => {
            output.fail(
                "nothing to verify",
                &Failure::invalid("give --manifest FILE.csv or --export DIR"),
            );
            return Exit::BadInput;
        }
    };
    report.summarize(checked, opening.close(&client));
    report.exit()
}
