//! `auth exchange` (a grant code into the token file) and `auth status` (what is configured,
//! without ever printing a secret, then whether an access token can be had).

use std::path::Path;
use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;
use zoho_crm::EnvSettings;
use zoho_crm::{Client, DataCenter, Environment};
use zoho_crm::{FileTokenStore, TokenStore as _};

use crate::args::{AuthCommand, ExchangeArgs, Global};
use crate::connect::{self, Env, Origin};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::{Output, table};

/// Runs an `auth` subcommand.
pub async fn run(global: &Global, env: &Env, output: &Output, command: AuthCommand) -> Exit {
    match command {
        AuthCommand::Exchange(args) => exchange(global, env, output, &args).await,
        AuthCommand::Status => status(global, env, output).await,
    }
}

fn rfc3339(time: SystemTime) -> String {
    DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn exchange(global: &Global, env: &Env, output: &Output, args: &ExchangeArgs) -> Exit {
    let fail = |failure: Failure| {
        output.fail("the grant code was not exchanged", &failure);
        failure.exit()
    };
    let Some((path, _)) = connect::token_file(global, env) else {
        return fail(Failure::invalid(
            "there is no token file to save to: HOME is not set; pass --token-file or set ZOHO_TOKEN_FILE",
        ));
    };
    let client_id = global
        .client_id
        .clone()
        .or_else(|| env.zoho.client_id.clone());
    let client_secret = global
        .client_secret
        .clone()
        .map(SecretString::from)
        .or_else(|| env.zoho.client_secret.clone());
    let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
        return fail(Failure::invalid(
            "the exchange needs the OAuth client's id and secret: set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET (or pass --client-id and --client-secret)",
        ));
    };
    if let Err(failure) = private_dir(&path, output) {
        return fail(failure);
    }
    let endpoints_only = EnvSettings {
        data_center: env.zoho.data_center.clone(),
        environment: env.zoho.environment.clone(),
        api_base: env.zoho.api_base.clone(),
        accounts_url: env.zoho.accounts_url.clone(),
        ..EnvSettings::default()
    };
    let builder = connect::endpoints(Client::builder().env_settings(endpoints_only), global)
        .stored_refresh_token(client_id, client_secret.expose_secret())
        .token_file(&path);
    match builder
        .exchange_code(&args.code, args.redirect_uri.as_deref())
        .await
    {
        Ok(token) => {
            let expires_at = rfc3339(token.expires_at);
            output.text(format!(
                "saved a refresh token and an access token (valid until {expires_at}) to {}",
                path.display()
            ));
            #[derive(Serialize)]
            struct Line<'a> {
                ok: bool,
                token_file: String,
                expires_at: &'a str,
                refresh_token_saved: bool,
                #[serde(skip_serializing_if = "Option::is_none")]
                api_domain: Option<&'a str>,
            }
            output.json_line(&Line {
                ok: true,
                token_file: path.display().to_string(),
                expires_at: &expires_at,
                refresh_token_saved: token.refresh_token.is_some(),
                api_domain: token.api_domain.as_deref(),
            });
            Exit::Success
        }
        Err(error) => fail(Failure::exchange(&error)),
    }
}

/// Creates the token file's directory readable by its owner only (0700); warns when an
/// existing one is open to others.
fn private_dir(path: &Path, output: &Output) -> Result<(), Failure> {
    let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            if let Ok(metadata) = std::fs::metadata(dir)
                && metadata.permissions().mode() & 0o077 != 0
            {
                output.warn(format!(
                    "{} can be read by other users; the token file itself is private (0600)",
                    dir.display()
                ));
            }
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Failure::io(format!("cannot create {}: {e}", dir.display())))
}

/// What `auth status` found.
#[derive(Serialize)]
struct Status {
    ok: bool,
    /// The profile in use.
    profile: Option<String>,
    credentials: String,
    access_token: Option<&'static str>,
    refresh_token: Option<&'static str>,
    client_id: Option<String>,
    client_secret: Option<&'static str>,
    data_center: String,
    environment: String,
    api_base: String,
    accounts_url: String,
    api_version: String,
    token_file: Option<TokenFile>,
    token: Check,
}

/// The token file's state.
#[derive(Serialize)]
struct TokenFile {
    path: String,
    from: &'static str,
    exists: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    has_refresh_token: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token_expired: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Whether an access token could be had.
#[derive(Serialize)]
struct Check {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_domain: Option<String>,
    #[serde(flatten)]
    failure: Option<Failure>,
}

fn origin_name(origin: Origin, option: &'static str, variable: &'static str) -> &'static str {
    match origin {
        Origin::Option => option,
        Origin::Variable => variable,
        Origin::Profile => "profile",
        Origin::Default => "default",
    }
}

fn pick(
    option: Option<String>,
    variable: Option<String>,
    profile: Option<String>,
    default: impl FnOnce() -> String,
) -> (String, Origin) {
    match (option, variable, profile) {
        (Some(value), _, _) => (value, Origin::Option),
        (None, Some(value), _) => (value, Origin::Variable),
        (None, None, Some(value)) => (value, Origin::Profile),
        (None, None, None) => (default(), Origin::Default),
    }
}

async fn token_file_status(path: &Path, origin: Origin) -> TokenFile {
    let mut status = TokenFile {
        path: path.display().to_string(),
        from: origin_name(origin, "--token-file", "ZOHO_TOKEN_FILE"),
        exists: path.exists(),
        mode: None,
        has_refresh_token: None,
        access_token_expires_at: None,
        access_token_expired: None,
        api_domain: None,
        error: None,
    };
    if !status.exists {
        return status;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        status.mode = std::fs::metadata(path)
            .ok()
            .map(|m| format!("{:04o}", m.permissions().mode() & 0o7777));
    }
    match FileTokenStore::new(path).load().await {
        Ok(Some(token)) => {
            status.has_refresh_token = Some(token.refresh_token.is_some());
            status.access_token_expires_at = Some(rfc3339(token.expires_at));
            status.access_token_expired = Some(token.expires_at <= SystemTime::now());
            status.api_domain = token.api_domain;
        }
        Ok(None) => status.error = Some("empty".to_owned()),
        Err(e) => status.error = Some(e.to_string()),
    }
    status
}

/// Describes the credentials the client will use, as `connect::settings` resolves them.
fn credentials(global: &Global, settings: &EnvSettings) -> String {
    if global.token.is_some() {
        return "a fixed access token from --token (it cannot be refreshed)".to_owned();
    }
    match (
        &settings.client_id,
        &settings.client_secret,
        &settings.refresh_token,
        &settings.token_file,
        &settings.access_token,
    ) {
        (Some(id), Some(_), Some(_), _, _) => {
            format!("a refresh token from ZOHO_REFRESH_TOKEN, with client {id}")
        }
        (Some(id), Some(_), None, Some(file), _) => format!(
            "the refresh token kept in {}, with client {id}",
            file.display()
        ),
        (_, _, _, _, Some(_)) => {
            "a fixed access token from ZOHO_ACCESS_TOKEN (it cannot be refreshed)".to_owned()
        }
        (None, None, None, _, None) => "none".to_owned(),
        _ => "incomplete (see the token check below)".to_owned(),
    }
}

async fn status(global: &Global, env: &Env, output: &Output) -> Exit {
    let settings = connect::settings(global, env);
    let profile = env.profile.as_ref().map(|p| &p.profile);
    let (dc, dc_origin) = pick(
        global.dc.map(|dc| dc.as_str().to_owned()),
        env.zoho.data_center.clone(),
        profile.and_then(|p| p.dc).map(|dc| dc.as_str().to_owned()),
        || DataCenter::default().as_str().to_owned(),
    );
    let (environment, env_origin) = pick(
        global.environment.map(|e| e.as_str().to_owned()),
        env.zoho.environment.clone(),
        profile
            .and_then(|p| p.environment)
            .map(|e| e.as_str().to_owned()),
        || Environment::default().as_str().to_owned(),
    );
    let defaults = match (dc.parse::<DataCenter>(), environment.parse::<Environment>()) {
        (Ok(dc), Ok(environment)) => Some(dc.endpoints(environment)),
        _ => None,
    };
    let (api_base, api_origin) = pick(
        global.api_base.clone(),
        env.zoho.api_base.clone(),
        None,
        || {
            defaults
                .as_ref()
                .map(|d| d.api_base_url.clone())
                .unwrap_or_default()
        },
    );
    let (accounts_url, accounts_origin) = pick(
        global.accounts_url.clone(),
        env.zoho.accounts_url.clone(),
        None,
        || {
            defaults
                .as_ref()
                .map(|d| d.accounts_url.clone())
                .unwrap_or_default()
        },
    );
    let token_file = match connect::token_file(global, env) {
        Some((path, origin)) => Some(token_file_status(&path, origin).await),
        None => None,
    };
    let client = connect::client_for_tokens(global, env);
    let api_version = match &client {
        Ok(client) => client.api_version().to_string(),
        Err(_) => global
            .api_version
            .or(profile.and_then(|p| p.api_version))
            .unwrap_or_default()
            .to_string(),
    };
    let (token, exit) = match &client {
        Err(failure) => (
            Check {
                ok: false,
                api_domain: None,
                failure: Some(failure.clone()),
            },
            failure.exit(),
        ),
        Ok(client) => match client.token_provider().token().await {
            Ok(grant) => (
                Check {
                    ok: true,
                    api_domain: grant.api_domain,
                    failure: None,
                },
                Exit::Success,
            ),
            Err(error) => {
                let failure = Failure::auth(&error);
                let exit = failure.exit();
                (
                    Check {
                        ok: false,
                        api_domain: None,
                        failure: Some(failure),
                    },
                    exit,
                )
            }
        },
    };
    let dc_name = dc
        .parse::<DataCenter>()
        .map(|d| d.def().name)
        .unwrap_or("unknown data centre");
    let status = Status {
        ok: token.ok,
        profile: env.profile.as_ref().map(|p| p.name.clone()),
        credentials: credentials(global, &settings),
        access_token: if global.token.is_some() {
            Some("--token")
        } else {
            env.zoho.access_token.as_ref().map(|_| "ZOHO_ACCESS_TOKEN")
        },
        refresh_token: match (&env.zoho.refresh_token, &token_file) {
            (Some(_), _) => Some("ZOHO_REFRESH_TOKEN"),
            (None, Some(file)) if file.has_refresh_token == Some(true) => Some("token file"),
            _ => None,
        },
        client_id: settings.client_id.clone(),
        client_secret: if global.client_secret.is_some() {
            Some("--client-secret")
        } else {
            env.zoho
                .client_secret
                .as_ref()
                .map(|_| "ZOHO_CLIENT_SECRET")
        },
        data_center: dc.clone(),
        environment: environment.clone(),
        api_base: api_base.clone(),
        accounts_url: accounts_url.clone(),
        api_version,
        token_file,
        token,
    };
    if output.json {
        output.json_line(&status);
    } else {
        print_status(
            output,
            &status,
            [
                format!(
                    "{dc} ({dc_name}, {})",
                    origin_name(dc_origin, "--dc", "ZOHO_DC")
                ),
                format!(
                    "{environment} ({})",
                    origin_name(env_origin, "--environment", "ZOHO_ENVIRONMENT")
                ),
                format!(
                    "{api_base} ({})",
                    origin_name(api_origin, "--api-base", "ZOHO_API_BASE")
                ),
                format!(
                    "{accounts_url} ({})",
                    origin_name(accounts_origin, "--accounts-url", "ZOHO_ACCOUNTS_URL")
                ),
            ],
        );
    }
    exit
}

fn print_status(
    output: &Output,
    status: &Status,
    [dc, environment, api_base, accounts]: [String; 4],
) {
    let set = |origin: Option<&'static str>| match origin {
        Some(origin) => format!("set ({origin})"),
        None => "not set".to_owned(),
    };
    let mut rows = vec![
        vec![
            "profile:".to_owned(),
            status.profile.clone().unwrap_or_else(|| "none".to_owned()),
        ],
        vec!["credentials:".to_owned(), status.credentials.clone()],
        vec!["access token:".to_owned(), set(status.access_token)],
        vec!["refresh token:".to_owned(), set(status.refresh_token)],
        vec![
            "client id:".to_owned(),
            status
                .client_id
                .clone()
                .unwrap_or_else(|| "not set".to_owned()),
        ],
        vec!["client secret:".to_owned(), set(status.client_secret)],
        vec!["data centre:".to_owned(), dc],
        vec!["environment:".to_owned(), environment],
        vec!["API base URL:".to_owned(), api_base],
        vec!["accounts URL:".to_owned(), accounts],
        vec!["API version:".to_owned(), status.api_version.clone()],
    ];
    match &status.token_file {
        None => rows.push(vec![
            "token file:".to_owned(),
            "none (this platform has no configuration folder)".to_owned(),
        ]),
        Some(file) => {
            let mut text = format!("{} ({})", file.path, file.from);
            if !file.exists {
                text.push_str(", does not exist");
            } else {
                if let Some(mode) = &file.mode {
                    text.push_str(&format!(", mode {mode}"));
                }
                if let Some(has) = file.has_refresh_token {
                    text.push_str(if has {
                        ", holds a refresh token"
                    } else {
                        ", holds no refresh token"
                    });
                }
                if let Some(error) = &file.error {
                    text.push_str(&format!(", unusable: {error}"));
                }
            }
            rows.push(vec!["token file:".to_owned(), text]);
            if let (Some(expires), Some(expired)) =
                (&file.access_token_expires_at, file.access_token_expired)
            {
                let state = if expired { "expired" } else { "valid" };
                rows.push(vec![
                    "stored token:".to_owned(),
                    format!("{state} until {expires}"),
                ]);
            }
        }
    }
    let token = match (&status.token.failure, &status.token.api_domain) {
        (Some(failure), _) => format!("FAILED: {}", failure.describe()),
        (None, Some(domain)) => format!("ok (an access token was obtained; API domain {domain})"),
        (None, None) => "ok (an access token was obtained)".to_owned(),
    };
    rows.push(vec!["token:".to_owned(), token]);
    for line in table(&rows) {
        output.text(line);
    }
}
