//! Unit tests of the conditions a server imposes: latency, the cap on calls in flight and the
//! budget of credits, over raw TCP.

use std::time::{Duration, Instant};

use crate::tests::{LEAD_PATH, request, send};
use crate::{Conditions, LoopbackServer, ServerConfig};

async fn server_with(conditions: Conditions) -> LoopbackServer {
    let config = ServerConfig {
        conditions,
        ..ServerConfig::default()
    };
    match LoopbackServer::start_with(config).await {
        Ok(server) => server,
        Err(e) => panic!("cannot start the server: {e}"),
    }
}

/// The status of one listing of the test record.
async fn list_status(server: &LoopbackServer) -> u16 {
    let bytes = request("GET", LEAD_PATH, Some(server.token()), None, b"");
    send(server.local_addr(), &bytes).await.status
}

#[tokio::test]
async fn every_answer_waits_the_latency() {
    let server = server_with(Conditions {
        latency: Duration::from_millis(200),
        ..Conditions::default()
    })
    .await;
    let started = Instant::now();
    assert_eq!(list_status(&server).await, 204);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn a_call_beyond_the_cap_is_refused_at_once() {
    let server = server_with(Conditions {
        latency: Duration::from_millis(400),
        max_in_flight: Some(2),
        ..Conditions::default()
    })
    .await;
    let started = Instant::now();
    let (a, b, c) = tokio::join!(
        list_status(&server),
        list_status(&server),
        list_status(&server)
    );
    let mut statuses = [a, b, c];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 204, 429]);
    assert_eq!(server.peak_in_flight(), 2);
    assert_eq!(server.refused_count(), 1);
    // After the two calls end, the slots are free again.
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(list_status(&server).await, 204);
}

#[tokio::test]
async fn once_the_credits_are_spent_every_call_is_refused_as_zoho_does() {
    let server = server_with(Conditions {
        credits: Some(2),
        ..Conditions::default()
    })
    .await;
    assert_eq!(list_status(&server).await, 204);
    assert_eq!(list_status(&server).await, 204);
    let bytes = request("GET", LEAD_PATH, Some(server.token()), None, b"");
    let refused = send(server.local_addr(), &bytes).await;
    assert_eq!(refused.status, 429);
    let body: serde_json::Value = serde_json::from_slice(&refused.body).unwrap_or_default();
    assert_eq!(body["code"], "TOO_MANY_REQUESTS");
    assert_eq!(list_status(&server).await, 429);
    assert_eq!(server.credits_spent(), 2);
    assert_eq!(server.refused_count(), 2);
}
