//! The `loopback-server` binary with `--tls`, as a benchmark drives it: HTTP/2 and HTTP/1.1
//! by ALPN, and the counts read from `GET /testkit/stats` by another process.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const LIST: &str = "/crm/v2/Leads/1000000231009/Attachments";

/// The binary started with `args`, and its base URL and certificate file (the lines it prints).
async fn start(args: &[&str]) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loopback-server"))
        .args(args)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("its stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("a line within 30 s")
            .expect("stdout is readable")
            .expect("a line")
    };
    let listening = next().await;
    let base = listening
        .strip_prefix("listening on ")
        .expect("the first line")
        .to_owned();
    let certificate = next().await;
    let cert = certificate
        .strip_prefix("certificate at ")
        .expect("the second line")
        .to_owned();
    (child, base, cert)
}

async fn get(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> (u16, reqwest::Version, Value) {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.header("Authorization", format!("Zoho-oauthtoken {token}"));
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let version = response.version();
    let body = response.bytes().await.expect("a body");
    (
        status,
        version,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_binary_counts_handshakes_by_protocol_and_serves_them_as_json() {
    let (mut child, base, cert_path) =
        start(&["--tls", "--token", "t0k", "--latency-ms", "50"]).await;
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let pem = std::fs::read(&cert_path).expect("the certificate file");
    let cert = reqwest::Certificate::from_pem(&pem).expect("a PEM certificate");
    let client = |http1: bool| {
        let builder = reqwest::Client::builder()
            .no_proxy()
            .add_root_certificate(cert.clone());
        let builder = if http1 { builder.http1_only() } else { builder };
        builder.build().expect("a client")
    };
    let (h2, h1) = (client(false), client(true));
    let list = format!("{base}{LIST}");
    for _ in 0..3 {
        assert_eq!(get(&h2, &list, Some("t0k")).await.0, 204);
    }
    let (status, version, _) = get(&h1, &list, Some("t0k")).await;
    assert_eq!((status, version), (204, reqwest::Version::HTTP_11));

    let (status, version, stats) = get(&h2, &format!("{base}/testkit/stats"), None).await;
    assert_eq!((status, version), (200, reqwest::Version::HTTP_2));
    assert_eq!(
        stats,
        json!({
            "requests": 4,
            "http1_requests": 1,
            "http2_requests": 3,
            "connections": 2,
            "peak_in_flight": 1,
            "refused": 0,
            "credits_spent": 0,
            "attachments": 0,
            "tls_handshakes": {"http1": 1, "http2": 1, "other": 0, "resumed": 0, "failed": 0},
        })
    );
    stop(&mut child).await;
}

/// Stops the binary as Ctrl-C would (so it removes its files), or kills it.
async fn stop(child: &mut Child) {
    #[cfg(unix)]
    if let Some(pid) = child.id() {
        let terminated = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        if terminated.is_ok_and(|status| status.success())
            && let Ok(exit) = tokio::time::timeout(Duration::from_secs(10), child.wait()).await
        {
            assert!(
                exit.as_ref().is_ok_and(|status| status.success()),
                "{exit:?}"
            );
            return;
        }
    }
    let _ = child.start_kill();
    let _ = child.wait().await;
}
