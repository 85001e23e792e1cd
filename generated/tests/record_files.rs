//! A record's other files through the SDK, against the test kit: its photo (upload, download
//! without a file name, delete, modules without photos refused before sending), the file store
//! (several files in one request, one id each) and file-upload fields (read with the record,
//! set with a JSON update that keeps existing entries, downloaded by entry id).

mod support;

use support::{RECORD, client, server};
use zoho_crm::operations::{
    DeletePhotoRequest, DownloadFieldFileRequest, DownloadFileRequest, DownloadPhotoRequest,
    GetRecordRequest, Operation, UpdateRecordRequest, UploadFilesRequest, UploadPhotoRequest,
};
use zoho_crm::types::FileFieldValue;
use zoho_crm::{Download, Error, FileSource, JsonValue, Module, ValidationError, scopes};
use zoho_crm_testkit::image::png_header;

/// The bytes of a download, read whole (the files here are small).
async fn bytes_of(download: Download) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = download.write_to(&mut out).await {
        panic!("download: {e}");
    }
    out
}

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn a_photo_is_set_downloaded_without_a_file_name_and_deleted() {
    let server = server().await;
    let client = client(&server);
    let png = png_header(40, 30);
    let request = UploadPhotoRequest::new(
        Module::Contacts,
        RECORD,
        FileSource::from_bytes("face.png", png.clone()),
    );
    let stored = ok(client.upload_photo(request).await);
    assert_eq!(stored.code, "SUCCESS");
    assert_eq!(
        server.photo("Contacts", RECORD).map(|p| p.bytes),
        Some(png.clone())
    );

    let download = ok(client
        .download_photo(DownloadPhotoRequest::new(Module::Contacts, RECORD))
        .await);
    let Some(download) = download else {
        panic!("the photo was not found");
    };
    assert_eq!(download.file_name(), None);
    assert_eq!(download.content_type(), Some("image/png"));
    assert_eq!(bytes_of(download).await, png);

    ok(client
        .delete_photo(DeletePhotoRequest::new(Module::Contacts, RECORD))
        .await);
    let gone = ok(client
        .download_photo(DownloadPhotoRequest::new(Module::Contacts, RECORD))
        .await);
    assert!(gone.is_none(), "a record without a photo downloads as None");
}

#[tokio::test]
async fn a_photo_for_a_module_without_photos_is_refused_before_sending() {
    let server = server().await;
    let client = client(&server);
    let request = UploadPhotoRequest::new(
        Module::Tasks,
        RECORD,
        FileSource::from_bytes("face.png", png_header(4, 4)),
    );
    let refused = client.upload_photo(request).await;
    assert!(
        matches!(
            &refused,
            Err(Error::Validation(ValidationError::ModuleNotSupported {
                parameter: "module_api_name",
                ..
            }))
        ),
        "{refused:?}"
    );
    // Custom modules may have photos.
    let custom = ok("CustomModule1".parse::<Module>());
    let request = UploadPhotoRequest::new(
        custom,
        RECORD,
        FileSource::from_bytes("face.png", png_header(4, 4)),
    );
    ok(client.upload_photo(request).await);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_text_file_or_an_eleven_megapixel_png_as_a_photo_is_refused_before_sending() {
    let server = server().await;
    let client = client(&server);
    let upload = |name: &str, bytes: Vec<u8>| {
        UploadPhotoRequest::new(Module::Leads, RECORD, FileSource::from_bytes(name, bytes))
    };
    let text = client
        .upload_photo(upload("notes.png", b"just some words".to_vec()))
        .await;
    assert!(
        matches!(
            &text,
            Err(Error::Validation(ValidationError::NotAnImage {
                found: None,
                ..
            }))
        ),
        "{text:?}"
    );
    let huge = client
        .upload_photo(upload("huge.png", png_header(4000, 2750)))
        .await;
    assert!(
        matches!(
            &huge,
            Err(Error::Validation(ValidationError::TooManyPixels {
                pixels: 11_000_000,
                limit: 10_000_000,
                ..
            }))
        ),
        "{huge:?}"
    );
    let exactly = client
        .upload_photo(upload("edge.png", png_header(4000, 2500)))
        .await;
    assert!(
        exactly.is_ok(),
        "10 megapixels exactly is allowed: {exactly:?}"
    );
    assert_eq!(server.request_count(), 1, "only the allowed photo was sent");
}

#[tokio::test]
async fn the_file_store_takes_several_files_in_one_request_and_gives_an_id_each() {
    let server = server().await;
    let client = client(&server);
    let files = [("a.pdf", &b"%PDF-a"[..]), ("b.txt", &b"bee"[..])]
        .map(|(name, bytes)| FileSource::from_bytes(name, bytes));
    let results = ok(client.upload_files(UploadFilesRequest::new(files)).await);
    let stored: Vec<(String, Option<String>)> = results
        .into_iter()
        .map(|result| {
            let result = ok(result);
            (result.details.id, result.details.name)
        })
        .collect();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].1.as_deref(), Some("a.pdf"));
    assert_eq!(stored[1].1.as_deref(), Some("b.txt"));
    assert_eq!(server.request_count(), 1, "both files went in one request");
    for ((id, _), expected) in stored.iter().zip([&b"%PDF-a"[..], &b"bee"[..]]) {
        assert_eq!(server.stored_file_content(id).as_deref(), Some(expected));
        let download = ok(client.download_file(DownloadFileRequest::new(id)).await);
        let Some(download) = download else {
            panic!("{id} not found");
        };
        assert_eq!(bytes_of(download).await, expected);
    }
    let eleven = (0..11).map(|i| FileSource::from_bytes(format!("{i}.txt"), &b"x"[..]));
    let refused = client.upload_files(UploadFilesRequest::new(eleven)).await;
    assert!(
        matches!(
            refused,
            Err(Error::Validation(ValidationError::OutOfRange {
                value: 11,
                ..
            }))
        ),
        "{refused:?}"
    );
    assert_eq!(server.request_count(), 3, "the eleven files were not sent");
}

#[tokio::test]
async fn a_file_field_is_read_extended_keeping_its_entries_and_downloaded() {
    let server = server().await;
    server.add_file_field("Deals", "PO", 5);
    let client = client(&server);
    let old = server.insert_field_file("Deals", RECORD, "PO", "old.pdf", b"old bytes");

    let stored = ok(client
        .upload_files(UploadFilesRequest::new([FileSource::from_bytes(
            "new.pdf",
            &b"new bytes"[..],
        )]))
        .await);
    let Some(Ok(stored)) = stored.into_iter().next() else {
        panic!("no stored file");
    };
    let mut entry = FileFieldValue::default();
    entry.file_id = Some(stored.details.id.clone());
    let data = serde_json::json!([{ "PO": [entry] }]);
    assert_eq!(
        data,
        serde_json::json!([{"PO": [{"File_Id__s": stored.details.id}]}])
    );
    let updated = ok(client
        .update_record(UpdateRecordRequest::new(Module::Deals, RECORD, data))
        .await);
    assert_eq!(updated.details.id, RECORD);

    let page = ok(client
        .get_record(GetRecordRequest::new(Module::Deals, RECORD).fields(["PO"]))
        .await);
    let Some(record) = page.data.first() else {
        panic!("no record");
    };
    let entries: Vec<FileFieldValue> = match record.extra.get("PO") {
        Some(JsonValue::Array(items)) => items
            .iter()
            .map(|item| ok(serde_json::from_value(item.clone())))
            .collect(),
        other => panic!("PO is {other:?}"),
    };
    let names: Vec<Option<&str>> = entries.iter().map(|e| e.file_name.as_deref()).collect();
    assert_eq!(names, [Some("old.pdf"), Some("new.pdf")]);
    assert_eq!(entries[0].id.as_deref(), Some(old.as_str()));

    for (entry, expected) in entries.iter().zip([&b"old bytes"[..], &b"new bytes"[..]]) {
        let Some(id) = &entry.id else {
            panic!("an entry without an id");
        };
        let download = ok(client
            .download_field_file(DownloadFieldFileRequest::new(Module::Deals, RECORD, id))
            .await);
        let Some(download) = download else {
            panic!("{id} not found");
        };
        assert_eq!(bytes_of(download).await, expected);
    }
}

#[test]
fn the_file_store_asks_for_its_own_scope_and_photos_for_the_module_scope_alone() {
    assert_eq!(
        scopes::minimal_scopes(&[
            (Operation::UploadFiles, Module::Leads),
            (Operation::UploadPhoto, Module::Leads),
            (Operation::DownloadPhoto, Module::Contacts),
        ]),
        [
            "ZohoCRM.Files.CREATE",
            "ZohoCRM.modules.contacts.READ",
            "ZohoCRM.modules.leads.CREATE",
        ]
    );
    assert!(
        scopes::check_granted(
            "ZohoCRM.modules.ALL",
            &[(Operation::UploadPhoto, Module::Leads)]
        )
        .is_ok()
    );
    assert!(
        scopes::check_granted(
            "ZohoCRM.modules.ALL",
            &[(Operation::UploadFiles, Module::Leads)]
        )
        .is_err(),
        "the all-modules scope is not the file store's"
    );
    assert!(
        scopes::check_granted(
            "ZohoCRM.files.CREATE",
            &[(Operation::UploadFiles, Module::Leads)]
        )
        .is_ok(),
        "scopes compare without regard to case"
    );
}
