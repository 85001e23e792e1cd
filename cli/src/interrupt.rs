//! SIGINT and SIGTERM: caught once the command starts, so a command can stop cleanly (a
//! download removes its temporary file, `upload-many` journals what finished and prints its
//! summary) and the process exits 130 or 143. A second signal stops at once.

use tokio::sync::watch;

/// The signal that stopped a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C): exit code 130.
    Interrupt,
    /// SIGTERM: exit code 143.
    Terminate,
}

impl Signal {
    /// The signal's name, e.g. `SIGINT`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// What the signals received so far say: how many, and the first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Received {
    count: u32,
    first: Option<Signal>,
}

/// A handle on the signals the process receives; cheap to clone.
#[derive(Clone, Debug)]
pub struct Interrupt {
    received: watch::Receiver<Received>,
}

impl Interrupt {
    /// Starts catching SIGINT and SIGTERM (Ctrl-C alone where there are no Unix signals).
    /// Must be called inside the runtime. When the handlers cannot be installed, the signals
    /// keep their default effect and the returned error says why.
    pub fn catch() -> (Interrupt, Option<std::io::Error>) {
        let (sender, received) = watch::channel(Received::default());
        let interrupt = Interrupt { received };
        match listen(sender) {
            Ok(()) => (interrupt, None),
            Err(e) => (interrupt, Some(e)),
        }
    }

    /// The first signal received, if any.
    pub fn received(&self) -> Option<Signal> {
        self.received.borrow().first
    }

    /// Waits for the first signal (at once if one came already).
    pub async fn first(&self) -> Signal {
        self.nth(1).await
    }

    /// Waits for a second signal: the user insists.
    pub async fn second(&self) -> Signal {
        self.nth(2).await
    }

    async fn nth(&self, n: u32) -> Signal {
        let mut received = self.received.clone();
        let first = received
            .wait_for(|r| r.count >= n)
            .await
            .map(|r| r.first.unwrap_or(Signal::Interrupt));
        match first {
            Ok(signal) => signal,
            // The listener is gone, so no signal will come: wait forever.
            Err(_) => std::future::pending().await,
        }
    }
}

#[cfg(unix)]
fn listen(sender: watch::Sender<Received>) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        loop {
            let signal = tokio::select! {
                Some(()) = interrupt.recv() => Signal::Interrupt,
                Some(()) = terminate.recv() => Signal::Terminate,
                else => break,
            };
            sender.send_modify(|r| {
                r.count = r.count.saturating_add(1);
                r.first.get_or_insert(signal);
            });
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn listen(sender: watch::Sender<Received>) -> std::io::Result<()> {
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            sender.send_modify(|r| {
                r.count = r.count.saturating_add(1);
                r.first.get_or_insert(Signal::Interrupt);
            });
        }
    });
    Ok(())
}
