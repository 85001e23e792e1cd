//! [`TlsFront`]: HTTPS on loopback in front of any plain server of the kit. It terminates TLS
//! with a certificate for `127.0.0.1` and `localhost` made when it starts (self-signed, so a
//! client trusts it only when told to: `cert_pem()`), and copies each connection's bytes to
//! and from the server behind it, so every behaviour of that server works over TLS.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

/// A running TLS front. Dropping it stops it (connections in progress end with it).
#[derive(Debug)]
pub struct TlsFront {
    addr: SocketAddr,
    cert_pem: String,
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
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let _ = relay(acceptor, stream, backend).await;
                });
            }
        });
        Ok(TlsFront {
            addr,
            cert_pem,
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
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Completes the handshake, then copies bytes both ways until either side closes.
async fn relay(acceptor: TlsAcceptor, stream: TcpStream, backend: SocketAddr) -> io::Result<()> {
    let mut tls = acceptor.accept(stream).await?;
    let mut plain = TcpStream::connect(backend).await?;
    tokio::io::copy_bidirectional(&mut tls, &mut plain).await?;
    Ok(())
}
