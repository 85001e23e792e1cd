//! Secrets in a hostile world: redirects that would carry the token, the form secrets or an
//! upload elsewhere; proxies that would see a plain-http request; servers that echo what they
//! received; URLs with passwords. The "other host" is an [`OtherHost`] on 127.0.0.2, which
//! records whatever reaches it (nothing must).

mod support;

use std::sync::{Arc, Mutex};

use futures_util::StreamExt as _;
use support::oauth::{Zoho, build};
use support::{RECORD, client, server, upload};
use zoho_crm::limits::MAX_REDIRECTS;
use zoho_crm::operations::{
    DeleteAttachmentRequest, ListAttachmentsRequest, UploadAttachmentError,
};
use zoho_crm::{AuthError, Client, Error, ExchangeError, FileSource, Module, RetryPolicy};
use zoho_crm::{RedirectError, RedirectReason};
use zoho_crm_testkit::{CannedReply, Fault, OtherHost, TokenFailure};

async fn other_host() -> OtherHost {
    match OtherHost::start().await {
        Ok(other) => other,
        Err(e) => panic!("cannot listen on 127.0.0.2: {e}"),
    }
}

fn small() -> FileSource {
    FileSource::from_bytes("a.txt", &b"abc"[..])
}

fn list_request() -> ListAttachmentsRequest {
    ListAttachmentsRequest::new(Module::Leads, RECORD)
}

fn redirect_of<E: std::error::Error>(
    result: Result<impl std::fmt::Debug, Error<E>>,
) -> RedirectError {
    match result {
        Err(Error::Redirect(redirect)) => redirect,
        other => panic!("expected a refused redirect, got {other:?}"),
    }
}

fn assert_clean(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "a secret leaked into: {text}");
    }
}

fn shown(value: &(impl std::fmt::Debug + std::fmt::Display)) -> String {
    format!("{value} {value:?}")
}

#[tokio::test]
async fn an_upload_answered_with_a_redirect_is_not_resent_and_not_counted_as_stored() {
    let server = server().await;
    let other = other_host().await;
    let client = client(&server);
    for status in [301, 302, 303, 307, 308] {
        let before = server.request_count();
        server.push_fault(Fault::Redirect {
            status,
            location: format!(
                "{}/crm/v2/Leads/{RECORD}/Attachments?token=abc",
                other.base_url()
            ),
        });
        let result = client.upload_attachment(upload(small())).await;
        let Err(error) = &result else {
            panic!("HTTP {status}: an upload redirected elsewhere counted as stored: {result:?}");
        };
        assert!(!error.succeeded(), "HTTP {status}");
        // 303 "see other" answers a request that was carried out; the others do not.
        assert_eq!(
            error.may_have_been_processed(),
            status == 303,
            "HTTP {status}"
        );
        let redirect = redirect_of(result);
        assert_eq!(redirect.status, status);
        assert_eq!(redirect.reason, RedirectReason::CarriesBody);
        assert_eq!(
            redirect.location,
            format!("{}/crm/v2/Leads/{RECORD}/Attachments", other.base_url())
        );
        let text = redirect.to_string();
        assert!(text.starts_with("redirect not followed"), "{text}");
        assert!(!text.contains("token=abc"), "{text}");
        assert_eq!(server.request_count(), before + 1, "not retried");
    }
    assert_eq!(other.connection_count(), 0, "{}", other.received_text());
    assert_eq!(server.attachment_count(), 0);
}

#[tokio::test]
async fn an_upload_redirected_to_its_own_server_is_not_followed_either() {
    let server = server().await;
    let client = client(&server);
    server.push_fault(Fault::Redirect {
        status: 307,
        location: format!("/crm/v2/Leads/{RECORD}/Attachments"),
    });
    let redirect = redirect_of(client.upload_attachment(upload(small())).await);
    assert_eq!(redirect.reason, RedirectReason::CarriesBody);
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.attachment_count(), 0);
}

#[tokio::test]
async fn a_get_or_delete_redirected_to_another_origin_is_refused_and_names_the_target() {
    let server = server().await;
    let other = other_host().await;
    let client = client(&server);
    let location = format!("http://user:pw@{}/x?token=abc#f", other.local_addr());
    server.push_fault(Fault::Redirect {
        status: 302,
        location: location.clone(),
    });
    let listed = redirect_of(client.list_attachments(list_request()).await);
    server.push_fault(Fault::Redirect {
        status: 307,
        location,
    });
    let deleted = redirect_of(
        client
            .delete_attachment(DeleteAttachmentRequest::new(
                Module::Leads,
                RECORD,
                "738964000002118002",
            ))
            .await,
    );
    for redirect in [listed, deleted] {
        assert_eq!(redirect.reason, RedirectReason::OtherOrigin);
        assert_eq!(redirect.location, format!("{}/x", other.base_url()));
        let text = redirect.to_string();
        assert!(!text.contains("pw") && !text.contains("abc"), "{text}");
    }
    assert_eq!(other.connection_count(), 0, "{}", other.received_text());
    assert_eq!(server.request_count(), 2, "refusals are not retried");
}

#[tokio::test]
async fn a_get_redirected_within_its_origin_is_followed_with_its_token() {
    let server = server().await;
    let client = client(&server);
    server.insert_file("Leads", RECORD, "a.txt", b"abc");
    server.push_fault(Fault::Redirect {
        status: 301,
        location: format!("/crm/v2/Leads/{RECORD}/Attachments?page=1"),
    });
    let page = client.list_attachments(list_request()).await;
    let Ok(page) = page else {
        panic!("a same-origin redirect was not followed: {page:?}");
    };
    assert_eq!(page.data.len(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let expected = format!("Zoho-oauthtoken {}", server.token());
    for request in &requests {
        assert_eq!(request.authorization.as_deref(), Some(expected.as_str()));
    }
    assert_eq!(requests[1].query.as_deref(), Some("page=1"));
}

#[tokio::test]
async fn a_redirect_loop_within_the_origin_stops_after_a_few_hops() {
    let server = server().await;
    let client = client(&server);
    for _ in 0..=MAX_REDIRECTS + 2 {
        server.push_fault(Fault::Redirect {
            status: 302,
            location: format!("/crm/v2/Leads/{RECORD}/Attachments"),
        });
    }
    let redirect = redirect_of(client.list_attachments(list_request()).await);
    assert_eq!(redirect.reason, RedirectReason::TooManyRedirects);
    assert_eq!(server.request_count(), MAX_REDIRECTS + 1);
}

#[tokio::test]
async fn the_token_endpoint_follows_no_redirect_and_names_where_it_pointed() {
    let zoho = Zoho::start().await;
    let other = other_host().await;
    for status in [301, 302, 303, 307, 308] {
        zoho.accounts.fail_next_with(TokenFailure::Redirect {
            status,
            location: format!("{}/oauth/v2/token?client_secret=x", other.base_url()),
        });
        let client = build(zoho.builder());
        let result = client.list_attachments(list_request()).await;
        let Err(Error::Auth(AuthError::Redirected {
            status: seen,
            location,
        })) = &result
        else {
            panic!("HTTP {status}: expected a refused token redirect, got {result:?}");
        };
        assert_eq!(*seen, status);
        assert_eq!(location, &format!("{}/oauth/v2/token", other.base_url()));
        let Err(error) = &result else {
            continue;
        };
        let text = error.to_string();
        assert!(text.contains("not followed"), "{text}");
        assert!(!text.contains("client_secret=x"), "{text}");
    }
    assert_eq!(other.connection_count(), 0, "{}", other.received_text());
    assert_eq!(zoho.api.request_count(), 0);
}

#[tokio::test]
async fn a_grant_code_exchange_follows_no_redirect() {
    let zoho = Zoho::start().await;
    let other = other_host().await;
    let config = zoho.accounts.config().clone();
    let code = zoho.accounts.issue_grant_code();
    zoho.accounts.fail_next_with(TokenFailure::Redirect {
        status: 307,
        location: format!("{}/oauth/v2/token", other.base_url()),
    });
    let exchanged = Client::builder()
        .accounts_url(zoho.accounts.base_url())
        .stored_refresh_token(&config.client_id, &config.client_secret)
        .exchange_code(&code, Some(&config.redirect_uri))
        .await;
    let Err(ExchangeError::Auth(AuthError::Redirected { status: 307, .. })) = &exchanged else {
        panic!("expected a refused redirect: {exchanged:?}");
    };
    assert_eq!(other.connection_count(), 0, "{}", other.received_text());
    assert_eq!(zoho.accounts.code_exchange_count(), 0);
}

#[tokio::test]
async fn a_plain_http_call_bypasses_a_builder_proxy_on_another_host() {
    let zoho = Zoho::start().await;
    let proxy = other_host().await;
    let client = build(zoho.builder().proxy(proxy.base_url()));
    let result = client.upload_attachment(upload(small())).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoho.api.attachment_count(), 1);
    assert_eq!(zoho.accounts.refresh_count(), 1);
    assert_eq!(proxy.connection_count(), 0, "{}", proxy.received_text());
}

#[tokio::test]
async fn a_url_with_a_password_is_refused_without_echoing_it() {
    let builders = [
        Client::builder()
            .access_token("t")
            .base_url("https://user:hunter2@www.zohoapis.com"),
        Client::builder()
            .access_token("t")
            .base_url("http://user:hunter2@127.0.0.1:1"),
        Client::builder()
            .refresh_token("id", "secret", "refresh")
            .accounts_url("https://user:hunter2@accounts.zoho.com"),
        Client::builder()
            .access_token("t")
            .proxy("http://user:hunter2@bad host:3128"),
    ];
    for builder in builders {
        let built = builder.build();
        let Err(error) = built else {
            panic!("a URL with a password was accepted");
        };
        let text = shown(&error);
        assert_clean(&text, &["hunter2"]);
        assert!(text.contains("[redacted]"), "{text}");
    }
    // A proxy may need credentials (they go to the proxy as basic authentication), but the
    // client never shows them.
    let client = build(
        Client::builder()
            .access_token("t")
            .proxy("http://user:hunter2@proxy.example:3128"),
    );
    assert_clean(&format!("{client:?}"), &["hunter2"]);
}

#[tokio::test]
async fn a_proxy_gets_the_credentials_of_its_url_and_errors_do_not_show_them() {
    let proxy = other_host().await;
    let url = proxy
        .base_url()
        .replacen("http://", "http://user:hunter2@", 1);
    let client = build(
        Client::builder()
            .access_token("t")
            .proxy(url)
            .retry_policy(RetryPolicy::never()),
    );
    // An https call goes through the proxy with CONNECT; the recorder is no proxy, so the
    // call fails, but what it received shows the credentials were offered to the proxy.
    let result = client
        .list_attachments(zoho_crm::operations::ListAttachmentsRequest::new(
            zoho_crm::Module::Leads,
            "3477061000005177002",
        ))
        .await;
    let Err(error) = result else {
        panic!("a call through a recorder that is no proxy succeeded");
    };
    assert_clean(&shown(&error), &["hunter2"]);
    let received = proxy.received_text();
    assert!(
        received.starts_with("CONNECT www.zohoapis.com:443"),
        "{received}"
    );
    // base64("user:hunter2")
    assert!(received.contains("Basic dXNlcjpodW50ZXIy"), "{received}");
}

#[tokio::test]
async fn a_gateway_echoing_the_request_does_not_leak_the_access_token() {
    let server = server().await;
    let token = server.token().to_owned();
    let client = build(
        Client::builder()
            .base_url(server.base_url())
            .access_token(&token)
            .retry_policy(RetryPolicy::never()),
    );
    server.push_fault(Fault::Echo { status: 502 });
    let listed = client.list_attachments(list_request()).await;
    server.push_fault(Fault::Echo { status: 200 });
    let uploaded = client.upload_attachment(upload(small())).await;
    for error in [
        listed.err().map(|e| shown(&e)),
        uploaded.err().map(|e| shown(&e)),
    ] {
        let Some(text) = error else {
            panic!("an echo was taken for a success");
        };
        assert_clean(&text, &[&token]);
        assert!(text.contains("Zoho-oauthtoken [redacted]"), "{text}");
    }
}

#[tokio::test]
async fn api_errors_and_unreadable_successes_echoing_the_token_are_redacted() {
    let server = server().await;
    let token = server.token().to_owned();
    let client = client(&server);
    server.respond_next_with(CannedReply::json(
        400,
        serde_json::json!({
            "code": "INVALID_DATA",
            "details": {"echo": format!("Zoho-oauthtoken {token}")},
            "message": format!("the token {token} is odd"),
            "status": "error",
        }),
    ));
    let refused = client.upload_attachment(upload(small())).await;
    let Err(Error::Api(api)) = &refused else {
        panic!("expected an API error: {refused:?}");
    };
    let info = zoho_crm::OperationError::info(api);
    assert_eq!(info.message, "the token [redacted] is odd");
    server.respond_next_with(CannedReply::json(
        201,
        serde_json::json!({"data": [{
            "code": "SUCCESS",
            "details": {"id": {"seen": token}},
            "message": "attachment uploaded successfully",
            "status": "success",
        }]}),
    ));
    let unreadable = client.upload_attachment(upload(small())).await;
    let Err(error @ Error::UnreadableSuccess(_)) = &unreadable else {
        panic!("expected an unreadable success: {unreadable:?}");
    };
    for text in [shown(error), format!("{refused:?}")] {
        assert_clean(&text, &[&token]);
        assert!(text.contains("[redacted]"), "{text}");
    }
}

#[tokio::test]
async fn a_success_holding_the_tokens_text_is_decoded_as_sent() {
    // Redacting the token is for errors only: a success whose text happens to hold it (an id
    // equal to it, or a short token inside a field name) must stay that success, unaltered.
    let server = server().await;
    let token = server.token().to_owned();
    let client = client(&server);
    server.respond_next_with(CannedReply::json(
        201,
        serde_json::json!({"data": [{
            "code": "SUCCESS",
            "details": {"id": token, "Created_Time": "2026-01-01T00:00:00+00:00"},
            "message": format!("uploaded with {token}"),
            "status": "success",
        }]}),
    ));
    let uploaded = client.upload_attachment(upload(small())).await;
    let Ok(uploaded) = uploaded else {
        panic!("a success was not taken as one: {uploaded:?}");
    };
    assert_eq!(uploaded.details.id, token);
    assert_eq!(uploaded.message, format!("uploaded with {token}"));
}

#[tokio::test]
async fn an_accounts_server_echoing_the_form_does_not_leak_secrets() {
    let zoho = Zoho::start().await;
    let config = zoho.accounts.config().clone();
    let mut errors: Vec<Error<UploadAttachmentError>> = Vec::new();
    for failure in [
        TokenFailure::EchoForm { status: 500 },
        TokenFailure::EchoForm { status: 200 },
        TokenFailure::EchoFormAsError,
    ] {
        zoho.accounts.fail_next_with(failure);
        let client = build(zoho.builder());
        match client.upload_attachment(upload(small())).await {
            Err(e @ Error::Auth(_)) => errors.push(e),
            other => panic!("expected an auth error: {other:?}"),
        }
    }
    let code = zoho.accounts.issue_grant_code();
    zoho.accounts
        .fail_next_with(TokenFailure::EchoForm { status: 400 });
    let exchanged = Client::builder()
        .accounts_url(zoho.accounts.base_url())
        .stored_refresh_token(&config.client_id, &config.client_secret)
        .exchange_code(&code, Some(&config.redirect_uri))
        .await;
    let Err(exchange_error) = exchanged else {
        panic!("an echo was taken for tokens");
    };
    let mut texts: Vec<String> = errors.iter().map(shown).collect();
    texts.push(shown(&exchange_error));
    for text in &texts {
        assert_clean(text, &[&config.client_secret, &config.refresh_token, &code]);
        assert!(text.contains("client_secret=[redacted]"), "{text}");
    }
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
async fn logs_of_calls_to_hostile_servers_hold_no_secret() {
    let zoho = Zoho::start().await;
    let other = other_host().await;
    let config = zoho.accounts.config().clone();
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    zoho.accounts
        .fail_next_with(TokenFailure::EchoForm { status: 500 });
    let refused = build(zoho.builder())
        .upload_attachment(upload(small()))
        .await;
    assert!(matches!(refused, Err(Error::Auth(_))), "{refused:?}");
    let client = build(zoho.builder());
    zoho.api.push_fault(Fault::Echo { status: 502 });
    let echoed = client.upload_attachment(upload(small())).await;
    assert!(echoed.is_err(), "{echoed:?}");
    zoho.api.push_fault(Fault::Redirect {
        status: 302,
        location: format!("{}/x?secret=1", other.base_url()),
    });
    let listed: Vec<_> = client
        .list_attachments_stream(list_request())
        .collect()
        .await;
    assert!(
        matches!(listed.as_slice(), [Err(Error::Redirect(_))]),
        "{listed:?}"
    );

    let text = captured
        .0
        .lock()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let tokens: Vec<String> = zoho
        .api
        .requests()
        .iter()
        .filter_map(|r| r.authorization.clone())
        .map(|h| h.trim_start_matches("Zoho-oauthtoken ").to_owned())
        .collect();
    assert!(!tokens.is_empty());
    let mut secrets = vec![config.client_secret.as_str(), config.refresh_token.as_str()];
    secrets.extend(tokens.iter().map(String::as_str));
    assert_clean(&text, &secrets);
    assert!(text.contains("redirect not followed"), "{text}");
    assert!(!text.contains("secret=1"), "{text}");
}
