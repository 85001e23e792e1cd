//! `loopback-server`: runs the loopback Zoho CRM attachment server as a process.
//!
//! Usage: `loopback-server [--port N] [--token T] [--with-accounts] [--tls] [--latency-ms N]
//! [--max-in-flight N] [--credits N] [--file-field MODULE:FIELD[:MAX]]...` (defaults: port 0,
//! i.e. any free port, and the library's default token). Prints `listening on
//! http://127.0.0.1:PORT` on one line to stdout, then serves every attachment operation
//! (upload, list, download, delete), record photos, the file store (`/files`) and records'
//! file-upload fields until Ctrl-C or SIGTERM, which end the process after removing the
//! stored files. Each `--file-field Leads:PO` declares a file-upload field (holding at most
//! `MAX` files, default 5) that `GET`/`PUT /crm/{version}/Leads/{id}` then serve.
//!
//! Every connection is served over HTTP/1.1 or HTTP/2: plain, HTTP/2 with prior knowledge
//! (`curl --http2-prior-knowledge`); over TLS, the protocol agreed by ALPN (`h2` is offered
//! first, then `http/1.1`).
//!
//! The conditions of a real organisation: `--tls` serves HTTPS (a certificate for
//! `127.0.0.1` made at start, written to a file named on a line `certificate at PATH`, for
//! curl's `--cacert` or the CLI's `SSL_CERT_FILE`), and the first line says `https://`;
//! `--latency-ms N` makes every answer wait N ms; `--max-in-flight N` refuses a call beyond N
//! in flight at once with 429 `TOO_MANY_REQUESTS`; `--credits N` refuses every call after N
//! the same way, as Zoho does when the day's credits are spent.
//!
//! With `--with-accounts` it also starts a loopback Zoho accounts server (the OAuth token
//! endpoint, `POST /oauth/v2/token`) on another free port, sharing the API server's tokens:
//! the API server accepts the `--token` value and every access token the accounts server
//! issues. A second line gives its URL and (test-only) credentials:
//! `accounts on http://127.0.0.1:PORT client_id=... client_secret=... refresh_token=...`.
//! Its responses' `api_domain` is the API server's URL.
//!
//! Counts for benchmarks: `GET /testkit/stats` (on the URL of the first line, or the plain
//! server behind TLS; no token; from this host's 127.0.0.1 or ::1 only; never delayed,
//! refused or charged by the conditions above, nor recorded as a request) answers JSON:
//! `{"requests":N,"http1_requests":N,"http2_requests":N,"connections":N,"peak_in_flight":N,
//! "refused":N,"credits_spent":N,"attachments":N,"tls_handshakes":T}`, where `T` is `null`
//! without `--tls` and otherwise
//! `{"http1":N,"http2":N,"other":N,"resumed":N,"failed":N}`: completed TLS handshakes by
//! the protocol agreed by ALPN (`other`: none), how many of those resumed a TLS session, and
//! handshakes that failed. `requests` counts every request that reached the API (rejected
//! and refused ones included); `connections` every TCP connection the server accepted
//! (behind TLS, one per TLS connection), the stats call's own included: read the stats
//! before and after a run over one kept-alive connection and subtract. See the test kit's
//! `stats` module.
//!
//! Meant for benchmarks against curl: uploaded files are hashed, counted and written to a
//! temporary directory (under `TMPDIR`, so point that at a real disk if `/tmp` is a small
//! tmpfs) so they can be downloaded again, but not kept in memory; nothing is logged per
//! request or per chunk. Stored files stay until deleted with the API or the process ends
//! on Ctrl-C or SIGTERM (SIGKILL leaves the directory, `zoho-loopback-*`, behind).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use std::time::Duration;

use zoho_crm_testkit::{
    AccountsConfig, AccountsServer, Conditions, DEFAULT_FIELD_MAX_FILES, DEFAULT_TOKEN,
    LoopbackServer, ServerConfig, TlsFront, TokenRegistry,
};

/// HTTPS in front of `server`, with its certificate in a temporary file (removed on exit).
async fn start_tls(
    server: &LoopbackServer,
) -> std::io::Result<(TlsFront, tempfile::NamedTempFile)> {
    let front = TlsFront::start(server.local_addr()).await?;
    let mut cert = tempfile::Builder::new()
        .prefix("loopback-server-cert-")
        .suffix(".pem")
        .tempfile()?;
    cert.write_all(front.cert_pem().as_bytes())?;
    cert.flush()?;
    Ok((front, cert))
}

const USAGE: &str = "usage: loopback-server [--port N] [--token T] [--with-accounts] [--tls] [--latency-ms N] [--max-in-flight N] [--credits N] [--file-field MODULE:FIELD[:MAX]]...";

/// Parsed command-line options.
struct Options {
    port: u16,
    token: String,
    with_accounts: bool,
    tls: bool,
    conditions: Conditions,
    /// File-upload fields to declare: module, field, most files.
    file_fields: Vec<(String, String, usize)>,
}

/// Parses `MODULE:FIELD[:MAX]`.
fn file_field(value: &str) -> Result<(String, String, usize), String> {
    let invalid = || format!("invalid --file-field value `{value}`: expected MODULE:FIELD[:MAX]");
    let mut parts = value.split(':');
    let (Some(module), Some(field)) = (parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let max = match parts.next() {
        None => DEFAULT_FIELD_MAX_FILES,
        Some(max) => max.parse().map_err(|_| invalid())?,
    };
    if module.is_empty() || field.is_empty() || max == 0 || parts.next().is_some() {
        return Err(invalid());
    }
    Ok((module.to_owned(), field.to_owned(), max))
}

/// The value after `flag`, parsed.
fn value<T: std::str::FromStr>(
    flag: &str,
    args: &mut impl Iterator<Item = String>,
) -> Result<T, String> {
    let value = args.next().ok_or(format!("{flag} needs a value"))?;
    value
        .parse()
        .map_err(|_| format!("invalid {flag} value `{value}`"))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        token: DEFAULT_TOKEN.to_owned(),
        with_accounts: false,
        tls: false,
        conditions: Conditions::default(),
        file_fields: Vec::new(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => options.port = value("--port", &mut args)?,
            "--tls" => options.tls = true,
            "--latency-ms" => {
                options.conditions.latency =
                    Duration::from_millis(value("--latency-ms", &mut args)?);
            }
            "--max-in-flight" => {
                options.conditions.max_in_flight = Some(value("--max-in-flight", &mut args)?);
            }
            "--credits" => options.conditions.credits = Some(value("--credits", &mut args)?),
            "--token" => {
                options.token = args.next().ok_or("--token needs a value")?;
            }
            "--with-accounts" => options.with_accounts = true,
            "--file-field" => {
                let spec = args.next().ok_or("--file-field needs a value")?;
                options.file_fields.push(file_field(&spec)?);
            }
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
        conditions: options.conditions,
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
    for (module, field, max) in &options.file_fields {
        server.add_file_field(module, field, *max);
    }
    server.serve_stats();
    let tls = if options.tls {
        match start_tls(&server).await {
            Ok(tls) => {
                server.include_tls_front(&tls.0);
                Some(tls)
            }
            Err(error) => {
                eprintln!("loopback-server: cannot serve TLS: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let mut stdout = std::io::stdout().lock();
    let announced = match &tls {
        Some((front, cert)) => writeln!(
            stdout,
            "listening on {}\ncertificate at {}",
            front.base_url(),
            cert.path().display()
        ),
        None => writeln!(stdout, "listening on {}", server.base_url()),
    };
    if announced.and_then(|()| stdout.flush()).is_err() {
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
    drop(tls);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Options, String> {
        parse_args(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn the_conditions_come_from_their_flags() {
        let Ok(options) = parsed(&[
            "--tls",
            "--latency-ms",
            "100",
            "--max-in-flight",
            "10",
            "--credits",
            "5000",
        ]) else {
            panic!("the flags did not parse");
        };
        assert!(options.tls);
        assert_eq!(
            options.conditions,
            Conditions {
                latency: Duration::from_millis(100),
                max_in_flight: Some(10),
                credits: Some(5000),
            }
        );
        for bad in [
            &["--latency-ms"][..],
            &["--file-field", "Leads"],
            &["--file-field", "Leads:PO:x"],
            &["--file-field", "Leads:PO:0"],
            &["--file-field", ":PO"],
            &["--max-in-flight", "x"],
            &["--credits", "-1"],
        ] {
            assert!(parsed(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn file_fields_come_from_their_flags() {
        let Ok(options) = parsed(&["--file-field", "Leads:PO", "--file-field", "Deals:Scan:10"])
        else {
            panic!("the flags did not parse");
        };
        assert_eq!(
            options.file_fields,
            [
                ("Leads".to_owned(), "PO".to_owned(), 5),
                ("Deals".to_owned(), "Scan".to_owned(), 10)
            ]
        );
    }
}
