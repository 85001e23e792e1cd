//! Uploads that succeed: the bytes the server stores are the bytes of the file, whatever its
//! size or name, and the typed response carries what the server answered.

mod support;

const THIS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/upload_roundtrip.rs");

use support::{RECORD, client, random_file, server, sha256, temp_dir, upload};
use zoho_crm::operations::{UploadAttachmentRequest, UploadLinkAttachmentRequest};
use zoho_crm::{FileSource, Module};
use zoho_crm_testkit::StoredContent;

const MIB: u64 = 1024 * 1024;

#[tokio::test]
async fn files_of_0_1_1mib_and_100mib_arrive_with_the_same_sha256() {
    let server = server().await;
    let client = client(&server);
    let dir = temp_dir();
    let sizes = [0, 1, MIB, 100 * MIB];
    for (index, size) in sizes.into_iter().enumerate() {
        let name = format!("random-{size}.bin");
        let (path, digest) = random_file(dir.path(), &name, size, index as u64 + 7);
        let response = client
            .upload_attachment(upload(FileSource::from_path(&path)))
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => panic!("upload of {size} bytes failed: {e}"),
        };
        assert_eq!(response.code, "SUCCESS");
        assert_eq!(response.status, "success");
        assert_eq!(response.message, "attachment uploaded successfully");
        let stored = server.attachments();
        let Some(last) = stored.last() else {
            panic!("nothing stored for {size} bytes");
        };
        assert_eq!(last.id, response.details.id);
        assert_eq!(last.module, "Leads");
        assert_eq!(last.record_id, RECORD);
        let StoredContent::File {
            file_name,
            size: stored_size,
            sha256: stored_digest,
            ..
        } = &last.content
        else {
            panic!("stored a link for a file upload");
        };
        assert_eq!(file_name, &name);
        assert_eq!(*stored_size, size);
        assert_eq!(*stored_digest, digest, "SHA-256 differs for {size} bytes");
    }
    assert_eq!(server.attachments().len(), sizes.len());
}

#[tokio::test]
async fn the_request_has_the_token_a_length_and_no_chunking() {
    let server = server().await;
    let client = client(&server);
    let result = client
        .upload_attachment(upload(FileSource::from_bytes("a.txt", &b"hello"[..])))
        .await;
    assert!(result.is_ok(), "{result:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, format!("/crm/v2/Leads/{RECORD}/Attachments"));
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Zoho-oauthtoken {}", server.token()).as_str())
    );
    assert!(
        request
            .content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("multipart/form-data; boundary=")),
        "{:?}",
        request.content_type
    );
    assert!(request.content_length.is_some_and(|l| l > 5));
    assert_eq!(request.transfer_encoding, None);
}

#[tokio::test]
async fn the_response_is_typed() {
    let server = server().await;
    let client = client(&server);
    let response = client
        .upload_attachment(upload(FileSource::from_bytes("a.txt", &b"x"[..])))
        .await;
    let Ok(response) = response else {
        panic!("{response:?}");
    };
    let details = &response.details;
    assert_eq!(details.id.len(), 18);
    assert!(details.id.bytes().all(|b| b.is_ascii_digit()));
    let created_by = details.created_by.as_ref();
    assert_eq!(
        created_by.and_then(|u| u.name.as_deref()),
        Some("Patricia Boyle")
    );
    assert_eq!(
        created_by.and_then(|u| u.id.as_deref()),
        Some("738964000000291009")
    );
    assert_eq!(
        details.modified_by.as_ref().and_then(|u| u.id.as_deref()),
        Some("738964000000291009")
    );
    assert_eq!(details.created_time, details.modified_time);
    let Some(created) = details.created_time else {
        panic!("no Created_Time: {details:?}");
    };
    let age = chrono::Utc::now().signed_duration_since(created);
    assert!(age.num_seconds().abs() < 60, "created {age} ago");
}

#[tokio::test]
async fn a_name_with_spaces_quotes_and_non_ascii_reaches_the_server() {
    let server = server().await;
    let client = client(&server);
    let dir = temp_dir();
    let name = "my \"quoted\" naïve résumé 報告.txt";
    let (path, digest) = random_file(dir.path(), name, 1000, 3);
    let result = client
        .upload_attachment(upload(FileSource::from_path(&path)))
        .await;
    assert!(result.is_ok(), "{result:?}");
    let stored = server.attachments();
    let Some(StoredContent::File {
        file_name, sha256, ..
    }) = stored.first().map(|a| &a.content)
    else {
        panic!("nothing stored");
    };
    // Quotes are percent-encoded the way browsers and curl send them; the rest is raw UTF-8.
    assert_eq!(file_name, "my %22quoted%22 naïve résumé 報告.txt");
    assert_eq!(*sha256, digest);
}

#[tokio::test]
async fn a_link_is_attached_as_the_attachment_url_field() {
    let server = server().await;
    let client = client(&server);
    let request = UploadLinkAttachmentRequest::new(
        Module::Contacts,
        RECORD,
        "https://www.zohocorp.com/a?b=c",
    );
    let response = client.upload_link_attachment(request).await;
    assert!(response.is_ok(), "{response:?}");
    let stored = server.attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].module, "Contacts");
    let StoredContent::Link { url } = &stored[0].content else {
        panic!("stored a file for a link");
    };
    assert_eq!(url, "https://www.zohocorp.com/a?b=c");
}

#[tokio::test]
async fn readers_and_bytes_upload_like_files() {
    let server = server().await;
    let client = client(&server);
    let data = b"streamed from a reader".to_vec();
    let reader = std::io::Cursor::new(data.clone());
    let from_reader = FileSource::from_reader("reader.txt", data.len() as u64, reader);
    let from_bytes = FileSource::from_bytes("bytes.txt", data.clone());
    let named = FileSource::from_path_named(THIS_FILE, "renamed.rs");
    for source in [from_reader, from_bytes, named] {
        let result = client.upload_attachment(upload(source)).await;
        assert!(result.is_ok(), "{result:?}");
    }
    let stored: Vec<(String, [u8; 32])> = server
        .attachments()
        .into_iter()
        .filter_map(|a| match a.content {
            StoredContent::File {
                file_name, sha256, ..
            } => Some((file_name, sha256)),
            StoredContent::Link { .. } => None,
        })
        .collect();
    let this_file = std::fs::read(THIS_FILE).unwrap_or_default();
    assert_eq!(
        stored,
        vec![
            ("reader.txt".to_owned(), sha256(&data)),
            ("bytes.txt".to_owned(), sha256(&data)),
            ("renamed.rs".to_owned(), sha256(&this_file)),
        ]
    );
}

#[tokio::test]
async fn custom_modules_and_api_versions_reach_the_path() {
    let server = server().await;
    let client = match zoho_crm::Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .api_version(zoho_crm::ApiVersion::V2_1)
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    };
    let module: Module = match "CustomModule1".parse() {
        Ok(module) => module,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(module.api_name(), "CustomModule1");
    assert!(matches!(module, Module::Custom(_)));
    let request =
        UploadAttachmentRequest::new(module, RECORD, FileSource::from_bytes("a.txt", &b"a"[..]));
    let result = client.upload_attachment(request).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        server.requests()[0].path,
        format!("/crm/v2.1/CustomModule1/{RECORD}/Attachments")
    );
}

#[tokio::test]
async fn a_reader_that_ends_early_fails_the_upload_and_nothing_is_stored() {
    let server = server().await;
    let client = client(&server);
    let short = FileSource::from_reader("short.bin", 1000, std::io::Cursor::new(vec![7u8; 10]));
    let result = client.upload_attachment(upload(short)).await;
    let Err(
        error @ zoho_crm::Error::Transport {
            message,
            may_have_been_processed,
            ..
        },
    ) = &result
    else {
        panic!("{result:?}");
    };
    assert!(!may_have_been_processed);
    assert!(
        message.contains("990 bytes before its declared length"),
        "{message}"
    );
    // The causes are kept, not only their text: the chain leads to reqwest's error and on to
    // the I/O error of the file.
    let source = std::error::Error::source(error);
    assert!(
        source.is_some_and(|s| s.downcast_ref::<reqwest::Error>().is_some()),
        "{source:?}"
    );
    let eof = std::iter::successors(source, |e| e.source()).any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::UnexpectedEof)
    });
    assert!(eof, "{error:?}");
    assert!(server.attachments().is_empty());
}
