//! One line of the ledger: when, what kind of event, which command, and what it spent.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A finished run's spend (a run without a daily budget).
    Run,
    /// The credits a run with a daily budget set aside when it started; they count until the
    /// run settles (or, for a run that crashed, until they leave the 24-hour window).
    Reserve,
    /// What a run that reserved actually spent; it replaces the reservation.
    Settle,
}

/// One ledger line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it was written (RFC 3339, UTC).
    #[serde(serialize_with = "rfc3339", deserialize_with = "from_rfc3339")]
    pub time: DateTime<Utc>,
    /// What it records.
    pub kind: Kind,
    /// The run a reservation and its settlement belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// The command, e.g. `upload-many`.
    pub command: String,
    /// API calls (every attempt, retries included).
    #[serde(default)]
    pub calls: u64,
    /// API credits spent (reserved, for a reservation).
    #[serde(default)]
    pub credits: u64,
    /// Attempts that repeated an earlier one.
    #[serde(default)]
    pub retries: u64,
    /// HTTP 429 answers.
    #[serde(default)]
    pub throttled: u64,
    /// Request body bytes sent.
    #[serde(default)]
    pub bytes_sent: u64,
    /// Answer body bytes received.
    #[serde(default)]
    pub bytes_received: u64,
}

impl Entry {
    /// An entry of `kind` for `command` at `time`, with nothing spent yet.
    pub fn new(time: DateTime<Utc>, kind: Kind, command: &str) -> Self {
        Entry {
            time,
            kind,
            run: None,
            command: command.to_owned(),
            calls: 0,
            credits: 0,
            retries: 0,
            throttled: 0,
            bytes_sent: 0,
            bytes_received: 0,
        }
    }
}

fn rfc3339<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn from_rfc3339<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_round_trips_with_its_time_in_utc() {
        let Ok(time) = DateTime::parse_from_rfc3339("2026-12-07T10:00:00+02:00") else {
            panic!("bad sample time");
        };
        let mut entry = Entry::new(time.with_timezone(&Utc), Kind::Settle, "upload");
        entry.run = Some("r1".into());
        entry.credits = 3;
        let Ok(line) = serde_json::to_string(&entry) else {
            panic!("not serialised");
        };
        assert!(
            line.starts_with(r#"{"time":"2026-12-07T08:00:00.000Z","kind":"settle","run":"r1","command":"upload","calls":0,"credits":3"#),
            "{line}"
        );
        assert_eq!(serde_json::from_str::<Entry>(&line).ok(), Some(entry));
    }
}
