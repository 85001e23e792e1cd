//! Unit tests of the accounts server and the token registry shared with the API server.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::tests::{LEAD_PATH, Reply, assert_error, file_part, request, send, upload};
use crate::{
    AccountsConfig, AccountsServer, LoopbackServer, ServerConfig, TokenFailure, TokenRegistry,
};

const FORM: &str = "application/x-www-form-urlencoded";

/// Percent-encodes a form value (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// POSTs a form body to the token endpoint (plus an optional query string).
async fn post_token(accounts: &AccountsServer, query: Option<&str>, body: &str) -> Reply {
    let target = match query {
        Some(query) => format!("/oauth/v2/token?{query}"),
        None => "/oauth/v2/token".to_owned(),
    };
    send(
        accounts.local_addr(),
        &request("POST", &target, None, Some(FORM), body.as_bytes()),
    )
    .await
}

fn refresh_form(config: &AccountsConfig) -> String {
    form(&[
        ("grant_type", "refresh_token"),
        ("client_id", &config.client_id),
        ("client_secret", &config.client_secret),
        ("refresh_token", &config.refresh_token),
    ])
}

async fn refresh(accounts: &AccountsServer) -> Reply {
    let body = refresh_form(accounts.config());
    post_token(accounts, None, &body).await
}

fn exchange_form(config: &AccountsConfig, code: &str, redirect_uri: &str) -> String {
    form(&[
        ("grant_type", "authorization_code"),
        ("client_id", &config.client_id),
        ("client_secret", &config.client_secret),
        ("redirect_uri", redirect_uri),
        ("code", code),
    ])
}

fn assert_oauth_error(reply: &Reply, error: &str) {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json(), json!({ "error": error }));
}

/// An API server and an accounts server sharing one registry.
async fn pair() -> (LoopbackServer, AccountsServer, TokenRegistry) {
    let tokens = TokenRegistry::new();
    let api = LoopbackServer::start_with_tokens(ServerConfig::default(), tokens.clone())
        .await
        .expect("start api");
    let accounts = AccountsServer::start(tokens.clone(), AccountsConfig::default())
        .await
        .expect("start accounts");
    (api, accounts, tokens)
}

async fn upload_with(api: &LoopbackServer, token: &str) -> Reply {
    upload(api, LEAD_PATH, token, &[file_part("a.txt", b"x")]).await
}

fn access_token(reply: &Reply) -> String {
    reply.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

#[tokio::test]
async fn refreshed_token_is_accepted_until_expired() {
    let (api, accounts, tokens) = pair().await;
    assert!(accounts.base_url().starts_with("http://127.0.0.1:"));
    // start_with_tokens does not add the configured token.
    assert_eq!(upload_with(&api, api.token()).await.status, 401);

    let reply = refresh(&accounts).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let json = reply.json();
    let token = access_token(&reply);
    assert!(token.starts_with("1000."));
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_in"], 3600);
    for absent in ["api_domain", "refresh_token", "expires_in_sec"] {
        assert!(json.get(absent).is_none(), "{absent} in {json}");
    }
    assert_eq!(accounts.refresh_count(), 1);
    assert_eq!(tokens.issued_count(), 1);

    assert_eq!(upload_with(&api, &token).await.status, 200);
    tokens.expire_all();
    let reply = upload_with(&api, &token).await;
    assert_error(&reply, 401, "INVALID_TOKEN", "invalid oauth token", false);

    let reply = refresh(&accounts).await;
    let second = access_token(&reply);
    assert_ne!(second, token);
    assert_eq!(upload_with(&api, &second).await.status, 200);
    assert_eq!(accounts.refresh_count(), 2);
    assert_eq!(api.tokens().issued_count(), 2);
    assert_eq!(accounts.code_exchange_count(), 0);

    let recorded = accounts.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(recorded[0].path, "/oauth/v2/token");
    assert_eq!(recorded[0].query, None);
    assert_eq!(recorded[0].content_type.as_deref(), Some(FORM));
    assert_eq!(
        recorded[0].form.get("grant_type").map(String::as_str),
        Some("refresh_token")
    );
    assert_eq!(
        recorded[0].form.get("client_secret"),
        Some(&accounts.config().client_secret)
    );
}

#[tokio::test]
async fn legacy_expiry_and_api_domain() {
    let (api, accounts, _tokens) = pair().await;
    accounts.set_legacy_expiry(true);
    accounts.set_token_lifetime(Duration::from_secs(7200));
    accounts.set_api_domain(Some(api.base_url()));
    let reply = refresh(&accounts).await;
    let json = reply.json();
    assert_eq!(json["expires_in_sec"], 7200);
    let seconds = json["expires_in_sec"].as_u64().expect("seconds");
    assert_eq!(json["expires_in"].as_u64(), Some(1000 * seconds));
    assert_eq!(json["api_domain"], Value::String(api.base_url()));
    // Zoho's key order.
    let text = String::from_utf8_lossy(&reply.body).into_owned();
    let positions: Vec<usize> = [
        "\"access_token\"",
        "\"expires_in_sec\"",
        "\"api_domain\"",
        "\"token_type\"",
        "\"expires_in\":",
    ]
    .iter()
    .map(|key| text.find(key).expect("key"))
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    accounts.set_legacy_expiry(false);
    accounts.set_api_domain(None);
    let json = refresh(&accounts).await.json();
    assert_eq!(json["expires_in"], 7200);
    assert!(json.get("expires_in_sec").is_none());
    assert!(json.get("api_domain").is_none());
}

#[tokio::test]
async fn short_lifetime_expires() {
    let (api, accounts, _tokens) = pair().await;
    accounts.set_token_lifetime(Duration::from_secs(1));
    let reply = refresh(&accounts).await;
    assert_eq!(reply.json()["expires_in"], 1);
    let token = access_token(&reply);
    assert_eq!(upload_with(&api, &token).await.status, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(upload_with(&api, &token).await.status, 401);
}

#[tokio::test]
async fn grant_codes_are_single_use() {
    let (api, accounts, _tokens) = pair().await;
    let config = accounts.config().clone();
    let code = accounts.issue_grant_code();
    assert!(code.starts_with("1000."));

    // A wrong redirect_uri is checked before the code and doesn't use it up.
    let body = exchange_form(&config, &code, "http://127.0.0.1/elsewhere");
    assert_oauth_error(
        &post_token(&accounts, None, &body).await,
        "invalid_redirect_uri",
    );

    let body = exchange_form(&config, &code, &config.redirect_uri);
    let reply = post_token(&accounts, None, &body).await;
    assert_eq!(reply.status, 200);
    let json = reply.json();
    assert_eq!(
        json["refresh_token"],
        Value::String(config.refresh_token.clone())
    );
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_in"], 3600);
    assert_eq!(accounts.code_exchange_count(), 1);
    assert_eq!(accounts.refresh_count(), 0);
    assert_eq!(upload_with(&api, &access_token(&reply)).await.status, 200);

    // Used, unknown.
    assert_oauth_error(&post_token(&accounts, None, &body).await, "invalid_code");
    let body = exchange_form(&config, "1000.unknown", &config.redirect_uri);
    assert_oauth_error(&post_token(&accounts, None, &body).await, "invalid_code");
    assert_eq!(accounts.code_exchange_count(), 1);

    // Wrong client.
    let code = accounts.issue_grant_code();
    let wrong = AccountsConfig {
        client_secret: "nope".to_owned(),
        ..config.clone()
    };
    let body = exchange_form(&wrong, &code, &config.redirect_uri);
    assert_oauth_error(&post_token(&accounts, None, &body).await, "invalid_client");
}

#[tokio::test]
async fn credential_and_grant_errors_are_http_200() {
    let (_api, accounts, tokens) = pair().await;
    let config = accounts.config().clone();

    let wrong_secret = AccountsConfig {
        client_secret: "wrong".to_owned(),
        ..config.clone()
    };
    let reply = post_token(&accounts, None, &refresh_form(&wrong_secret)).await;
    assert_oauth_error(&reply, "invalid_client");
    let wrong_id = AccountsConfig {
        client_id: "1000.OTHER".to_owned(),
        ..config.clone()
    };
    let reply = post_token(&accounts, None, &refresh_form(&wrong_id)).await;
    assert_oauth_error(&reply, "invalid_client");
    let wrong_refresh = AccountsConfig {
        refresh_token: "1000.revoked".to_owned(),
        ..config.clone()
    };
    let reply = post_token(&accounts, None, &refresh_form(&wrong_refresh)).await;
    assert_oauth_error(&reply, "invalid_code");

    let no_grant = form(&[
        ("client_id", &config.client_id),
        ("client_secret", &config.client_secret),
        ("refresh_token", &config.refresh_token),
    ]);
    let reply = post_token(&accounts, None, &no_grant).await;
    assert_oauth_error(&reply, "unsupported_grant_type");
    let password = format!("{no_grant}&grant_type=password");
    let reply = post_token(&accounts, None, &password).await;
    assert_oauth_error(&reply, "unsupported_grant_type");

    // Parameters in a JSON body are not read.
    let body = json!({
        "grant_type": "refresh_token",
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "refresh_token": config.refresh_token,
    })
    .to_string();
    let reply = send(
        accounts.local_addr(),
        &request(
            "POST",
            "/oauth/v2/token",
            None,
            Some("application/json"),
            body.as_bytes(),
        ),
    )
    .await;
    assert_oauth_error(&reply, "unsupported_grant_type");

    assert_eq!(accounts.refresh_count(), 0);
    assert_eq!(tokens.issued_count(), 0);
}

#[tokio::test]
async fn secrets_in_the_query_are_rejected() {
    let (_api, accounts, _tokens) = pair().await;
    let config = accounts.config().clone();
    let query = refresh_form(&config);
    let reply = post_token(&accounts, Some(&query), "").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json(), json!({"error": "secrets_in_query"}));
    // Also when the body is right and only one secret is in the query.
    let query = form(&[("client_secret", &config.client_secret)]);
    let reply = post_token(&accounts, Some(&query), &refresh_form(&config)).await;
    assert_eq!(reply.status, 400);
    // A harmless query is fine.
    let reply = post_token(&accounts, Some("grant_type=x"), &refresh_form(&config)).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json()["access_token"].is_string());
    assert_eq!(accounts.refresh_count(), 1);
    assert_eq!(
        accounts.requests()[0].query.as_deref(),
        Some(&*refresh_form(&config))
    );
}

#[tokio::test]
async fn queued_failures_are_used_once_in_order() {
    let (_api, accounts, _tokens) = pair().await;
    accounts.fail_next_with(TokenFailure::AccessDenied);
    accounts.fail_next_with(TokenFailure::InvalidClient);
    accounts.fail_next_with(TokenFailure::Status(503));
    accounts.fail_next_with(TokenFailure::InvalidCode);
    assert_eq!(accounts.pending_failures(), 4);

    let reply = refresh(&accounts).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert!(reply.body.starts_with(b"Access Denied"));
    assert_oauth_error(&refresh(&accounts).await, "invalid_client");
    let reply = refresh(&accounts).await;
    assert_eq!(reply.status, 503);
    assert!(reply.body.is_empty());
    assert_oauth_error(&refresh(&accounts).await, "invalid_code");
    assert_eq!(accounts.refresh_count(), 0);

    let reply = refresh(&accounts).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json()["access_token"].is_string());
    assert_eq!(accounts.refresh_count(), 1);
    assert_eq!(accounts.pending_failures(), 0);
}

#[tokio::test]
async fn delay_other_paths_and_methods() {
    let (_api, accounts, _tokens) = pair().await;
    let delay = Duration::from_millis(200);
    accounts.set_delay(delay);
    let started = Instant::now();
    assert_eq!(refresh(&accounts).await.status, 200);
    assert!(started.elapsed() >= delay);
    accounts.set_delay(Duration::ZERO);

    let reply = send(
        accounts.local_addr(),
        &request("GET", "/oauth/v2/token", None, None, b""),
    )
    .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST"));
    let reply = send(
        accounts.local_addr(),
        &request("POST", "/oauth/v2/auth", None, Some(FORM), b"a=b"),
    )
    .await;
    assert_eq!(reply.status, 404);
    let recorded = accounts.requests();
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[1].method, "GET");
    assert_eq!(recorded[2].path, "/oauth/v2/auth");
    assert_eq!(recorded[2].form.get("a").map(String::as_str), Some("b"));
    assert!(accounts.connection_count() >= 3);
}
