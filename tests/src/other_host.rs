//! [`OtherHost`]: a TCP listener on `127.0.0.2`, which tests treat as "another host": where a
//! hostile redirect points, or a proxy that must not be used. It records every byte each
//! connection sends and answers each connection with one HTTP response, by default a Zoho-like
//! upload success (so a client that wrongly followed a redirect there would believe its upload
//! stored), then closes it.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The address that stands for another host.
pub const OTHER_HOST_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// The most bytes recorded per connection (1 MiB); the rest is not read.
pub const MAX_RECORDED_BYTES: usize = 1024 * 1024;

/// How long a connection may stay silent before its request counts as complete.
const IDLE: Duration = Duration::from_millis(300);

/// The default answer: HTTP 200 with an upload success for the id `1`.
pub const UPLOAD_SUCCESS: &str = r#"{"data":[{"code":"SUCCESS","details":{"id":"1"},"message":"attachment uploaded successfully","status":"success"}]}"#;

/// A running "other host". Dropping it stops it.
#[derive(Debug)]
pub struct OtherHost {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    task: JoinHandle<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl OtherHost {
    /// Starts one on `127.0.0.2` with a free port, answering [`UPLOAD_SUCCESS`].
    pub async fn start() -> io::Result<Self> {
        Self::start_answering(200, UPLOAD_SUCCESS).await
    }

    /// Starts one answering every connection with `status` and the JSON `body`.
    pub async fn start_answering(status: u16, body: &str) -> io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::new(IpAddr::V4(OTHER_HOST_IP), 0)).await?;
        Self::serve_on(listener, status, body)
    }

    /// Serves [`UPLOAD_SUCCESS`] on a listener bound beforehand (say, on `127.0.0.2` before a
    /// test puts its address in an environment variable and starts a runtime). Must be called
    /// inside a Tokio runtime.
    pub fn with_listener(listener: std::net::TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Self::serve_on(TcpListener::from_std(listener)?, 200, UPLOAD_SUCCESS)
    }

    fn serve_on(listener: TcpListener, status: u16, body: &str) -> io::Result<Self> {
        let addr = listener.local_addr()?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = format!(
            "HTTP/1.1 {status} Other Host\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
        let log = Arc::clone(&received);
        let task = tokio::spawn(async move {
            // Runs until the handle is dropped.
            while let Ok((stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                let answer = answer.clone();
                tokio::spawn(async move {
                    let bytes = serve(stream, &answer).await;
                    lock(&log).push(bytes);
                });
            }
        });
        Ok(Self {
            addr,
            received,
            task,
        })
    }

    /// `http://127.0.0.2:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections it has served (a connection counts once its answer went out).
    pub fn connection_count(&self) -> usize {
        lock(&self.received).len()
    }

    /// Everything received, all connections in order, as text (invalid UTF-8 replaced).
    pub fn received_text(&self) -> String {
        lock(&self.received)
            .iter()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .collect()
    }
}

impl Drop for OtherHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads a connection until it is silent for [`IDLE`], ends, or has sent
/// [`MAX_RECORDED_BYTES`]; answers it; returns what it sent.
async fn serve(mut stream: TcpStream, answer: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    while bytes.len() < MAX_RECORDED_BYTES {
        match tokio::time::timeout(IDLE, stream.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => bytes.extend_from_slice(&buffer[..n]),
            _ => break,
        }
    }
    let _ = stream.write_all(answer).await;
    let _ = stream.shutdown().await;
    bytes
}
