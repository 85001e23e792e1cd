//! The loopback server's counts (`GET /testkit/stats`), read with curl before and after a run.
//! Each read is one curl process, so one connection (and, over TLS, one handshake) of its
//! own, which the server counts like any other: [`StatsReader::new`] measures what a read
//! adds (two reads in a row) and [`StatsReader::around`] subtracts it.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::loopback::LoopbackProcess;

/// The counts the benchmarks use, or a difference of two readings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Stats {
    /// Requests that reached the API, refused ones included.
    pub requests: i64,
    /// Of those, over HTTP/1.x.
    pub http1_requests: i64,
    /// Of those, over HTTP/2.
    pub http2_requests: i64,
    /// TCP connections accepted.
    pub connections: i64,
    /// Calls refused with 429 by the concurrency cap or the credits.
    pub refused: i64,
    /// Attachments stored.
    pub attachments: i64,
    /// Completed TLS handshakes, whatever ALPN agreed (0 without TLS).
    pub handshakes: i64,
    /// Of those, the ones that resumed a session.
    pub resumed: i64,
    /// TLS handshakes that failed.
    pub failed_handshakes: i64,
}

impl Stats {
    /// `self - other`, field by field.
    fn minus(self, other: Stats) -> Stats {
        Stats {
            requests: self.requests - other.requests,
            http1_requests: self.http1_requests - other.http1_requests,
            http2_requests: self.http2_requests - other.http2_requests,
            connections: self.connections - other.connections,
            refused: self.refused - other.refused,
            attachments: self.attachments - other.attachments,
            handshakes: self.handshakes - other.handshakes,
            resumed: self.resumed - other.resumed,
            failed_handshakes: self.failed_handshakes - other.failed_handshakes,
        }
    }

    /// Reads the endpoint's JSON.
    fn parse(text: &str) -> Result<Stats, String> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("the stats are not JSON ({e}): {text:?}"))?;
        let field = |value: &serde_json::Value, name: &str| -> Result<i64, String> {
            value
                .get(name)
                .and_then(serde_json::Value::as_i64)
                .ok_or_else(|| format!("the stats have no number `{name}`: {text:?}"))
        };
        let (handshakes, resumed, failed_handshakes) = match value.get("tls_handshakes") {
            None | Some(serde_json::Value::Null) => (0, 0, 0),
            Some(tls) => (
                field(tls, "http1")? + field(tls, "http2")? + field(tls, "other")?,
                field(tls, "resumed")?,
                field(tls, "failed")?,
            ),
        };
        Ok(Stats {
            requests: field(&value, "requests")?,
            http1_requests: field(&value, "http1_requests")?,
            http2_requests: field(&value, "http2_requests")?,
            connections: field(&value, "connections")?,
            refused: field(&value, "refused")?,
            attachments: field(&value, "attachments")?,
            handshakes,
            resumed,
            failed_handshakes,
        })
    }
}

/// Reads one server's stats with curl.
pub(super) struct StatsReader {
    url: String,
    cert: Option<PathBuf>,
    /// What one read of the stats adds to them.
    overhead: Stats,
}

impl StatsReader {
    /// A reader for `server`, having measured what a read adds.
    pub(super) fn new(server: &LoopbackProcess) -> Result<StatsReader, String> {
        let mut reader = StatsReader {
            url: format!("{}/testkit/stats", server.base_url),
            cert: server.cert.clone(),
            overhead: Stats::default(),
        };
        let first = reader.read()?;
        let second = reader.read()?;
        reader.overhead = second.minus(first);
        Ok(reader)
    }

    /// The server's counts now.
    pub(super) fn read(&self) -> Result<Stats, String> {
        let mut command = Command::new("curl");
        command.args(["-sS", "-f", "--max-time", "30"]);
        if let Some(cert) = &self.cert {
            command.arg("--cacert").arg(cert);
        }
        let output = command
            .arg(&self.url)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run curl for {}: {e}", self.url))?;
        if !output.status.success() {
            return Err(format!(
                "curl {} failed: {}",
                self.url,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Stats::parse(&String::from_utf8_lossy(&output.stdout))
    }

    /// Runs `work` between two reads and returns its result with what it added to the counts
    /// (the second read's own connection and handshake taken off).
    pub(super) fn around<T>(
        &self,
        work: impl FnOnce() -> Result<T, String>,
    ) -> Result<(T, Stats), String> {
        let before = self.read()?;
        let result = work()?;
        let after = self.read()?;
        Ok((result, after.minus(before).minus(self.overhead)))
    }
}

/// The HTTP version of the requests counted in `seen`.
pub(super) fn protocol(seen: &Stats) -> &'static str {
    match (seen.http1_requests > 0, seen.http2_requests > 0) {
        (true, false) => "HTTP/1.1",
        (false, true) => "HTTP/2",
        (true, true) => "HTTP/1.1 and HTTP/2",
        (false, false) => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn stats_are_read_with_and_without_tls() {
        let tls = r#"{"requests":2000,"http1_requests":0,"http2_requests":2000,"connections":2,"peak_in_flight":8,"refused":3,"credits_spent":0,"attachments":1000,"tls_handshakes":{"http1":1,"http2":2,"other":0,"resumed":1,"failed":4}}"#;
        assert_eq!(
            Stats::parse(tls),
            Ok(Stats {
                requests: 2000,
                http1_requests: 0,
                http2_requests: 2000,
                connections: 2,
                refused: 3,
                attachments: 1000,
                handshakes: 3,
                resumed: 1,
                failed_handshakes: 4,
            })
        );
        let plain = r#"{"requests":1,"http1_requests":1,"http2_requests":0,"connections":1,"peak_in_flight":1,"refused":0,"credits_spent":0,"attachments":1,"tls_handshakes":null}"#;
        assert!(Stats::parse(plain).is_ok_and(|stats| stats.handshakes == 0));
        assert!(Stats::parse("{}").is_err());
        assert!(Stats::parse("not json").is_err());
    }
}
