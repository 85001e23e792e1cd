//! `zoho-crm auth exchange` and `auth status` against the test kit's accounts server: the
//! token file (0600, in a 0700 directory), status without secrets, and the failure paths.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{RECORD, command, run, tempdir, text};
use zoho_crm_testkit::{AccountsConfig, AccountsServer, Server, ServerConfig, TokenRegistry};

struct Servers {
    api: Server,
    accounts: AccountsServer,
}

async fn servers() -> Servers {
    let tokens = TokenRegistry::new();
    let api = match Server::start_with_tokens(ServerConfig::default(), tokens.clone()).await {
        Ok(api) => api,
        Err(e) => panic!("{e}"),
    };
    let accounts = match AccountsServer::start(tokens, AccountsConfig::default()).await {
        Ok(accounts) => accounts,
        Err(e) => panic!("{e}"),
    };
    Servers { api, accounts }
}

/// The binary with the servers' URLs and the client's credentials in the environment.
fn with_client(servers: &Servers, home: &Path, args: &[&str]) -> Command {
    let config = servers.accounts.config();
    let mut command = command(home, args);
    command
        .env("ZOHO_ACCOUNTS_URL", servers.accounts.base_url())
        .env("ZOHO_API_BASE", servers.api.base_url())
        .env("ZOHO_CLIENT_ID", &config.client_id)
        .env("ZOHO_CLIENT_SECRET", &config.client_secret);
    command
}

#[cfg(unix)]
fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

#[tokio::test]
async fn exchange_writes_a_private_token_file_that_status_and_calls_use() {
    let servers = servers().await;
    let home = tempdir();
    let config = servers.accounts.config().clone();
    let code = servers.accounts.issue_grant_code();
    let args = [
        "--json",
        "auth",
        "exchange",
        "--code",
        &code,
        "--redirect-uri",
        &config.redirect_uri,
    ];
    let exchanged = run(with_client(&servers, home.path(), &args)).await;
    exchanged.expect(0);
    let file = home.path().join(".config/zoho-crm/tokens.json");
    let line = &exchanged.json()[0];
    assert_eq!(line["ok"], true);
    assert_eq!(text(line, "token_file"), file.to_string_lossy());
    assert_eq!(line["refresh_token_saved"], true);
    assert!(!text(line, "expires_at").is_empty());
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), Some(0o600));
        assert_eq!(mode(&home.path().join(".config/zoho-crm")), Some(0o700));
        assert_eq!(mode(&home.path().join(".config")), Some(0o700));
    }
    let stored: serde_json::Value = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    assert_eq!(text(&stored, "refresh_token"), config.refresh_token);
    let access_token = text(&stored, "access_token").to_owned();
    assert!(!access_token.is_empty());

    let status = run(with_client(
        &servers,
        home.path(),
        &["--json", "auth", "status"],
    ))
    .await;
    status.expect(0);
    let report = &status.json()[0];
    assert_eq!(report["token"]["ok"], true);
    assert_eq!(report["token_file"]["exists"], true);
    assert_eq!(report["token_file"]["has_refresh_token"], true);
    assert_eq!(report["token_file"]["access_token_expired"], false);
    assert_eq!(report["token_file"]["mode"], "0600");
    assert_eq!(report["token_file"]["from"], "default");
    assert_eq!(text(report, "client_id"), config.client_id);
    assert_eq!(report["client_secret"], "ZOHO_CLIENT_SECRET");
    assert!(text(report, "credentials").contains("kept in"), "{report}");
    assert_eq!(text(report, "accounts_url"), servers.accounts.base_url());
    // The stored token was fresh: no refresh.
    assert_eq!(servers.accounts.refresh_count(), 0);

    // The same, as text: no secret in either.
    let human = run(with_client(&servers, home.path(), &["auth", "status"])).await;
    human.expect(0);
    assert!(
        human.stdout.contains("token:") && human.stdout.contains("ok"),
        "{human:#?}"
    );
    for secret in [&config.client_secret, &config.refresh_token, &access_token] {
        for output in [
            &exchanged.stdout,
            &exchanged.stderr,
            &status.stdout,
            &human.stdout,
        ] {
            assert!(
                !output.contains(secret.as_str()),
                "a secret was printed: {output}"
            );
        }
    }

    // Calls use the stored tokens.
    let listed = run(with_client(
        &servers,
        home.path(),
        &["list", "--module", "Leads", "--record", RECORD],
    ))
    .await;
    listed.expect(0);

    // A grant code works once.
    let again = run(with_client(&servers, home.path(), &args)).await;
    again.expect(1);
    assert_eq!(text(&again.json()[0], "code"), "invalid_code");
    assert!(again.stderr.contains("single use"), "{again:#?}");
}

#[tokio::test]
async fn status_refreshes_an_expired_token_and_reports_a_refused_client() {
    let servers = servers().await;
    let home = tempdir();
    let token_file = home.path().join("elsewhere/tokens.json");
    let token_file_arg = token_file.to_string_lossy().into_owned();
    servers.accounts.set_token_lifetime(Duration::from_secs(5));
    let code = servers.accounts.issue_grant_code();
    let redirect = servers.accounts.config().redirect_uri.clone();
    let exchange = [
        "--token-file",
        &token_file_arg,
        "auth",
        "exchange",
        "--code",
        &code,
        "--redirect-uri",
        &redirect,
    ];
    let exchanged = run(with_client(&servers, home.path(), &exchange)).await;
    exchanged.expect(0);
    assert!(
        exchanged.stdout.contains("saved a refresh token"),
        "{exchanged:#?}"
    );
    assert!(token_file.is_file());

    // A wrong secret cannot refresh the (nearly expired) token.
    let mut wrong = with_client(
        &servers,
        home.path(),
        &["--token-file", &token_file_arg, "auth", "status"],
    );
    wrong.env("ZOHO_CLIENT_SECRET", "not-the-secret");
    let refused = run(wrong).await;
    refused.expect(1);
    assert!(refused.stdout.contains("invalid_client"), "{refused:#?}");
    assert!(!refused.stdout.contains("not-the-secret"), "{refused:#?}");

    let mut right = with_client(&servers, home.path(), &["--json", "auth", "status"]);
    right.env("ZOHO_TOKEN_FILE", &token_file);
    let refreshed = run(right).await;
    refreshed.expect(0);
    assert_eq!(refreshed.json()[0]["token_file"]["from"], "ZOHO_TOKEN_FILE");
    assert_eq!(servers.accounts.refresh_count(), 1);
}

#[tokio::test]
async fn exchange_needs_the_client_and_status_needs_credentials() {
    let servers = servers().await;
    let home = tempdir();
    let code = servers.accounts.issue_grant_code();
    let base = servers.accounts.base_url();
    let no_client = ["--accounts-url", &base, "auth", "exchange", "--code", &code];
    let run_no_client = run(command(home.path(), &no_client)).await;
    run_no_client.expect(2);
    assert!(
        run_no_client.stderr.contains("ZOHO_CLIENT_ID"),
        "{run_no_client:#?}"
    );
    assert!(servers.accounts.requests().is_empty());

    let nothing = run(command(home.path(), &["--json", "auth", "status"])).await;
    nothing.expect(2);
    let report = &nothing.json()[0];
    assert_eq!(report["ok"], false);
    assert_eq!(report["credentials"], "none");
    assert_eq!(report["token_file"]["exists"], false);
    assert_eq!(report["data_center"], "us");

    let token_only = run(command(
        home.path(),
        &["--token", "abc", "--dc", "eu", "auth", "status"],
    ))
    .await;
    token_only.expect(0);
    assert!(token_only.stdout.contains("--token"), "{token_only:#?}");
    assert!(
        token_only.stdout.contains("https://www.zohoapis.eu"),
        "{token_only:#?}"
    );
    assert!(!token_only.stdout.contains("abc"), "{token_only:#?}");
}
