//! Serving an axum [`Router`] with hyper, one task per accepted connection, over HTTP/1.1
//! and HTTP/2 on the same listener (hyper-util's automatic builder: a connection that opens
//! with the HTTP/2 preface, as a client with prior knowledge or one behind
//! [`crate::TlsFront`] that negotiated `h2` does, is served as HTTP/2; any other as
//! HTTP/1.1), with one thing axum's own `serve` can't do: closing a connection without any
//! response.
//!
//! A handler asks for that by returning a response carrying the [`DropConnection`]
//! extension. The hyper service wrapping the router turns such a response into a service
//! error, on which hyper stops at once, writing nothing.
//!
//! - HTTP/1.1: the connection ends. Its socket's write side is shut down before it is closed
//!   (the client reads a clean end of file, no status line).
//! - HTTP/2: hyper resets that request's stream (`RST_STREAM` with `INTERNAL_ERROR`), sending
//!   no response headers; the connection and its other streams go on. That is the closest
//!   honest equivalent: the request gets no answer, as over HTTP/1.1, without failing the
//!   other requests multiplexed on the connection.
//!
//! Each request carries the peer's address as axum's [`ConnectInfo`] extension.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

/// A response extension: close the connection instead of sending the response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DropConnection;

impl DropConnection {
    /// A response that, served through [`Running`], closes the connection unanswered.
    pub(crate) fn response() -> axum::response::Response {
        let mut response = axum::response::Response::new(Body::empty());
        response.extensions_mut().insert(DropConnection);
        response
    }
}

/// The service error that makes hyper drop the connection.
#[derive(Debug)]
struct ConnectionDropped;

impl fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for ConnectionDropped {}

/// The router as a hyper service, failing on [`DropConnection`] responses.
#[derive(Clone)]
struct DropAware {
    inner: TowerToHyperService<Router>,
    /// The connection's peer, given to each request as [`ConnectInfo`].
    peer: SocketAddr,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl hyper::service::Service<Request<Incoming>> for DropAware {
    type Response = Response<Body>;
    type Error = ConnectionDropped;
    type Future = BoxFuture<Result<Response<Body>, ConnectionDropped>>;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let future = hyper::service::Service::call(&self.inner, request);
        Box::pin(async move {
            let response: Response<Body> = match future.await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.extensions().get::<DropConnection>().is_some() {
                Err(ConnectionDropped)
            } else {
                Ok(response)
            }
        })
    }
}

/// Serves one connection, HTTP/1.1 or HTTP/2, until the client closes it, the server drops
/// it, or it fails.
async fn serve_connection(stream: TcpStream, peer: SocketAddr, router: Router) {
    let service = DropAware {
        inner: TowerToHyperService::new(router),
        peer,
    };
    // hyper does not shut the socket down after an error, and the automatic builder does not
    // give the socket back. An owned write half shuts the write side down when it is dropped
    // (unless hyper already did), so the socket is shut down, then closed, whenever the
    // connection ends (or is aborted): after an HTTP/1.1 error too, where sending FIN first
    // means the client reads a clean end of file even if unread request bytes make the kernel
    // answer the close with a reset.
    let (read, write) = stream.into_split();
    let io = TokioIo::new(tokio::io::join(read, write));
    let builder = auto::Builder::new(TokioExecutor::new());
    let _ = builder.serve_connection(io, service).await;
}

/// A server task accepting connections on a listener. Dropping it stops accepting and
/// aborts every open connection. (hyper runs each HTTP/2 request's handler in a task of its
/// own: a handler still running, a stalled one say, ends on its own, its answer going
/// nowhere.)
#[derive(Debug)]
pub(crate) struct Running {
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// Spawns the accept loop; `on_accept` runs once per accepted TCP connection.
    pub(crate) fn spawn(
        listener: TcpListener,
        router: Router,
        on_accept: impl Fn() + Send + 'static,
    ) -> Self {
        let (shutdown, mut shutdown_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    // An explicit signal or a dropped sender.
                    _ = &mut shutdown_rx => break,
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                    accepted = listener.accept() => match accepted {
                        Ok((stream, peer)) => {
                            on_accept();
                            let _ = stream.set_nodelay(true);
                            connections.spawn(serve_connection(stream, peer, router.clone()));
                        }
                        // Out of file descriptors and the like: wait a little, don't spin.
                        Err(error) => {
                            if !is_connection_error(&error) {
                                tokio::time::sleep(Duration::from_millis(50)).await;
                            }
                        }
                    },
                }
            }
            drop(listener);
            connections.shutdown().await;
        });
        Self {
            shutdown: Some(shutdown),
            task,
        }
    }
}

/// Errors about one connection only; accepting can go on at once.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // Aborting drops the listener and the connection set, which aborts the connections.
        self.task.abort();
    }
}
