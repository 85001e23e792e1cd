//! API calls and credits: a dry run's estimate (its JSON summary's `estimate`, and what the
//! dry run itself spent) against what each measured run spent (its summary's `account`) and
//! what the server counted, for the table of (b), (f) and (h).

/// A dry run's estimate of a run, and what the dry run cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Estimate {
    /// The least and the most calls (every call taking all its attempts).
    pub calls: (u64, u64),
    /// The least and the most credits.
    pub credits: (u64, u64),
    /// The calls the dry run made itself, by its own account (`download-many` lists the
    /// records; `upload-many` sends nothing and prints no account).
    pub own_calls: u64,
    /// The requests the server counted during the dry run.
    pub own_server: i64,
}

impl Estimate {
    /// Reads the `estimate` of the JSON summary in a dry run's standard output; the dry run
    /// made `server` requests, by the server's count.
    pub(super) fn parse(stdout: &str, server: i64) -> Result<Estimate, String> {
        let summary = summary_of(stdout).ok_or_else(|| {
            format!(
                "the dry run printed no JSON summary: {}",
                tail(stdout.trim())
            )
        })?;
        let estimate = summary
            .get("estimate")
            .ok_or_else(|| format!("the dry run's summary has no estimate: {summary}"))?;
        let field = |name: &str| {
            estimate
                .get(name)
                .and_then(serde_json::Value::as_u64)
                .ok_or_else(|| format!("the dry run's estimate has no number `{name}`: {summary}"))
        };
        Ok(Estimate {
            calls: (field("calls_min")?, field("calls_max")?),
            credits: (field("credits_min")?, field("credits_max")?),
            own_calls: Spent::parse(stdout, server).map_or(0, |spent| spent.calls),
            own_server: server,
        })
    }
}

/// What one measured run spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Spent {
    /// Calls, retries included (its account).
    pub calls: u64,
    /// Credits (its account).
    pub credits: u64,
    /// Retries (its account).
    pub retries: u64,
    /// Answers of 429 (its account).
    pub throttled: u64,
    /// Requests the server counted during the run.
    pub server: i64,
}

impl Spent {
    /// Reads the `account` of the JSON summary in a run's standard output, with the
    /// requests the server counted; `None` without one.
    pub(super) fn parse(stdout: &str, server: i64) -> Option<Spent> {
        let account = summary_of(stdout)?.get("account")?.clone();
        let field = |name: &str| account.get(name).and_then(serde_json::Value::as_u64);
        Some(Spent {
            calls: field("calls")?,
            credits: field("credits")?,
            retries: field("retries")?,
            throttled: field("throttled")?,
            server,
        })
    }

    /// Whether its calls and credits are within `estimate`'s ranges.
    pub(super) fn within(&self, estimate: &Estimate) -> bool {
        let (calls, credits) = (estimate.calls, estimate.credits);
        (calls.0..=calls.1).contains(&self.calls) && (credits.0..=credits.1).contains(&self.credits)
    }
}

/// One row of the table: a command, its dry run's estimate and its measured runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct SpendRow {
    /// What was run, for the table.
    pub name: String,
    /// The dry run's estimate.
    pub estimate: Estimate,
    /// Each measured run (`None`: its summary had no account).
    pub runs: Vec<Option<Spent>>,
}

impl SpendRow {
    /// A row for `name` with `estimate` and no runs yet.
    pub(super) fn new(name: impl Into<String>, estimate: Estimate) -> SpendRow {
        SpendRow {
            name: name.into(),
            estimate,
            runs: Vec::new(),
        }
    }
}

/// The JSON summary: the last line of `--json` output that has `"summary"`.
pub(super) fn summary_of(out: &str) -> Option<serde_json::Value> {
    out.lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|value| value.get("summary").is_some())
}

/// The end of some output, for a message.
pub(super) fn tail(text: &str) -> String {
    let skip = text.chars().count().saturating_sub(600);
    text.chars()
        .skip(skip)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::{Estimate, Spent};

    #[test]
    fn estimates_and_accounts_are_read_from_the_summaries() {
        let upload_dry = r#"{"summary":true,"dry_run":true,"ok":true,"would_upload":10,"estimate":{"calls_min":10,"calls_max":40,"credits_min":10,"credits_max":40,"seconds":0.6,"assumed_rtt_ms":300,"bytes":10240,"concurrency":8}}"#;
        let estimate = Estimate::parse(upload_dry, 0);
        assert_eq!(
            estimate,
            Ok(Estimate {
                calls: (10, 40),
                credits: (10, 40),
                own_calls: 0,
                own_server: 0,
            })
        );
        let download_dry = "{\"line\":1}\n{\"summary\":true,\"dry_run\":true,\"account\":{\"calls\":5,\"credits\":5,\"retries\":0,\"throttled\":0,\"bytes_sent\":0,\"bytes_received\":99,\"seconds\":0.1},\"estimate\":{\"listed\":true,\"listing_calls\":5,\"download_calls\":20,\"calls_min\":25,\"calls_max\":100,\"credits_min\":25,\"credits_max\":100,\"seconds\":1.0,\"assumed_rtt_ms\":300,\"bytes\":0}}\n";
        assert_eq!(
            Estimate::parse(download_dry, 5).map(|e| (e.calls, e.own_calls, e.own_server)),
            Ok(((25, 100), 5, 5))
        );
        assert!(Estimate::parse("{\"summary\":true}", 0).is_err());
        assert!(Estimate::parse("nothing", 0).is_err());

        let run = r#"{"summary":true,"account":{"calls":12,"credits":12,"retries":2,"throttled":2,"bytes_sent":1,"bytes_received":2,"seconds":0.5}}"#;
        let spent = Spent::parse(run, 12);
        assert_eq!(
            spent,
            Some(Spent {
                calls: 12,
                credits: 12,
                retries: 2,
                throttled: 2,
                server: 12,
            })
        );
        let Some(spent) = spent else {
            panic!("no account");
        };
        assert!(spent.within(&Estimate {
            calls: (10, 40),
            credits: (10, 40),
            ..Estimate::default()
        }));
        assert!(!spent.within(&Estimate {
            calls: (10, 11),
            credits: (10, 40),
            ..Estimate::default()
        }));
        assert_eq!(Spent::parse(r#"{"summary":true}"#, 0), None);
    }
}
