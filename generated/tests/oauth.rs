//! OAuth against a loopback accounts server: refreshes are cached and single-flight, a rejected
//! token is refreshed once, the token endpoint's failure forms are typed, the token file is
//! shared safely, and the api_domain of a token is followed.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::oauth::{Zoho, build};
use support::upload;
use zoho_crm::operations::UploadAttachmentError;
use zoho_crm::{AuthError, Client, Error, FileSource};
use zoho_crm::{ExchangeError, TokenErrorKind};
use zoho_crm_testkit::{Fault, TokenFailure};

fn small() -> FileSource {
    FileSource::from_bytes("a.txt", &b"abc"[..])
}

async fn upload_many(client: &Client, count: usize) -> Vec<Result<(), String>> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .upload_attachment(upload(small()))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        results.push(joined.unwrap_or_else(|e| Err(e.to_string())));
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_calls_with_an_expired_token_cause_one_refresh() {
    let zoho = Zoho::start().await;
    // A slow token endpoint widens the window in which a second refresh could start.
    zoho.accounts.set_delay(Duration::from_millis(200));
    let client = build(zoho.builder().max_concurrency(50));

    let first = upload_many(&client, 50).await;
    assert!(first.iter().all(Result::is_ok), "{first:?}");
    assert_eq!(
        zoho.accounts.refresh_count(),
        1,
        "refreshes for 50 calls with no token"
    );

    zoho.api.tokens().expire_all();
    let second = upload_many(&client, 50).await;
    assert!(second.iter().all(Result::is_ok), "{second:?}");
    assert_eq!(
        zoho.accounts.refresh_count(),
        2,
        "refreshes for 50 calls whose token expired"
    );
    assert_eq!(zoho.api.attachments().len(), 100);
    println!(
        "figure: refreshes per 50 concurrent expired-token calls = {}",
        zoho.accounts.refresh_count() - 1
    );
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_upload_retried() {
    let zoho = Zoho::start().await;
    let client = zoho.client();
    let dir = support::temp_dir();
    let (path, digest) = support::random_file(dir.path(), "retry.bin", 300_000, 5);
    zoho.api.push_fault(Fault::ExpireTokensFirst);
    let result = client
        .upload_attachment(upload(FileSource::from_path(&path)))
        .await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoho.accounts.refresh_count(), 2);
    assert_eq!(zoho.api.request_count(), 2);
    let stored = zoho.api.attachments();
    assert_eq!(stored.len(), 1);
    let zoho_crm_testkit::StoredContent::File { sha256, .. } = &stored[0].content else {
        panic!("a link was stored");
    };
    assert_eq!(
        *sha256, digest,
        "the retry reopened the file and sent it whole"
    );
}

#[tokio::test]
async fn a_second_rejection_is_returned_as_the_typed_error() {
    let zoho = Zoho::start().await;
    let client = zoho.client();
    zoho.api.push_fault(Fault::ExpireTokensFirst);
    zoho.api.push_fault(Fault::ExpireTokensFirst);
    let result = client.upload_attachment(upload(small())).await;
    let Err(Error::Api(UploadAttachmentError::InvalidToken(info))) = result else {
        panic!("{result:?}");
    };
    assert_eq!(info.status, 401);
    assert_eq!(
        zoho.accounts.refresh_count(),
        2,
        "one refresh after the first 401 only"
    );
    assert_eq!(zoho.api.request_count(), 2);
    assert!(zoho.api.attachments().is_empty());
}

#[tokio::test]
async fn token_endpoint_failures_are_typed_with_what_to_do() {
    let zoho = Zoho::start().await;
    let cases = [
        (
            TokenFailure::InvalidClient,
            TokenErrorKind::InvalidClient,
            "ZOHO_DC",
        ),
        (
            TokenFailure::InvalidCode,
            TokenErrorKind::InvalidGrant,
            "generate a new one",
        ),
        (
            TokenFailure::AccessDenied,
            TokenErrorKind::Throttled,
            "10 access tokens",
        ),
    ];
    for (failure, kind, advice) in cases {
        let client = zoho.client();
        zoho.accounts.fail_next_with(failure.clone());
        let result = client.upload_attachment(upload(small())).await;
        let Err(Error::Auth(error)) = &result else {
            panic!("{failure:?}: {result:?}");
        };
        assert_eq!(error.kind(), Some(kind), "{failure:?}");
        assert!(error.to_string().contains(advice), "{error}");
    }
    let client = zoho.client();
    zoho.accounts.fail_next_with(TokenFailure::Status(503));
    let result = client.upload_attachment(upload(small())).await;
    assert!(
        matches!(
            result,
            Err(Error::Auth(AuthError::Http { status: 503, .. }))
        ),
        "{result:?}"
    );
    assert_eq!(zoho.api.request_count(), 0, "no API call without a token");
}

#[tokio::test]
async fn secrets_travel_only_in_the_form_body() {
    let zoho = Zoho::start().await;
    let result = zoho.client().upload_attachment(upload(small())).await;
    assert!(result.is_ok(), "{result:?}");
    let requests = zoho.accounts.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.query, None);
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.form.get("grant_type").map(String::as_str),
        Some("refresh_token")
    );
    assert_eq!(
        request.form.get("refresh_token"),
        Some(&zoho.accounts.config().refresh_token)
    );
}

#[tokio::test]
async fn legacy_millisecond_expiry_is_read_as_seconds() {
    let zoho = Zoho::start().await;
    zoho.accounts.set_legacy_expiry(true);
    let dir = support::temp_dir();
    let file = dir.path().join("tokens.json");
    let client = build(zoho.builder().token_file(&file));
    let result = client.upload_attachment(upload(small())).await;
    assert!(result.is_ok(), "{result:?}");
    let stored: serde_json::Value = std::fs::read(&file)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let expires = stored["expires_at_unix"].as_u64().unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    assert!(
        expires > now + 3500 && expires < now + 3700,
        "expires {expires}, now {now}: the lifetime must be an hour, not a thousand"
    );
}

#[tokio::test]
async fn clients_sharing_a_token_file_refresh_once() {
    let zoho = Zoho::start().await;
    let dir = support::temp_dir();
    let file = dir.path().join("tokens.json");
    let first = build(zoho.builder().token_file(&file));
    let second = build(zoho.builder().token_file(&file));
    for client in [&first, &second, &first] {
        let result = client.upload_attachment(upload(small())).await;
        assert!(result.is_ok(), "{result:?}");
    }
    assert_eq!(zoho.accounts.refresh_count(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
    }
}

#[tokio::test]
async fn the_api_domain_of_a_token_is_followed() {
    let zoho = Zoho::start().await;
    zoho.accounts.set_api_domain(Some(zoho.api.base_url()));
    let config = zoho.accounts.config();
    // No API base URL: the default data centre's would be used, but the token names another.
    let client = build(
        Client::builder()
            .accounts_url(zoho.accounts.base_url())
            .refresh_token(
                &config.client_id,
                &config.client_secret,
                &config.refresh_token,
            ),
    );
    assert_eq!(client.base_url(), zoho_crm::DEFAULT_BASE_URL);
    let result = client.upload_attachment(upload(small())).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoho.api.attachments().len(), 1);
}

#[tokio::test]
async fn a_grant_code_is_exchanged_for_a_refresh_token_once() {
    let zoho = Zoho::start().await;
    let config = zoho.accounts.config();
    let code = zoho.accounts.issue_grant_code();
    let exchange = || {
        Client::builder()
            .accounts_url(zoho.accounts.base_url())
            .stored_refresh_token(&config.client_id, &config.client_secret)
            .exchange_code(&code, Some(&config.redirect_uri))
    };
    let issued = exchange().await;
    let Ok(issued) = issued else {
        panic!("{issued:?}");
    };
    let refresh = issued
        .refresh_token
        .map(|t| secrecy::ExposeSecret::expose_secret(&t).to_owned());
    assert_eq!(refresh.as_deref(), Some(config.refresh_token.as_str()));
    let again = exchange().await;
    let Err(ExchangeError::Auth(again)) = again else {
        panic!("a used code was accepted again: {again:?}");
    };
    assert_eq!(again.kind(), Some(TokenErrorKind::InvalidGrant));
    assert_eq!(zoho.accounts.code_exchange_count(), 1);
}

#[tokio::test]
async fn a_custom_token_provider_is_used() {
    let zoho = Zoho::start().await;
    let token = zoho.api.tokens().issue(Duration::from_secs(60));
    let provider = Arc::new(zoho_crm::StaticTokenProvider::new(
        match zoho_crm::AccessToken::new(token) {
            Ok(token) => token,
            Err(e) => panic!("{e}"),
        },
    ));
    let client = build(
        Client::builder()
            .base_url(zoho.api.base_url())
            .token_provider(provider),
    );
    let result = client.upload_attachment(upload(small())).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoho.accounts.refresh_count(), 0);
}
