//! Secrets never show: every public configuration and error type, formatted with `{:?}` and
//! `{}`, and the tracing output of calls, are searched for the access token, the refresh token
//! and the client secret.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::oauth::{Zoho, build};
use support::upload;
use zoho_crm::{Client, EnvSettings, Error, FileSource};
use zoho_crm_testkit::{Fault, TokenFailure};

const ACCESS: &str = "1000.accesstokensecretvalue";

fn assert_clean(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "a secret leaked into: {text}");
    }
}

fn both(value: &(impl std::fmt::Debug + std::fmt::Display)) -> String {
    format!("{value:?} {value}")
}

#[tokio::test]
async fn no_configuration_or_error_shows_a_secret() {
    let zoho = Zoho::start().await;
    let config = zoho.accounts.config().clone();
    let secrets = [
        config.client_secret.as_str(),
        config.refresh_token.as_str(),
        ACCESS,
    ];

    let settings = EnvSettings::from_lookup(|name| match name {
        "ZOHO_CLIENT_ID" => Some(config.client_id.clone()),
        "ZOHO_CLIENT_SECRET" => Some(config.client_secret.clone()),
        "ZOHO_REFRESH_TOKEN" => Some(config.refresh_token.clone()),
        "ZOHO_ACCESS_TOKEN" => Some(ACCESS.to_owned()),
        _ => None,
    });
    assert_clean(&format!("{settings:?}"), &secrets);
    let builder = zoho.builder().env_settings(settings);
    assert_clean(&format!("{builder:?}"), &secrets);
    let client = build(builder);
    assert_clean(&format!("{client:?}"), &secrets);
    assert_clean(&format!("{:?}", client.token_provider()), &secrets);
    let static_client = build(Client::builder().access_token(ACCESS));
    assert_clean(&format!("{static_client:?}"), &secrets);
    let token = zoho_crm::AccessToken::new(ACCESS);
    assert_clean(&format!("{token:?}"), &secrets);

    // Configuration errors.
    for built in [
        Client::builder()
            .access_token(format!("{ACCESS}\r\n"))
            .build(),
        Client::builder()
            .access_token(ACCESS)
            .base_url("http://crm.example.com")
            .build(),
        Client::builder()
            .access_token(ACCESS)
            .env_settings(zoho_crm::EnvSettings::from_lookup(|name| {
                (name == "ZOHO_DC").then(|| "xx".to_owned())
            }))
            .build(),
    ] {
        let Err(error) = built else {
            panic!("expected a configuration error");
        };
        assert_clean(&both(&error), &secrets);
    }

    // Errors from calls: token endpoint refusals, API errors, transport errors.
    let mut errors: Vec<Error<zoho_crm::operations::UploadAttachmentError>> = Vec::new();
    for failure in [
        TokenFailure::InvalidClient,
        TokenFailure::InvalidCode,
        TokenFailure::AccessDenied,
        TokenFailure::Status(500),
    ] {
        zoho.accounts.fail_next_with(failure);
        let fresh = build(zoho.builder());
        if let Err(e) = fresh.upload_attachment(upload(small())).await {
            errors.push(e);
        }
    }
    zoho.api.push_fault(Fault::ExpireTokensFirst);
    zoho.api.push_fault(Fault::ExpireTokensFirst);
    if let Err(e) = client.upload_attachment(upload(small())).await {
        errors.push(e);
    }
    zoho.api.push_fault(Fault::DropAfterBody { store: false });
    if let Err(e) = client.upload_attachment(upload(small())).await {
        errors.push(e);
    }
    if let Err(e) = static_client
        .upload_attachment(upload(FileSource::from_path("/nonexistent")))
        .await
    {
        errors.push(e);
    }
    assert_eq!(errors.len(), 7, "{errors:?}");
    for error in &errors {
        assert_clean(&both(error), &secrets);
    }
}

fn small() -> FileSource {
    FileSource::from_bytes("a.txt", &b"abc"[..])
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn each_attempt_is_traced_without_secrets() {
    let zoho = Zoho::start().await;
    let config = zoho.accounts.config().clone();
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = build(zoho.builder());
    zoho.api.push_fault(Fault::TooManyRequests {
        retry_after: Some("0".into()),
    });
    let result = client.upload_attachment(upload(small())).await;
    assert!(result.is_ok(), "{result:?}");
    tokio::time::sleep(Duration::from_millis(10)).await;

    let text = captured
        .0
        .lock()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let issued: Vec<String> = zoho
        .api
        .requests()
        .iter()
        .filter_map(|r| r.authorization.clone())
        .collect();
    assert_eq!(issued.len(), 2);
    let mut secrets = vec![config.client_secret.as_str(), config.refresh_token.as_str()];
    secrets.extend(
        issued
            .iter()
            .map(|h| h.trim_start_matches("Zoho-oauthtoken ")),
    );
    assert_clean(&text, &secrets);
    let attempts: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("zoho_crm.attempt") && line.contains("close"))
        .collect();
    assert_eq!(attempts.len(), 2, "{text}");
    for field in [
        "method=POST",
        "path=\"/crm/{version}/{module_api_name}/{record_id}/Attachments\"",
        "attempt=1",
        "status=429",
        "bytes_sent=",
        "duration_ms=",
    ] {
        assert!(
            attempts[0].contains(field),
            "{field} missing from {}",
            attempts[0]
        );
    }
    assert!(
        attempts[1].contains("attempt=2") && attempts[1].contains("status=200"),
        "{}",
        attempts[1]
    );
    assert!(
        !text.contains(support::RECORD),
        "ids stay out of the span: {text}"
    );
}
