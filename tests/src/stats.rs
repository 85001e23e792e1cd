//! What a [`LoopbackServer`](crate::LoopbackServer) counted, for benchmarks: requests (by HTTP
//! version), connections, the conditions' peak and refusals, and the TLS handshakes of the
//! [`TlsFront`]s in front of it ([`Stats`], from [`crate::LoopbackServer::stats`]).
//!
//! A process outside the test (a benchmark driving the `loopback-server` binary) reads the
//! same numbers as JSON from `GET /testkit/stats` ([`STATS_PATH`]) once
//! [`crate::LoopbackServer::serve_stats`] has turned the endpoint on:
//!
//! ```json
//! {"requests":2000,"http1_requests":0,"http2_requests":2000,"connections":2,
//!  "peak_in_flight":8,"refused":0,"credits_spent":0,"attachments":1000,
//!  "tls_handshakes":{"http1":0,"http2":2,"other":0,"resumed":1,"failed":0}}
//! ```
//!
//! `tls_handshakes` is `null` when no [`TlsFront`] was included
//! ([`crate::LoopbackServer::include_tls_front`]). The endpoint is the kit's, not Zoho's: it
//! needs no token, it is answered only to this host's `127.0.0.1`/`::1` (anyone else gets Zoho's answer
//! for an unknown URL), and it passes by the conditions (no latency, no slot, no credit) and
//! the queued faults. Its own requests are not recorded nor counted in `requests`, but its
//! connection is counted in `connections` (and, through a front, its handshake), like any
//! other: read it before and after a run over one kept-alive connection and subtract.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::ConnectInfo;
use axum::http::{Method, request};
use serde::Serialize;

use crate::TlsFront;
use crate::tls_front::{HandshakeCounter, Handshakes};

/// The path of the stats endpoint.
pub const STATS_PATH: &str = "/testkit/stats";

/// What a server counted since it started. Serialised with these field names (the stats
/// endpoint's JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// HTTP requests that reached the server, rejected and refused ones included (as
    /// [`crate::LoopbackServer::request_count`]); requests to the stats endpoint are not.
    pub requests: u64,
    /// Of those, the ones made over HTTP/1.x.
    pub http1_requests: u64,
    /// Of those, the ones made over HTTP/2.
    pub http2_requests: u64,
    /// TCP connections the server accepted ([`crate::LoopbackServer::connection_count`]).
    /// Behind a [`TlsFront`], each TLS connection makes one.
    pub connections: u64,
    /// The most calls in flight at once ([`crate::LoopbackServer::peak_in_flight`]).
    pub peak_in_flight: u64,
    /// Calls the conditions refused ([`crate::LoopbackServer::refused_count`]).
    pub refused: u64,
    /// Credits spent ([`crate::LoopbackServer::credits_spent`]).
    pub credits_spent: u64,
    /// Attachments stored now ([`crate::LoopbackServer::attachment_count`]).
    pub attachments: u64,
    /// The handshakes of the included [`TlsFront`]s, summed; `None` if there is none.
    pub tls_handshakes: Option<Handshakes>,
}

/// What a server needs to answer the stats endpoint: whether it is on, and the fronts whose
/// handshakes it reports.
#[derive(Debug, Default)]
pub(crate) struct StatsSources {
    served: AtomicBool,
    fronts: Mutex<Vec<Arc<HandshakeCounter>>>,
}

impl StatsSources {
    /// Turns the endpoint on.
    pub(crate) fn serve(&self) {
        self.served.store(true, Ordering::Relaxed);
    }

    /// Reports `front`'s handshakes too.
    pub(crate) fn include(&self, front: &TlsFront) {
        self.fronts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(front.counter());
    }

    /// The included fronts' handshakes, summed; `None` without any.
    pub(crate) fn handshakes(&self) -> Option<Handshakes> {
        let fronts = self.fronts.lock().unwrap_or_else(PoisonError::into_inner);
        fronts
            .iter()
            .map(|front| front.snapshot())
            .reduce(|a, b| Handshakes {
                http1: a.http1 + b.http1,
                http2: a.http2 + b.http2,
                other: a.other + b.other,
                resumed: a.resumed + b.resumed,
                failed: a.failed + b.failed,
            })
    }

    /// Whether `parts` is a request for the stats endpoint that is to be answered: the
    /// endpoint is on, it is a `GET` of [`STATS_PATH`], from this host (`127.0.0.1` or `::1`,
    /// where the kit's servers listen; any other loopback address, such as the `127.0.0.2`
    /// tests use for another host, is refused).
    pub(crate) fn is_for_stats(&self, parts: &request::Parts) -> bool {
        self.served.load(Ordering::Relaxed)
            && parts.method == Method::GET
            && parts.uri.path() == STATS_PATH
            && parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .is_some_and(|ConnectInfo(peer)| is_this_host(peer.ip()))
    }
}

/// Whether `ip` is this host's own loopback address, `127.0.0.1` or `::1` (an IPv4-mapped
/// `::ffff:127.0.0.1` too).
fn is_this_host(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4 == Ipv4Addr::LOCALHOST,
        IpAddr::V6(v6) => v6 == Ipv6Addr::LOCALHOST,
    }
}
