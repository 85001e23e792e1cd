//! `loopback-server`: runs the loopback Zoho CRM attachment server as a process.
//!
//! Usage: `loopback-server [--port N] [--token T] [--with-accounts]` (defaults: port 0,
//! i.e. any free port, and the library's default token). Prints
//! `listening on http://127.0.0.1:PORT` on one line to stdout, then serves every attachment
//! operation (upload, list, download, delete) until Ctrl-C or SIGTERM, which end the
//! process after removing the stored files.
//!
//! With `--with-accounts` it also starts a loopback Zoho accounts server (the OAuth token
//! endpoint, `POST /oauth/v2/token`) on another free port, sharing the API server's tokens:
//! the API server accepts the `--token` value and every access token the accounts server
//! issues. A second line gives its URL and (test-only) credentials:
//! `accounts on http://127.0.0.1:PORT client_id=... client_secret=... refresh_token=...`.
//! Its responses' `api_domain` is the API server's URL.
//!
//! Meant for benchmarks against curl: uploaded files are hashed, counted and written to a
//! temporary directory (under `TMPDIR`, so point that at a real disk if `/tmp` is a small
//! tmpfs) so they can be downloaded again, but not kept in memory; nothing is logged per
//! request or per chunk. Stored files stay until deleted with the API or the process ends
//! on Ctrl-C or SIGTERM (SIGKILL leaves the directory, `zoho-loopback-*`, behind).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use zoho_crm_testkit::{
    AccountsConfig, AccountsServer, DEFAULT_TOKEN, LoopbackServer, ServerConfig, TokenRegistry,
};

const USAGE: &str = "usage: loopback-server [--port N] [--token T] [--with-accounts]";

/// Parsed command-line options.
struct Options {
    port: u16,
    token: String,
    with_accounts: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        token: DEFAULT_TOKEN.to_owned(),
        with_accounts: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                options.port = value
                    .parse()
                    .map_err(|_| format!("invalid port `{value}`"))?;
            }
            "--token" => {
                options.token = args.next().ok_or("--token needs a value")?;
            }
            "--with-accounts" => options.with_accounts = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let config = ServerConfig {
        token: options.token,
        bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), options.port),
        ..ServerConfig::default()
    };
    let tokens = TokenRegistry::new();
    tokens.add_static(&config.token);
    let server = match LoopbackServer::start_with_tokens(config, tokens.clone()).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!(
                "loopback-server: cannot bind 127.0.0.1:{}: {error}",
                options.port
            );
            return ExitCode::FAILURE;
        }
    };
    server.set_keep_bytes_limit(0);
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "listening on {}", server.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    let accounts = if options.with_accounts {
        let config = AccountsConfig {
            api_domain: Some(server.base_url()),
            ..AccountsConfig::default()
        };
        let accounts = match AccountsServer::start(tokens, config).await {
            Ok(accounts) => accounts,
            Err(error) => {
                eprintln!("loopback-server: cannot start the accounts server: {error}");
                return ExitCode::FAILURE;
            }
        };
        let config = accounts.config();
        let mut stdout = std::io::stdout().lock();
        if writeln!(
            stdout,
            "accounts on {} client_id={} client_secret={} refresh_token={}",
            accounts.base_url(),
            config.client_id,
            config.client_secret,
            config.refresh_token
        )
        .and_then(|()| stdout.flush())
        .is_err()
        {
            return ExitCode::FAILURE;
        }
        Some(accounts)
    } else {
        None
    };
    let stopped = shutdown_signal().await;
    drop(accounts);
    // Removes the stored files.
    drop(server);
    match stopped {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("loopback-server: cannot wait for signals: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
