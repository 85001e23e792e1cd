//! [`Account`]: what a bulk run spent, from its client's usage counters: calls (every attempt,
//! retries included), API credits, retries, 429 answers, bytes each way and seconds. Every
//! bulk run's summary ends with it.

use std::time::Instant;

use indicatif::HumanBytes;
use serde::Serialize;
use zoho_crm::{Client, Usage};

/// Where a run's account starts: the client's counters and the time when it began.
#[derive(Clone, Copy, Debug)]
pub struct Opening {
    usage: Usage,
    at: Instant,
}

impl Opening {
    /// The counters of `client` now (a client may have been used before the run).
    pub fn of(client: &Client) -> Self {
        Opening {
            usage: client.usage(),
            at: Instant::now(),
        }
    }

    /// What `client` has spent since the opening.
    pub fn close(&self, client: &Client) -> Account {
        let now = client.usage();
        let since = |now: u64, then: u64| now.saturating_sub(then);
        let seconds = self.at.elapsed().as_secs_f64();
        Account {
            calls: since(now.calls, self.usage.calls),
            credits: since(now.credits, self.usage.credits),
            retries: since(now.retries, self.usage.retries),
            throttled: since(now.throttled, self.usage.throttled),
            bytes_sent: since(now.bytes_sent, self.usage.bytes_sent),
            bytes_received: since(now.bytes_received, self.usage.bytes_received),
            seconds: (seconds * 1000.0).round() / 1000.0,
            max_credits: now.budget,
        }
    }
}

/// What a run spent: the summary's `account` object.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Account {
    /// Requests sent to the API, retries included.
    pub calls: u64,
    /// The API credits they cost.
    pub credits: u64,
    /// Attempts that repeated an earlier one.
    pub retries: u64,
    /// Answers of HTTP 429.
    pub throttled: u64,
    /// Request body bytes sent.
    pub bytes_sent: u64,
    /// Answer body bytes received.
    pub bytes_received: u64,
    /// The run's wall-clock time.
    pub seconds: f64,
    /// The budget of credits (`--max-credits`), when one was set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_credits: Option<u64>,
}

impl Account {
    /// The account as one line of text.
    pub fn describe(&self) -> String {
        let budget = self
            .max_credits
            .map(|limit| format!(" of a budget of {limit}"))
            .unwrap_or_default();
        format!(
            "account: {} call(s), {} credit(s){budget}, {} retry(ies), {} throttled (429), {} sent, {} received, {:.1} s",
            self.calls,
            self.credits,
            self.retries,
            self.throttled,
            HumanBytes(self.bytes_sent),
            HumanBytes(self.bytes_received),
            self.seconds
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_reads_as_one_line() {
        let account = Account {
            calls: 7,
            credits: 7,
            retries: 2,
            throttled: 2,
            bytes_sent: 2048,
            bytes_received: 10,
            seconds: 1.25,
            max_credits: Some(9),
        };
        let text = account.describe();
        assert!(
            text.starts_with("account: 7 call(s), 7 credit(s) of a budget of 9, 2 retry(ies), 2 throttled (429), 2.00 KiB sent"),
            "{text}"
        );
        let json = serde_json::to_value(account).unwrap_or_default();
        assert_eq!(json["calls"], 7);
        assert_eq!(json["max_credits"], 9);
    }
}
