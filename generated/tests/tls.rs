//! TLS and SOCKS: a call over https to a server whose certificate the platform does not trust
//! fails before any request is sent; trusting its certificate with `add_root_certificate`
//! makes it work; a SOCKS5 proxy carries https calls. (The test kit's `TlsFront` terminates
//! TLS in front of the loopback server; its `Socks5Proxy` records where each call went.)

mod support;

use support::{server, upload};
use zoho_crm::{Client, ConfigError, Error, FileSource, RetryPolicy};
use zoho_crm_testkit::TlsFront;

async fn front(server: &zoho_crm_testkit::LoopbackServer) -> TlsFront {
    match TlsFront::start(server.local_addr()).await {
        Ok(front) => front,
        Err(e) => panic!("cannot start the TLS front: {e}"),
    }
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_call_and_a_trusted_one_works() {
    let server = server().await;
    let front = front(&server).await;
    let untrusted = Client::builder()
        .base_url(front.base_url())
        .access_token(server.token())
        .retry_policy(RetryPolicy::never())
        .build();
    let Ok(untrusted) = untrusted else {
        panic!("{untrusted:?}");
    };
    let refused = untrusted
        .upload_attachment(upload(FileSource::from_bytes("a.txt", &b"over tls"[..])))
        .await;
    let Err(Error::Transport { .. }) = &refused else {
        panic!("an untrusted certificate was accepted: {refused:?}");
    };
    assert_eq!(server.request_count(), 0);

    let trusted = Client::builder()
        .base_url(front.base_url())
        .access_token(server.token())
        .add_root_certificate(front.cert_pem())
        .build();
    let Ok(trusted) = trusted else {
        panic!("{trusted:?}");
    };
    let stored = trusted
        .upload_attachment(upload(FileSource::from_bytes("a.txt", &b"over tls"[..])))
        .await;
    assert!(stored.is_ok(), "{stored:?}");
    assert_eq!(server.attachments().len(), 1);
}

#[test]
fn a_bad_root_certificate_is_a_configuration_error() {
    let built = Client::builder()
        .access_token("t")
        .add_root_certificate("not a certificate")
        .build();
    assert!(
        matches!(built, Err(ConfigError::InvalidCertificate { .. })),
        "{built:?}"
    );
}

/// An https call (as every call to Zoho is) goes through a SOCKS5 proxy set on the builder.
#[tokio::test]
async fn https_calls_go_through_a_socks5_proxy() {
    let server = server().await;
    let proxy = match zoho_crm_testkit::Socks5Proxy::start().await {
        Ok(proxy) => proxy,
        Err(e) => panic!("cannot start the SOCKS5 proxy: {e}"),
    };
    let front = front(&server).await;
    let client = Client::builder()
        .base_url(front.base_url())
        .add_root_certificate(front.cert_pem())
        .access_token(server.token())
        .proxy(proxy.url())
        .build();
    let Ok(client) = client else {
        panic!("{client:?}");
    };
    let stored = client
        .upload_attachment(upload(FileSource::from_bytes("a.txt", &b"via socks"[..])))
        .await;
    assert!(stored.is_ok(), "{stored:?}");
    let front_addr = front.base_url().trim_start_matches("https://").to_owned();
    assert_eq!(proxy.targets(), [front_addr]);
    assert_eq!(server.attachments().len(), 1);
}
