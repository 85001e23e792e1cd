//! The whole attachments API against the loopback server: upload -> list (across pages) ->
//! download (bytes compared) -> delete -> list (gone), for files and links, on v2 and v8, and
//! each operation's bad input.

mod support;

use futures_util::StreamExt as _;
use support::{RECORD, client, random_file, server, sha256, temp_dir};
use zoho_crm::operations::{
    DeleteAttachmentRequest, DeleteAttachmentsRequest, DownloadAttachmentError,
    DownloadAttachmentRequest, ListAttachmentsError, ListAttachmentsRequest,
    UploadAttachmentRequest, UploadLinkAttachmentRequest,
};
use zoho_crm::{ApiVersion, Client, DownloadError, Error, FileSource, Module, ValidationError};
use zoho_crm_testkit::{Disposition, EmptyList, Fault, LoopbackServer};

const FIELDS: [&str; 5] = ["id", "File_Name", "Size", "$type", "$link_url"];

fn versioned(server: &LoopbackServer, version: ApiVersion) -> Client {
    match Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .api_version(version)
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    }
}

async fn list_all(client: &Client, per_page: i64) -> Vec<zoho_crm::types::Attachment> {
    let request = ListAttachmentsRequest::new(Module::Leads, RECORD)
        .fields(FIELDS)
        .per_page(per_page);
    let items: Vec<_> = client.list_attachments_stream(request).collect().await;
    items
        .into_iter()
        .map(|item| match item {
            Ok(item) => item,
            Err(e) => panic!("listing failed: {e}"),
        })
        .collect()
}

async fn round_trip(version: ApiVersion) {
    let server = server().await;
    let client = versioned(&server, version);
    let dir = temp_dir();
    let mut expected = Vec::new();
    for index in 0..5u64 {
        let name = format!("file-{index}.bin");
        let (path, digest) = random_file(dir.path(), &name, 10_000 + index * 777, index + 1);
        let uploaded = client
            .upload_attachment(UploadAttachmentRequest::new(
                Module::Leads,
                RECORD,
                FileSource::from_path(&path),
            ))
            .await;
        let Ok(uploaded) = uploaded else {
            panic!("{uploaded:?}");
        };
        expected.push((uploaded.details.id, name, 10_000 + index * 777, digest));
    }
    let mut link =
        UploadLinkAttachmentRequest::new(Module::Leads, RECORD, "https://www.zohocorp.com/");
    if version != ApiVersion::V2 {
        link = link.title("Zoho");
    }
    let linked = client.upload_link_attachment(link).await;
    let Ok(linked) = linked else {
        panic!("{linked:?}");
    };
    let link_id = linked.details.id;

    // Two per page: three pages, walked lazily to the end.
    let listed = list_all(&client, 2).await;
    assert_eq!(listed.len(), 6, "{listed:?}");
    for (id, name, size, _) in &expected {
        let Some(item) = listed.iter().find(|a| &a.id == id) else {
            panic!("{id} not listed");
        };
        assert_eq!(item.file_name.as_deref(), Some(name.as_str()));
        assert_eq!(
            item.size,
            Some(*size),
            "Size arrives as a string and is read as a number"
        );
        assert_eq!(item.kind.as_deref(), Some("File"));
    }
    let Some(link_item) = listed.iter().find(|a| a.id == link_id) else {
        panic!("link not listed");
    };
    assert_eq!(link_item.kind.as_deref(), Some("Link URL"));
    assert_eq!(
        link_item.link_url.as_deref(),
        Some("https://www.zohocorp.com/")
    );

    for (id, name, _, digest) in &expected {
        let out = dir.path().join(format!("downloaded-{id}"));
        let download = client
            .download_attachment(DownloadAttachmentRequest::new(
                Module::Leads,
                RECORD,
                id.clone(),
            ))
            .await;
        let Ok(Some(download)) = download else {
            panic!("{download:?}");
        };
        assert_eq!(download.file_name(), Some(name.as_str()));
        let saved = download.save_to(&out).await;
        assert!(saved.is_ok(), "{saved:?}");
        let bytes = std::fs::read(&out).unwrap_or_default();
        assert_eq!(sha256(&bytes), *digest, "downloaded bytes of {name}");
    }

    let deleted = client
        .delete_attachment(DeleteAttachmentRequest::new(
            Module::Leads,
            RECORD,
            link_id.clone(),
        ))
        .await;
    let Ok(deleted) = deleted else {
        panic!("{deleted:?}");
    };
    assert_eq!(deleted.details.id, link_id);
    let ids: Vec<String> = expected.iter().map(|(id, ..)| id.clone()).collect();
    let results = client
        .delete_attachments(DeleteAttachmentsRequest::new(
            Module::Leads,
            RECORD,
            ids.clone(),
        ))
        .await;
    let Ok(results) = results else {
        panic!("{results:?}");
    };
    assert_eq!(results.len(), ids.len());
    for (id, result) in ids.iter().zip(&results) {
        assert_eq!(
            result.as_ref().map(|r| r.details.id.clone()).ok().as_ref(),
            Some(id)
        );
    }
    assert!(
        list_all(&client, 200).await.is_empty(),
        "everything is gone"
    );
    assert_eq!(server.attachment_count(), 0);
}

#[tokio::test]
async fn round_trip_on_v2() {
    round_trip(ApiVersion::V2).await;
}

#[tokio::test]
async fn round_trip_on_v8_follows_page_tokens() {
    round_trip(ApiVersion::V8).await;
}

#[tokio::test]
async fn the_v8_paginator_uses_page_tokens() {
    let server = server().await;
    let client = versioned(&server, ApiVersion::V8);
    for index in 0..5 {
        server.insert_file("Leads", RECORD, &format!("f{index}.txt"), b"x");
    }
    assert_eq!(list_all(&client, 2).await.len(), 5);
    let queries: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.query.clone())
        .collect();
    assert_eq!(queries.len(), 3, "{queries:?}");
    assert!(!queries[0].contains("page_token"), "{queries:?}");
    assert!(
        queries[1].contains("page_token=") && queries[2].contains("page_token="),
        "{queries:?}"
    );
}

#[tokio::test]
async fn an_empty_listing_is_empty_in_both_forms() {
    let server = server().await;
    let client = client(&server);
    for style in [EmptyList::NoContent, EmptyList::EmptyData] {
        server.set_empty_list_style(style);
        let page = client
            .list_attachments(ListAttachmentsRequest::new(Module::Leads, RECORD))
            .await;
        let Ok(page) = page else {
            panic!("{style:?}: {page:?}");
        };
        assert!(page.data.is_empty(), "{style:?}");
        assert!(list_all(&client, 10).await.is_empty());
    }
}

#[tokio::test]
async fn listing_parameters_are_checked_before_sending() {
    let server = server().await;
    let v2 = client(&server);
    let v3 = versioned(&server, ApiVersion::V3);
    let base = || ListAttachmentsRequest::new(Module::Leads, RECORD);
    let cases: Vec<(&Client, ListAttachmentsRequest, &str)> = vec![
        (&v2, base().per_page(0), "per_page"),
        (&v2, base().per_page(201), "per_page"),
        (&v2, base().page(0), "page"),
        (&v2, base().ids(Vec::<String>::new()), "ids"),
        (&v2, base().ids(["12", "abc"]), "ids"),
        (&v2, base().fields(["File_Name,Size"]), "fields"),
        (&v2, base().page_token("abc"), "page_token"),
        (&v3, base(), "fields"),
    ];
    for (client, request, name) in cases {
        let described = format!("{request:?}");
        let result = client.list_attachments(request).await;
        let Err(Error::Validation(error)) = &result else {
            panic!("{described}: {result:?}");
        };
        assert!(error.to_string().contains(name), "{described}: {error}");
    }
    let missing = v3.list_attachments(base()).await;
    assert!(matches!(
        missing,
        Err(Error::Validation(ValidationError::MissingParameter {
            name: "fields",
            required_from: "v3",
            ..
        }))
    ));
    let per_call = v2.list_attachments(base().version(ApiVersion::V3)).await;
    assert!(matches!(
        per_call,
        Err(Error::Validation(ValidationError::MissingParameter { .. }))
    ));
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn the_server_requires_fields_from_v3_with_a_typed_error() {
    let server = server().await;
    let client = versioned(&server, ApiVersion::V3);
    server.push_fault(Fault::Reply(zoho_crm_testkit::CannedReply::json(
        400,
        serde_json::json!({"code":"REQUIRED_PARAM_MISSING","details":{"param_name":"fields"},"message":"One of the expected parameter is missing","status":"error"}),
    )));
    let result = client
        .list_attachments(ListAttachmentsRequest::new(Module::Leads, RECORD).fields(["id"]))
        .await;
    let Err(Error::Api(error @ ListAttachmentsError::RequiredParamMissing(_))) = result else {
        panic!("{result:?}");
    };
    assert_eq!(
        error.details().get("param_name"),
        Some(&serde_json::json!("fields"))
    );
}

#[tokio::test]
async fn downloads_of_links_and_unknown_ids_are_told_apart() {
    let server = server().await;
    let client = client(&server);
    let link = server.insert_link("Leads", RECORD, "https://www.zohocorp.com", None);
    let result = client
        .download_attachment(DownloadAttachmentRequest::new(Module::Leads, RECORD, link))
        .await;
    let Err(Error::Api(DownloadAttachmentError::DownloadNotAllowed(_))) = result else {
        panic!("{result:?}");
    };
    let unknown = client
        .download_attachment(DownloadAttachmentRequest::new(
            Module::Leads,
            RECORD,
            "123456789",
        ))
        .await;
    assert!(matches!(unknown, Ok(None)), "{unknown:?}");
    let bad_id = client
        .download_attachment(DownloadAttachmentRequest::new(
            Module::Leads,
            RECORD,
            "../x",
        ))
        .await;
    assert!(matches!(bad_id, Err(Error::Validation(_))), "{bad_id:?}");
}

#[tokio::test]
async fn file_names_from_either_disposition_form_are_used_safely() {
    let server = server().await;
    let client = client(&server);
    let dir = temp_dir();
    let name = "naïve résumé \"2024\".pdf";
    for (index, style) in [Disposition::Quoted, Disposition::Rfc5987, Disposition::Both]
        .into_iter()
        .enumerate()
    {
        server.set_disposition_style(style);
        let id = server.insert_file("Leads", RECORD, name, b"pdf bytes");
        let download = client
            .download_attachment(DownloadAttachmentRequest::new(Module::Leads, RECORD, id))
            .await;
        let Ok(Some(download)) = download else {
            panic!("{download:?}");
        };
        assert_eq!(download.file_name(), Some(name), "{style:?}");
        let target = dir.path().join(format!("{index}"));
        assert!(std::fs::create_dir(&target).is_ok());
        let saved = download.save_in_dir(&target, "fallback").await;
        assert_eq!(saved.ok(), Some(target.join(name)), "{style:?}");
    }
}

#[tokio::test]
async fn a_path_traversal_name_stays_in_the_target_directory() {
    let server = server().await;
    let client = client(&server);
    let dir = temp_dir();
    let target = dir.path().join("inside");
    assert!(std::fs::create_dir(&target).is_ok());
    for hostile in [
        r#"attachment; filename="../../etc/passwd""#,
        "attachment; filename*=UTF-8''..%2F..%2Fescape.txt",
        r#"attachment; filename="..""#,
    ] {
        let id = server.insert_file("Leads", RECORD, "x", b"hostile");
        server.push_fault(Fault::Disposition(hostile.to_owned()));
        let download = client
            .download_attachment(DownloadAttachmentRequest::new(
                Module::Leads,
                RECORD,
                id.clone(),
            ))
            .await;
        let Ok(Some(download)) = download else {
            panic!("{download:?}");
        };
        let saved = download
            .save_in_dir(&target, &format!("attachment-{id}"))
            .await;
        let Ok(path) = saved else {
            panic!("{hostile}: {saved:?}");
        };
        assert_eq!(
            path.parent(),
            Some(target.as_path()),
            "{hostile} escaped to {path:?}"
        );
    }
    let outside: Vec<_> = std::fs::read_dir(dir.path())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(outside, vec![std::ffi::OsString::from("inside")]);
}

#[tokio::test]
async fn a_download_cut_off_half_way_leaves_no_file() {
    let server = server().await;
    let client = client(&server);
    let dir = temp_dir();
    let (path, _) = random_file(dir.path(), "big.bin", 3 * 1024 * 1024, 4);
    let bytes = std::fs::read(&path).unwrap_or_default();
    let id = server.insert_file("Leads", RECORD, "big.bin", &bytes);
    server.push_fault(Fault::TruncateBody {
        after_bytes: 1024 * 1024,
    });
    let target = dir.path().join("out.bin");
    let download = client
        .download_attachment(DownloadAttachmentRequest::new(Module::Leads, RECORD, id))
        .await;
    let Ok(Some(download)) = download else {
        panic!("{download:?}");
    };
    let result = download.save_to(&target).await;
    assert!(
        matches!(result, Err(DownloadError::Incomplete { expected, .. }) if expected == 3 * 1024 * 1024)
            || matches!(result, Err(DownloadError::Transport { .. })),
        "{result:?}"
    );
    assert!(!target.exists(), "a partial file was left behind");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("big.bin")],
        "temporary files remain"
    );
}

#[tokio::test]
async fn deleting_unknown_ids_reports_each_one() {
    let server = server().await;
    let client = client(&server);
    let known = server.insert_file("Leads", RECORD, "a.txt", b"a");
    let results = client
        .delete_attachments(DeleteAttachmentsRequest::new(
            Module::Leads,
            RECORD,
            [known.clone(), "111111111".to_owned()],
        ))
        .await;
    let Ok(results) = results else {
        panic!("{results:?}");
    };
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok(), "{:?}", results[0]);
    let Err(error) = &results[1] else {
        panic!("an unknown id was deleted");
    };
    assert!(error.is_invalid_data(), "{error:?}");
    let single = client
        .delete_attachment(DeleteAttachmentRequest::new(
            Module::Leads,
            RECORD,
            "222222222",
        ))
        .await;
    assert!(
        matches!(&single, Err(Error::Api(e)) if e.is_invalid_data()),
        "{single:?}"
    );
    let empty = client
        .delete_attachments(DeleteAttachmentsRequest::new(
            Module::Leads,
            RECORD,
            Vec::<String>::new(),
        ))
        .await;
    assert!(matches!(
        empty,
        Err(Error::Validation(ValidationError::OutOfRange {
            name: "ids",
            ..
        }))
    ));
}

#[tokio::test]
async fn a_link_title_needs_v2_1() {
    let server = server().await;
    let v2 = client(&server);
    let request =
        UploadLinkAttachmentRequest::new(Module::Leads, RECORD, "https://x.com").title("t");
    let result = v2.upload_link_attachment(request).await;
    assert!(matches!(
        result,
        Err(Error::Validation(ValidationError::ParameterNotInVersion {
            name: "title",
            since: "v2.1",
            ..
        }))
    ));
    let request = UploadLinkAttachmentRequest::new(Module::Leads, RECORD, "https://x.com")
        .title("Zoho")
        .version(ApiVersion::V2_1);
    let result = v2.upload_link_attachment(request).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(server.attachments()[0].title.as_deref(), Some("Zoho"));
}
