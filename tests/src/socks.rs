//! [`Socks5Proxy`]: a SOCKS5 proxy on loopback (no authentication, CONNECT only) that records
//! where each connection asked to go, to show that a client really sends its calls through a
//! SOCKS proxy.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A running SOCKS5 proxy. Dropping it stops it.
#[derive(Debug)]
pub struct Socks5Proxy {
    addr: SocketAddr,
    targets: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Socks5Proxy {
    /// Starts a proxy on `127.0.0.1`.
    pub async fn start() -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let targets = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&targets);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let _ = serve(stream, &seen).await;
                });
            }
        });
        Ok(Socks5Proxy {
            addr,
            targets,
            task,
        })
    }

    /// Its URL, `socks5://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("socks5://{}", self.addr)
    }

    /// Where each connection asked to go (`host:port`), in order.
    pub fn targets(&self) -> Vec<String> {
        self.targets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Socks5Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One connection: the greeting (no authentication), a CONNECT request, then bytes both ways.
async fn serve(mut client: TcpStream, seen: &Mutex<Vec<String>>) -> io::Result<()> {
    let refuse = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let [version, methods] = read_array(&mut client).await?;
    if version != 5 {
        return Err(refuse("not SOCKS5"));
    }
    let mut offered = vec![0u8; usize::from(methods)];
    client.read_exact(&mut offered).await?;
    if !offered.contains(&0) {
        client.write_all(&[5, 0xff]).await?;
        return Err(refuse("no acceptable authentication method"));
    }
    client.write_all(&[5, 0]).await?;
    let [_, command, _, address_type] = read_array(&mut client).await?;
    let host = match address_type {
        1 => Ipv4Addr::from(read_array::<4>(&mut client).await?).to_string(),
        4 => Ipv6Addr::from(read_array::<16>(&mut client).await?).to_string(),
        3 => {
            let [length] = read_array(&mut client).await?;
            let mut name = vec![0u8; usize::from(length)];
            client.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => return Err(refuse("unknown address type")),
    };
    let port = u16::from_be_bytes(read_array(&mut client).await?);
    if command != 1 {
        client.write_all(&[5, 7, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
        return Err(refuse("only CONNECT is supported"));
    }
    let target = format!("{host}:{port}");
    seen.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(target.clone());
    let mut upstream = match TcpStream::connect(&target).await {
        Ok(upstream) => upstream,
        Err(e) => {
            client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
            return Err(e);
        }
    };
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

async fn read_array<const N: usize>(stream: &mut TcpStream) -> io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    stream.read_exact(&mut bytes).await?;
    Ok(bytes)
}
