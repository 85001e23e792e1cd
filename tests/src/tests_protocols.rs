//! Unit tests of HTTP/2 next to HTTP/1.1: plain with prior knowledge, through a
//! [`crate::TlsFront`] by ALPN, the handshake counts, and the stats endpoint, with reqwest
//! clients on `127.0.0.1`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Version;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::stats::STATS_PATH;
use crate::tests::{LEAD_PATH, file_part, multipart_body, multipart_content_type};
use crate::{Conditions, Fault, Handshakes, LoopbackServer, ServerConfig, Stats, TlsFront};

async fn server() -> LoopbackServer {
    server_with(Conditions::default()).await
}

async fn server_with(conditions: Conditions) -> LoopbackServer {
    let config = ServerConfig {
        conditions,
        ..ServerConfig::default()
    };
    LoopbackServer::start_with(config)
        .await
        .expect("the server starts")
}

/// A front for `server`, whose handshakes the server reports.
async fn front(server: &LoopbackServer) -> TlsFront {
    let front = TlsFront::start(server.local_addr())
        .await
        .expect("the front starts");
    server.include_tls_front(&front);
    front
}

fn build(builder: reqwest::ClientBuilder) -> reqwest::Client {
    builder.no_proxy().build().expect("the client builds")
}

/// A client trusting `front`'s certificate.
fn trusting(front: &TlsFront) -> reqwest::ClientBuilder {
    let cert = reqwest::Certificate::from_pem(front.cert_pem().as_bytes()).expect("a PEM cert");
    reqwest::Client::builder().add_root_certificate(cert)
}

/// Uploads a small file to the test record at `base`: the status and the HTTP version.
async fn upload(client: &reqwest::Client, base: &str, token: &str, name: &str) -> (u16, Version) {
    let body = multipart_body(&[file_part(name, name.as_bytes())]);
    let response = client
        .post(format!("{base}{LEAD_PATH}"))
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .header("Content-Type", multipart_content_type())
        .body(body)
        .send()
        .await
        .expect("the upload is answered");
    let answer = (response.status().as_u16(), response.version());
    response.bytes().await.expect("the upload's body");
    answer
}

/// Lists the test record at `base`: the status, the HTTP version and the JSON body.
async fn list(client: &reqwest::Client, base: &str, token: &str) -> (u16, Version, Value) {
    let response = client
        .get(format!("{base}{LEAD_PATH}"))
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .send()
        .await
        .expect("the list is answered");
    let status = response.status().as_u16();
    let version = response.version();
    let body = response.bytes().await.expect("the list's body");
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, version, json)
}

/// The stats endpoint at `base`: the status and the JSON body.
async fn stats_at(client: &reqwest::Client, base: &str) -> (u16, Value) {
    let response = client
        .get(format!("{base}{STATS_PATH}"))
        .send()
        .await
        .expect("the stats are answered");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("the stats' body");
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Waits (up to 5 s) until `front` has counted `expected`.
async fn wait_for_handshakes(front: &TlsFront, expected: Handshakes) {
    let started = Instant::now();
    while front.handshakes() != expected && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(front.handshakes(), expected);
}

#[tokio::test]
async fn plain_http2_with_prior_knowledge_uploads_and_lists_on_one_connection() {
    let server = server().await;
    let client = build(reqwest::Client::builder().http2_prior_knowledge());
    let base = server.base_url();
    assert_eq!(
        upload(&client, &base, server.token(), "a.txt").await,
        (200, Version::HTTP_2)
    );
    let (status, version, listed) = list(&client, &base, server.token()).await;
    assert_eq!((status, version), (200, Version::HTTP_2));
    assert_eq!(listed["data"][0]["File_Name"], "a.txt");
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));

    assert_eq!(server.attachments().len(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.http_version == "HTTP/2.0"));
    assert_eq!(
        (requests[0].method.as_str(), requests[1].method.as_str()),
        ("POST", "GET")
    );
    assert_eq!(requests[0].path, LEAD_PATH);
    assert_eq!(server.connection_count(), 1);
    let stats = server.stats();
    assert_eq!(
        (stats.requests, stats.http1_requests, stats.http2_requests),
        (2, 0, 2)
    );
    assert_eq!(stats.tls_handshakes, None);
}

#[tokio::test]
async fn plain_http1_still_works_on_the_same_port() {
    let server = server().await;
    let client = build(reqwest::Client::builder().http1_only());
    let base = server.base_url();
    assert_eq!(
        upload(&client, &base, server.token(), "b.txt").await,
        (200, Version::HTTP_11)
    );
    assert_eq!(server.requests()[0].http_version, "HTTP/1.1");
    let stats = server.stats();
    assert_eq!((stats.http1_requests, stats.http2_requests), (1, 0));
}

/// Over HTTP/2, a dropped connection resets the request's stream: that request gets no
/// answer, and the connection serves the next one.
#[tokio::test]
async fn an_http2_drop_resets_the_stream_and_the_connection_goes_on() {
    let server = server().await;
    let client = build(reqwest::Client::builder().http2_prior_knowledge());
    let base = server.base_url();
    server.push_fault(Fault::DropBeforeBody);
    let dropped = client
        .get(format!("{base}{LEAD_PATH}"))
        .header(
            "Authorization",
            format!("Zoho-oauthtoken {}", server.token()),
        )
        .send()
        .await;
    let error = dropped.expect_err("a dropped request has no answer");
    assert!(!error.is_status(), "{error:?}");
    assert!(
        format!("{error:?}").contains("INTERNAL_ERROR"),
        "not a stream reset: {error:?}"
    );
    assert_eq!(server.pending_faults(), 0);
    assert_eq!(
        upload(&client, &base, server.token(), "after.txt").await,
        (200, Version::HTTP_2)
    );
    assert_eq!(server.attachments().len(), 1);
    assert_eq!(server.connection_count(), 1);
}

#[tokio::test]
async fn a_tls_client_that_negotiates_h2_makes_one_handshake_for_many_requests() {
    let server = server().await;
    let front = front(&server).await;
    let client = build(trusting(&front));
    let base = front.base_url();
    let token = server.token();
    // One at a time, then ten at once: all on one pooled HTTP/2 connection.
    assert_eq!(
        upload(&client, &base, token, "first.txt").await,
        (200, Version::HTTP_2)
    );
    let names: Vec<String> = (0..10).map(|i| format!("f{i}.txt")).collect();
    let uploads = futures_util::future::join_all(
        names.iter().map(|name| upload(&client, &base, token, name)),
    )
    .await;
    assert!(
        uploads
            .iter()
            .all(|answer| *answer == (200, Version::HTTP_2)),
        "{uploads:?}"
    );
    let (status, version, listed) = list(&client, &base, token).await;
    assert_eq!((status, version), (200, Version::HTTP_2));
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(11));

    assert_eq!(server.attachments().len(), 11);
    assert_eq!(
        front.handshakes(),
        Handshakes {
            http2: 1,
            ..Handshakes::default()
        }
    );
    assert_eq!(front.handshakes().completed(), 1);
    assert_eq!(server.connection_count(), 1);
    let stats = server.stats();
    assert_eq!((stats.requests, stats.http2_requests), (12, 12));
    assert_eq!(stats.tls_handshakes, Some(front.handshakes()));
}

#[tokio::test]
async fn an_http1_only_tls_client_is_counted_as_http1_and_resumes_its_session() {
    let server = server().await;
    let front = front(&server).await;
    // No idle connection is kept, so each request opens a connection: the second one
    // resumes the session of the first.
    let client = build(trusting(&front).http1_only().pool_max_idle_per_host(0));
    let base = front.base_url();
    assert_eq!(
        upload(&client, &base, server.token(), "one.txt").await,
        (200, Version::HTTP_11)
    );
    let (status, version, _) = list(&client, &base, server.token()).await;
    assert_eq!((status, version), (200, Version::HTTP_11));
    wait_for_handshakes(
        &front,
        Handshakes {
            http1: 2,
            resumed: 1,
            ..Handshakes::default()
        },
    )
    .await;
    assert_eq!(server.connection_count(), 2);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.http_version == "HTTP/1.1")
    );
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_certificate_is_a_failed_handshake() {
    let server = server().await;
    let front = front(&server).await;
    let client = build(reqwest::Client::builder());
    let refused = client
        .get(format!("{}{LEAD_PATH}", front.base_url()))
        .send()
        .await;
    assert!(refused.is_err(), "{refused:?}");
    wait_for_handshakes(
        &front,
        Handshakes {
            failed: 1,
            ..Handshakes::default()
        },
    )
    .await;
    assert_eq!(server.connection_count(), 0);
    assert_eq!(server.request_count(), 0);
}

/// A TLS client offering no ALPN protocol: counted as `other`, and served HTTP/1.1.
#[tokio::test]
async fn a_handshake_without_alpn_is_counted_as_other() {
    let server = server().await;
    server.serve_stats();
    let front = front(&server).await;
    let mut roots = RootCertStore::empty();
    let cert = CertificateDer::from_pem_slice(front.cert_pem().as_bytes()).expect("a PEM cert");
    roots.add(cert).expect("the cert is a root");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(front.base_url().trim_start_matches("https://"))
        .await
        .expect("the front accepts");
    let name = ServerName::try_from("127.0.0.1").expect("a server name");
    let mut tls = connector.connect(name, tcp).await.expect("the handshake");
    assert_eq!(tls.get_ref().1.alpn_protocol(), None);
    let head = format!("GET {STATS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    tls.write_all(head.as_bytes())
        .await
        .expect("the request is sent");
    let mut reply = Vec::new();
    // The server closes without close_notify; what was read before counts.
    let _ = tls.read_to_end(&mut reply).await;
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    assert!(reply.contains(r#""other":1"#), "{reply}");
    assert_eq!(
        front.handshakes(),
        Handshakes {
            other: 1,
            ..Handshakes::default()
        }
    );
}

/// The stats endpoint: off by default; on, it reports what the server and its front counted,
/// and it is neither recorded nor held up, refused or charged by the conditions.
#[tokio::test]
async fn the_stats_endpoint_reports_the_counts_outside_the_conditions() {
    let server = server_with(Conditions {
        latency: Duration::from_millis(300),
        max_in_flight: Some(1),
        credits: Some(2),
    })
    .await;
    let front = front(&server).await;
    let plain = build(reqwest::Client::builder().http1_only());
    // Off: Zoho's answer to an unknown URL without a token (an API call: it spends a credit).
    let (status, off) = stats_at(&plain, &server.base_url()).await;
    assert_eq!(status, 401, "{off}");
    assert_eq!(server.request_count(), 1);
    server.serve_stats();

    let h2 = build(trusting(&front));
    let h1 = build(trusting(&front).http1_only());
    let token = server.token();
    // The last credit goes to an upload over h2; a list over HTTP/1.1 is refused.
    assert_eq!(
        upload(&h2, &front.base_url(), token, "s.txt").await,
        (200, Version::HTTP_2)
    );
    let (status, _, _) = list(&h1, &front.base_url(), token).await;
    assert_eq!(status, 429);

    // Over the h2 connection already open: no new handshake, no latency, no credit.
    let started = Instant::now();
    let (status, through_tls) = stats_at(&h2, &front.base_url()).await;
    assert!(started.elapsed() < Duration::from_millis(300));
    assert_eq!(status, 200, "{through_tls}");
    assert_eq!(
        through_tls,
        json!({
            "requests": 3,
            "http1_requests": 2,
            "http2_requests": 1,
            "connections": 3,
            "peak_in_flight": 1,
            "refused": 1,
            "credits_spent": 2,
            "attachments": 1,
            "tls_handshakes": {"http1": 1, "http2": 1, "other": 0, "resumed": 0, "failed": 0},
        })
    );
    // Over the plain port, with the plain client's kept-alive connection: the same.
    let (status, direct) = stats_at(&plain, &server.base_url()).await;
    assert_eq!((status, &direct), (200, &through_tls));
    assert_eq!(server.request_count(), 3);
    assert_eq!(server.credits_spent(), 2);
    assert_eq!(
        server.stats(),
        Stats {
            requests: 3,
            http1_requests: 2,
            http2_requests: 1,
            connections: 3,
            peak_in_flight: 1,
            refused: 1,
            credits_spent: 2,
            attachments: 1,
            tls_handshakes: Some(Handshakes {
                http1: 1,
                http2: 1,
                ..Handshakes::default()
            }),
        }
    );
    // Another method on the path is an API call like any other: refused, the credits spent.
    let posted = plain
        .post(format!("{}{STATS_PATH}", server.base_url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(posted.status().as_u16(), 429);
    assert_eq!(server.request_count(), 4);
    assert_eq!(server.refused_count(), 2);
    // From another host (a connection from 127.0.0.2), the path is an API call too: no stats.
    let elsewhere = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("a client");
    let (status, body) = stats_at(&elsewhere, &server.base_url()).await;
    assert_eq!((status, body.get("requests")), (429, None), "{body}");
    assert_eq!(server.request_count(), 5);
    assert_eq!(server.refused_count(), 3);
}

#[test]
fn the_stats_endpoint_answers_this_host_only() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    let sources = crate::stats::StatsSources::default();
    let parts = |peer: Option<&str>, method: &str, path: &str| {
        let mut request = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .body(())
            .expect("a request");
        if let Some(peer) = peer {
            let peer: SocketAddr = peer.parse().expect("an address");
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        request.into_parts().0
    };
    let local = parts(Some("127.0.0.1:5000"), "GET", STATS_PATH);
    assert!(!sources.is_for_stats(&local), "on before serve()");
    sources.serve();
    assert!(sources.is_for_stats(&local));
    assert!(sources.is_for_stats(&parts(Some("[::1]:5000"), "GET", STATS_PATH)));
    assert!(sources.is_for_stats(&parts(Some("[::ffff:127.0.0.1]:5000"), "GET", STATS_PATH)));
    // Another host (127.0.0.2 stands for one).
    assert!(!sources.is_for_stats(&parts(Some("127.0.0.2:5000"), "GET", STATS_PATH)));
    assert!(!sources.is_for_stats(&parts(None, "GET", STATS_PATH)));
    assert!(!sources.is_for_stats(&parts(Some("127.0.0.1:5000"), "POST", STATS_PATH)));
    assert!(!sources.is_for_stats(&parts(Some("127.0.0.1:5000"), "GET", "/testkit/stats/")));
}
