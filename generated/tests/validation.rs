//! Bad input is refused before anything is sent: each case has its own typed error, and the
//! server records no request at all.

mod support;

const THIS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/validation.rs");

use std::path::PathBuf;

use support::{RECORD, client, server, temp_dir, upload};
use zoho_crm::operations::{
    UploadAttachmentRequest, UploadLinkAttachmentRequest, upload_attachment,
};
use zoho_crm::{ConfigError, CustomModule, Error, FileSource, Module, ValidationError};

async fn refused(request: UploadAttachmentRequest) -> ValidationError {
    let server = server().await;
    let client = client(&server);
    let result = client.upload_attachment(request).await;
    assert_eq!(server.request_count(), 0, "a request was sent");
    match result {
        Err(Error::Validation(error)) => error,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn file_request(source: FileSource) -> UploadAttachmentRequest {
    upload(source)
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused() {
    let dir = temp_dir();
    let path = dir.path().join("big.bin");
    let limit = upload_attachment::LIMITS.max_file_bytes;
    let set_len = std::fs::File::create(&path).and_then(|f| f.set_len(limit + 1));
    assert!(set_len.is_ok(), "{set_len:?}");
    let error = refused(file_request(FileSource::from_path(&path))).await;
    assert!(
        matches!(error, ValidationError::FileTooLarge { size, limit: l, .. } if size == limit + 1 && l == limit),
        "{error:?}"
    );
    // A file of exactly the limit passes the same check (checked without sending 100 MiB).
    let exactly = std::fs::File::create(&path).and_then(|f| f.set_len(limit));
    assert!(exactly.is_ok(), "{exactly:?}");
    let opened = FileSource::from_path(&path)
        .open(&upload_attachment::LIMITS)
        .await;
    assert_eq!(opened.map(|file| file.length()).ok(), Some(limit));
}

#[tokio::test]
async fn exe_files_are_refused_in_any_spelling() {
    for name in [
        "setup.exe",
        "SETUP.EXE",
        "setup.Exe.",
        "setup.exe . .",
        "archive.zip.exe",
    ] {
        let error = refused(file_request(FileSource::from_bytes(name, &b"MZ"[..]))).await;
        assert!(
            matches!(&error, ValidationError::ForbiddenExtension { extension, .. } if extension == "exe"),
            "{name:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn missing_files_directories_and_unreadable_paths_are_refused() {
    let dir = temp_dir();
    let missing = dir.path().join("nope.txt");
    let error = refused(file_request(FileSource::from_path(&missing))).await;
    assert!(
        matches!(&error, ValidationError::FileNotFound { path } if *path == missing),
        "{error:?}"
    );

    let error = refused(file_request(FileSource::from_path_named(
        dir.path(),
        "dir.txt",
    )))
    .await;
    assert!(
        matches!(error, ValidationError::IsDirectory { .. }),
        "{error:?}"
    );

    // A path through a regular file cannot be opened, even by root.
    let through_file = PathBuf::from(THIS_FILE).join("inner.txt");
    let error = refused(file_request(FileSource::from_path(&through_file))).await;
    assert!(
        matches!(error, ValidationError::Unreadable { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn file_names_that_could_inject_headers_are_refused() {
    for name in [
        "a\r\nContent-Type: text/evil.txt",
        "a\nb.txt",
        "a\rb.txt",
        "nul\0.txt",
        "",
    ] {
        let error = refused(file_request(FileSource::from_bytes(name, &b"x"[..]))).await;
        assert!(
            matches!(error, ValidationError::InvalidFileName { .. }),
            "{name:?}: {error:?}"
        );
    }
}

#[test]
fn bad_module_names_cannot_be_made_so_cannot_be_sent() {
    assert!(matches!(
        CustomModule::new(""),
        Err(ValidationError::EmptyModule)
    ));
    for name in ["Leads/../Deals", "Le ads", "Leads?x=1", "Léads", "x\r\n"] {
        assert!(
            matches!(
                CustomModule::new(name),
                Err(ValidationError::InvalidModule { .. })
            ),
            "{name:?}"
        );
        assert!(name.parse::<Module>().is_err(), "{name:?}");
    }
    assert!(matches!(
        "".parse::<Module>(),
        Err(ValidationError::EmptyModule)
    ));
    assert!(matches!(
        "a/b".parse::<Module>(),
        Err(ValidationError::InvalidModule { .. })
    ));
    assert_eq!(
        "price_books".parse::<Module>().ok(),
        Some(Module::PriceBooks)
    );
}

#[tokio::test]
async fn record_ids_that_are_not_positive_integers_are_refused() {
    for id in [
        "",
        "0",
        "-1",
        "12.5",
        "abc",
        "1 2",
        "007",
        "1/2",
        "99999999999999999999999",
    ] {
        let error = refused(UploadAttachmentRequest::new(
            Module::Leads,
            id,
            FileSource::from_bytes("a.txt", &b"x"[..]),
        ))
        .await;
        assert!(
            matches!(&error, ValidationError::InvalidRecordId { value } if value == id),
            "{id:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn links_that_are_not_http_urls_are_refused() {
    for link in [
        "",
        "www.zohocorp.com",
        "ftp://x.com/f",
        "javascript:alert(1)",
        "https://",
        "https://a.com/\r\nX: y",
    ] {
        let server = server().await;
        let result = client(&server)
            .upload_link_attachment(UploadLinkAttachmentRequest::new(
                Module::Leads,
                RECORD,
                link,
            ))
            .await;
        assert_eq!(server.request_count(), 0, "a request was sent");
        let Err(Error::Validation(error)) = result else {
            panic!("{link:?}: {result:?}");
        };
        assert!(
            matches!(error, ValidationError::InvalidUrl { .. }),
            "{link:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn bad_tokens_and_base_urls_never_make_a_client() {
    let server = server().await;
    for token in ["", "  ", "abc\r\nX-Evil: 1", "abc\n"] {
        let built = zoho_crm::Client::builder()
            .base_url(server.base_url())
            .access_token(token)
            .build();
        assert!(
            matches!(built, Err(ConfigError::InvalidToken(_))),
            "{token:?}: {built:?}"
        );
    }
    let missing = zoho_crm::Client::builder()
        .base_url(server.base_url())
        .build();
    assert!(matches!(missing, Err(ConfigError::MissingToken)));
    let clear_text = zoho_crm::Client::builder()
        .base_url("http://www.zohoapis.com")
        .access_token("t")
        .build();
    assert!(matches!(
        clear_text,
        Err(ConfigError::InvalidBaseUrl { .. })
    ));
    assert!(matches!(
        "2".parse::<zoho_crm::ApiVersion>(),
        Err(ValidationError::InvalidVersion { .. })
    ));
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn the_token_never_appears_in_debug_output() {
    let server = server().await;
    let token = "1000.s3cr3t.t0k3n";
    let builder = zoho_crm::Client::builder()
        .base_url(server.base_url())
        .access_token(token);
    assert!(!format!("{builder:?}").contains("s3cr3t"));
    let Ok(client) = builder.build() else {
        panic!("client");
    };
    assert!(!format!("{client:?}").contains("s3cr3t"));
}

#[tokio::test]
async fn the_default_client_targets_the_spec_base_url() {
    let Ok(client) = zoho_crm::Client::builder().access_token("t").build() else {
        panic!("client");
    };
    assert_eq!(client.base_url(), zoho_crm::DEFAULT_BASE_URL);
    assert_eq!(client.api_version(), zoho_crm::DEFAULT_API_VERSION);
}

#[tokio::test]
async fn modules_of_later_versions_are_refused_before_them_and_accepted_from_them() {
    use zoho_crm::ApiVersion;
    let file = || FileSource::from_bytes("a.txt", &b"a"[..]);
    for (name, since, before) in [
        ("Calls", ApiVersion::V2_1, ApiVersion::V2),
        ("Appointments", ApiVersion::V3, ApiVersion::V2_1),
        ("Services", ApiVersion::V3, ApiVersion::V2_1),
    ] {
        let module: Module = match name.parse() {
            Ok(module) => module,
            Err(e) => panic!("{name}: {e}"),
        };
        assert!(!matches!(module, Module::Custom(_)), "{name} is built in");
        let error =
            refused(UploadAttachmentRequest::new(module.clone(), RECORD, file()).version(before))
                .await;
        assert!(
            matches!(&error, ValidationError::ModuleNotInVersion { module: m, since: s, .. }
                if m == name && *s == since.as_str()),
            "{name}: {error:?}"
        );
        let server = server().await;
        let client = client(&server);
        let request = UploadAttachmentRequest::new(module, RECORD, file()).version(since);
        let stored = client.upload_attachment(request).await;
        assert!(stored.is_ok(), "{name} on {since:?}: {stored:?}");
        let attachments = server.attachments();
        assert_eq!(attachments.len(), 1);
        assert_eq!(attachments[0].module, name);
    }
}
