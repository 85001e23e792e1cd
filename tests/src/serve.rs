//! Serving an axum [`Router`] over HTTP/1.1 with hyper, one task per accepted connection,
//! with one thing axum's own `serve` can't do: closing a connection without any response.
//!
//! A handler asks for that by returning a response carrying the [`DropConnection`]
//! extension. The hyper service wrapping the router turns such a response into a service
//! error, on which hyper stops at once, writing nothing. The connection task then shuts the
//! socket's write side down (the client reads a clean end of file, no status line) and
//! closes it.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
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
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl hyper::service::Service<Request<Incoming>> for DropAware {
    type Response = Response<Body>;
    type Error = ConnectionDropped;
    type Future = BoxFuture<Result<Response<Body>, ConnectionDropped>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
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

/// Serves one connection until the client closes it, the server drops it, or it fails.
async fn serve_connection(stream: TcpStream, router: Router) {
    let service = DropAware {
        inner: TowerToHyperService::new(router),
    };
    let mut connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    if (&mut connection).await.is_err() {
        // hyper does not shut the socket down after an error. Sending FIN first means the
        // client reads a clean end of file even if unread request bytes make the kernel
        // answer the close with a reset.
        let mut stream = connection.into_parts().io.into_inner();
        let _ = stream.shutdown().await;
    }
}

/// A server task accepting connections on a listener. Dropping it stops accepting and
/// aborts every open connection.
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
                        Ok((stream, _peer)) => {
                            on_accept();
                            let _ = stream.set_nodelay(true);
                            connections.spawn(serve_connection(stream, router.clone()));
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
