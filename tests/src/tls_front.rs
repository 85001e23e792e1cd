//! [`TlsFront`]: HTTPS on loopback in front of any plain server of the kit. It terminates TLS
//! with a certificate for `127.0.0.1` and `localhost` made when it starts (self-signed, so a
//! client trusts it only when told to: `cert_pem()`), and copies each connection's bytes to
//! and from the server behind it, so every behaviour of that server works over TLS.
//!
//! It offers HTTP/2 and HTTP/1.1 by ALPN (`h2` first, as real servers do); the plain server
//! behind it serves both, telling them apart by the HTTP/2 preface, so the bytes are copied
//! as they are. It counts its handshakes by the protocol they agreed on, and which of them
//! resumed an earlier TLS session ([`TlsFront::handshakes`]): rustls keeps the sessions of
//! the last 256 clients in memory and offers TLS 1.3 clients two tickets per connection, as
//! its defaults do, so a client that caches sessions (rustls, and with it reqwest, does)
//! resumes when it opens another connection.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, HandshakeKind, ServerConfig, ServerConnection};

/// The ALPN protocol id of HTTP/2.
const H2: &[u8] = b"h2";
/// The ALPN protocol id of HTTP/1.1.
const HTTP_1_1: &[u8] = b"http/1.1";

/// How many TLS handshakes a [`TlsFront`] saw, by the protocol the client and the front agreed
/// on by ALPN. Serialised (in the stats of [`crate::LoopbackServer::stats`]) with these
/// field names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Handshakes {
    /// Completed handshakes that agreed on HTTP/1.1 (`http/1.1`).
    pub http1: u64,
    /// Completed handshakes that agreed on HTTP/2 (`h2`).
    pub http2: u64,
    /// Completed handshakes without ALPN (the client offered no protocol the front knows;
    /// it speaks HTTP/1.1 then, or nothing).
    pub other: u64,
    /// Of the completed handshakes (`http1 + http2 + other`), those that resumed an earlier
    /// TLS session instead of a full handshake (no certificate sent, no key exchange in
    /// TLS 1.2; a pre-shared key in TLS 1.3).
    pub resumed: u64,
    /// Connections whose handshake failed or was abandoned (a client that does not trust the
    /// certificate, a connection closed before the handshake ended). Not in the others.
    pub failed: u64,
}

impl Handshakes {
    /// The completed handshakes, whatever their protocol: `http1 + http2 + other`.
    pub fn completed(&self) -> u64 {
        self.http1 + self.http2 + self.other
    }
}

/// The counters behind [`Handshakes`], shared by a front's connections (and, through
/// [`TlsFront::counter`], by the servers reporting them).
#[derive(Debug, Default)]
pub(crate) struct HandshakeCounter {
    http1: AtomicU64,
    http2: AtomicU64,
    other: AtomicU64,
    resumed: AtomicU64,
    failed: AtomicU64,
}

impl HandshakeCounter {
    /// Counts a completed handshake.
    fn completed(&self, connection: &ServerConnection) {
        let by_protocol = match connection.alpn_protocol() {
            Some(H2) => &self.http2,
            Some(HTTP_1_1) => &self.http1,
            _ => &self.other,
        };
        by_protocol.fetch_add(1, Ordering::Relaxed);
        if connection.handshake_kind() == Some(HandshakeKind::Resumed) {
            self.resumed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts now.
    pub(crate) fn snapshot(&self) -> Handshakes {
        Handshakes {
            http1: self.http1.load(Ordering::Relaxed),
            http2: self.http2.load(Ordering::Relaxed),
            other: self.other.load(Ordering::Relaxed),
            resumed: self.resumed.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

/// A running TLS front. Dropping it stops it (connections in progress end with it).
#[derive(Debug)]
pub struct TlsFront {
    addr: SocketAddr,
    cert_pem: String,
    handshakes: Arc<HandshakeCounter>,
    task: JoinHandle<()>,
}

impl TlsFront {
    /// Starts a front on `127.0.0.1` for the plain server at `backend`.
    pub async fn start(backend: SocketAddr) -> io::Result<Self> {
        let certified = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
        ])
        .map_err(io::Error::other)?;
        let cert_pem = certified.cert.pem();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .map_err(io::Error::other)?;
        config.alpn_protocols = vec![H2.to_vec(), HTTP_1_1.to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let handshakes = Arc::new(HandshakeCounter::default());
        let counter = Arc::clone(&handshakes);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let _ = relay(acceptor, stream, backend, &counter).await;
                });
            }
        });
        Ok(TlsFront {
            addr,
            cert_pem,
            handshakes,
            task,
        })
    }

    /// Its base URL, `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Its certificate, PEM-encoded: what a client must trust to talk to it.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// How many TLS handshakes it has seen so far, by negotiated protocol. A handshake is
    /// counted when it completes (or fails), before any request on the connection is relayed.
    /// Each completed handshake opens one connection to the server behind.
    pub fn handshakes(&self) -> Handshakes {
        self.handshakes.snapshot()
    }

    /// The live counters, for a server to report ([`crate::LoopbackServer::include_tls_front`]).
    pub(crate) fn counter(&self) -> Arc<HandshakeCounter> {
        Arc::clone(&self.handshakes)
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Completes and counts the handshake, then copies bytes both ways until either side closes.
async fn relay(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    backend: SocketAddr,
    counter: &HandshakeCounter,
) -> io::Result<()> {
    let mut tls = match acceptor.accept(stream).await {
        Ok(tls) => tls,
        Err(error) => {
            counter.failed.fetch_add(1, Ordering::Relaxed);
            return Err(error);
        }
    };
    counter.completed(tls.get_ref().1);
    let mut plain = TcpStream::connect(backend).await?;
    tokio::io::copy_bidirectional(&mut tls, &mut plain).await?;
    Ok(())
}
