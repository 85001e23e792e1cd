//! Contract rows for record photos, the file store and the record operations of file fields:
//! each example response Zoho publishes in `v8.0/record_photo/record_photo.yaml`,
//! `v8.0/files/files.yaml` and `v8.0/record/operations/{getRecord,updateRecord}/examples` (the
//! table in `files_fixtures.rs`) is served once by the test kit and decoded by a client that
//! never retries; the row asserts the typed variant, status, code, message and details of an
//! error (from a top-level error or the first item of `data`), and the decoded value of a
//! success (the file store's ids and names in order, a download's bytes and media type, `None`
//! for a 204, a record's id and its other fields in `extra`, an update's id, message and extra
//! details). The record operations' error rows must also be documented cases of the spec, with
//! the example's status and message.

use serde_json::{Value, json};
use zoho_crm::operations::{
    DeletePhotoError, DeletePhotoRequest, DownloadFileError, DownloadFileRequest,
    DownloadPhotoError, DownloadPhotoRequest, GetRecordError, GetRecordRequest, UpdateRecordError,
    UpdateRecordRequest, UploadFilesError, UploadFilesRequest, UploadPhotoError,
    UploadPhotoRequest,
};
use zoho_crm::{
    ApiVersion, Client, DocumentedError, Download, Error, FileSource, Module, RetryPolicy,
};
use zoho_crm_testkit::{CannedReply, LoopbackServer};

use super::files_fixtures::{self as rows, Example, Expect, Reply};
use super::support::RECORD;

/// What a call gave, the same shape for every operation.
#[derive(Debug, PartialEq)]
enum Got {
    /// An API error: its variant's name, status, code, message and details.
    Error {
        variant: &'static str,
        status: u16,
        code: String,
        message: String,
        details: Value,
    },
    Done(String),
    /// A record read: its id and `extra`.
    Record(String, Value),
    /// A record update: the details' id, the message and the details' `extra`.
    Updated(String, String, Value),
    Stored(Vec<(String, String)>),
    Content(Option<String>, Vec<u8>),
    Nothing,
    /// Anything else, as text.
    Other(String),
}

/// An operation's error enum, read through its own accessors.
trait Variant {
    /// Its variant's name.
    fn variant(&self) -> &'static str;
    /// Its status, code, message and details.
    fn parts(&self) -> (u16, String, String, Value);
}

macro_rules! variants {
    ($error:ident { $($name:ident),* $(,)? }) => {
        impl Variant for $error {
            fn variant(&self) -> &'static str {
                match self {
                    $($error::$name(..) => stringify!($name),)*
                    _ => "another variant",
                }
            }
            fn parts(&self) -> (u16, String, String, Value) {
                (
                    self.http_status(),
                    self.code().to_owned(),
                    self.message().to_owned(),
                    Value::Object(self.details().clone()),
                )
            }
        }
    };
}

variants!(UploadPhotoError {
    InvalidUrlPattern,
    CannotPerformAction,
    NotReviewed,
    NotApproved,
    RecordLocked,
    FileSizeExceeds,
    FileResolutionExceeds,
    InvalidData,
    Unknown,
});
variants!(DownloadPhotoError {
    InvalidUrlPattern,
    InvalidData,
    Unknown
});
variants!(DeletePhotoError {
    InvalidUrlPattern,
    InvalidData,
    Unknown
});
variants!(UploadFilesError {
    FailureInAttachmentHandling,
    InvalidRequest,
    FileSizeMoreThanAllowedSize,
    Unknown,
});
variants!(DownloadFileError {
    RequiredParamMissing,
    InvalidData,
    Unknown
});
variants!(GetRecordError {
    ExpiredValue,
    InvalidModule,
    TokenBoundDataMismatch,
    Unknown,
});
variants!(UpdateRecordError {
    AuthorizationFailed,
    DuplicateData,
    InvalidData,
    LimitExceeded,
    MandatoryNotFound,
    NotApproved,
    NotReviewed,
    Unknown,
});

fn failed<E>(error: Error<E>) -> Got
where
    E: Variant + zoho_crm::OperationError,
{
    match error {
        Error::Api(api) => {
            let (status, code, message, details) = api.parts();
            Got::Error {
                variant: api.variant(),
                status,
                code,
                message,
                details,
            }
        }
        other => Got::Other(format!("{other:?}")),
    }
}

async fn content(download: Option<Download>) -> Got {
    let Some(download) = download else {
        return Got::Nothing;
    };
    let content_type = download.content_type().map(str::to_owned);
    let mut bytes = Vec::new();
    match download.write_to(&mut bytes).await {
        Ok(_) => Got::Content(content_type, bytes),
        Err(e) => Got::Other(format!("reading the download: {e}")),
    }
}

/// One of the operations these rows run.
#[derive(Clone, Copy, Debug)]
enum Op {
    UploadPhoto,
    DownloadPhoto,
    DeletePhoto,
    UploadFiles,
    DownloadFile,
    GetRecord,
    UpdateRecord,
}

async fn call(op: Op, client: &Client) -> Got {
    let v8 = ApiVersion::V8;
    match op {
        Op::UploadPhoto => {
            let photo = FileSource::from_bytes("portrait.png", rows::PHOTO);
            let request = UploadPhotoRequest::new(Module::Leads, RECORD, photo).version(v8);
            match client.upload_photo(request).await {
                Ok(done) if done.details == Default::default() => Got::Done(done.message),
                Ok(done) => Got::Other(format!("details: {done:?}")),
                Err(e) => failed(e),
            }
        }
        Op::DownloadPhoto => {
            let request = DownloadPhotoRequest::new(Module::Leads, RECORD).version(v8);
            match client.download_photo(request).await {
                Ok(download) => content(download).await,
                Err(e) => failed(e),
            }
        }
        Op::DeletePhoto => {
            let request = DeletePhotoRequest::new(Module::Leads, RECORD).version(v8);
            match client.delete_photo(request).await {
                Ok(done) => Got::Done(done.message),
                Err(e) => failed(e),
            }
        }
        Op::UploadFiles => {
            let files = [
                FileSource::from_bytes("floor-plan.pdf", b"%PDF-1.7\n".as_slice()),
                FileSource::from_bytes("site-photo.png", rows::PHOTO),
            ];
            match client
                .upload_files(UploadFilesRequest::new(files).version(v8))
                .await
            {
                Ok(results) => {
                    let mut stored = Vec::new();
                    for result in results {
                        match result {
                            Ok(file) => stored.push((
                                file.details.id.clone(),
                                file.details.name.clone().unwrap_or_default(),
                            )),
                            Err(e) => return Got::Other(format!("an item failed: {e}")),
                        }
                    }
                    Got::Stored(stored)
                }
                Err(e) => failed(e),
            }
        }
        Op::DownloadFile => {
            let request = DownloadFileRequest::new(rows::STORED_ID_1).version(v8);
            match client.download_file(request).await {
                Ok(download) => content(download).await,
                Err(e) => failed(e),
            }
        }
        Op::GetRecord => {
            // Asks for the example's fields by API name.
            let fields = match rows::lead_fields() {
                Value::Object(fields) => fields.keys().cloned().collect(),
                _ => Vec::new(),
            };
            let request = GetRecordRequest::new(Module::Leads, RECORD)
                .fields(fields)
                .version(v8);
            match client.get_record(request).await {
                Ok(page) => match page.data.as_slice() {
                    [record] => Got::Record(record.id.clone(), Value::Object(record.extra.clone())),
                    other => Got::Other(format!("{} records", other.len())),
                },
                Err(e) => failed(e),
            }
        }
        Op::UpdateRecord => {
            let data = json!([{ "Company": "Halden Mills" }]);
            let request = UpdateRecordRequest::new(Module::Leads, RECORD, data).version(v8);
            match client.update_record(request).await {
                Ok(done) => Got::Updated(
                    done.details.id.clone(),
                    done.message.clone(),
                    Value::Object(done.details.extra.clone()),
                ),
                Err(e) => failed(e),
            }
        }
    }
}

/// The error of an error row's reply: the body, or the first item of its `data` list.
fn error_item(body: &Value) -> &Value {
    match body.get("data").and_then(|data| data.get(0)) {
        Some(item) => item,
        None => body,
    }
}

/// What the row expects, in the shape of [`Got`].
fn expected(example: &Example) -> Got {
    match &example.expect {
        Expect::Error(variant) => {
            let Reply::Json(body) = &example.reply else {
                return Got::Other("an error row needs a JSON body".to_owned());
            };
            let item = error_item(body);
            let text = |key: &str| item[key].as_str().unwrap_or_default().to_owned();
            Got::Error {
                variant,
                status: example.status,
                code: text("code"),
                message: text("message"),
                details: item["details"].clone(),
            }
        }
        Expect::Done(message) => Got::Done((*message).to_owned()),
        Expect::Record(id, fields) => Got::Record((*id).to_owned(), fields.clone()),
        Expect::Updated(id, message, extra) => {
            Got::Updated((*id).to_owned(), (*message).to_owned(), extra.clone())
        }
        Expect::Stored(files) => Got::Stored(
            files
                .iter()
                .map(|(id, name)| ((*id).to_owned(), (*name).to_owned()))
                .collect(),
        ),
        Expect::Content(content_type, bytes) => {
            Got::Content(Some((*content_type).to_owned()), bytes.to_vec())
        }
        Expect::Nothing => Got::Nothing,
    }
}

async fn run_row(op: Op, example: &Example) -> Result<(), String> {
    let server = LoopbackServer::start()
        .await
        .map_err(|e| format!("cannot start the test kit: {e}"))?;
    let client = Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .retry_policy(RetryPolicy::never())
        .build()
        .map_err(|e| format!("cannot build the client: {e}"))?;
    server.respond_next_with(match &example.reply {
        Reply::Json(body) => CannedReply::json(example.status, body.clone()),
        Reply::Binary {
            content_type,
            bytes,
        } => CannedReply::raw(example.status, Some(content_type), bytes.to_vec()),
        Reply::Empty => CannedReply::raw(example.status, None, Vec::new()),
    });
    let got = call(op, &client).await;
    if server.request_count() != 1 {
        return Err(format!("{} requests sent, not 1", server.request_count()));
    }
    let want = expected(example);
    if got == want {
        Ok(())
    } else {
        Err(format!("got {got:?}, expected {want:?}"))
    }
}

#[tokio::test]
async fn zoho_photo_file_store_and_record_examples_decode_to_their_typed_results() {
    let table = [
        (Op::UploadPhoto, "uploadRecordPhoto", rows::upload_photo()),
        (
            Op::DownloadPhoto,
            "getRecordPhoto",
            rows::get_record_photo(),
        ),
        (
            Op::DeletePhoto,
            "deleteRecordPhoto",
            rows::delete_record_photo(),
        ),
        (Op::UploadFiles, "uploadFiles", rows::upload_files()),
        (Op::DownloadFile, "getFile", rows::get_file()),
        (Op::GetRecord, "getRecord", rows::get_record()),
        (Op::UpdateRecord, "updateRecord", rows::update_record()),
    ];
    let mut failures = Vec::new();
    let mut count = 0;
    for (op, zoho, examples) in &table {
        for example in examples {
            count += 1;
            if let Err(e) = run_row(*op, example).await {
                failures.push(format!("{zoho} {} ({op:?}): {e}", example.name));
            }
        }
    }
    assert_eq!(count, 40, "rows run");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether `table` has a case with the error row's code, status and message (messages compared
/// without regard to case, as the client does).
fn documents(table: &[DocumentedError], example: &Example) -> Result<(), String> {
    let Reply::Json(body) = &example.reply else {
        return Err("an error row needs a JSON body".to_owned());
    };
    let item = error_item(body);
    let (code, message) = (item["code"].as_str(), item["message"].as_str());
    let found = table.iter().any(|case| {
        Some(case.code) == code
            && case.status == example.status
            && case.message.is_some_and(|documented| {
                message.is_some_and(|message| documented.eq_ignore_ascii_case(message))
            })
    });
    if found {
        Ok(())
    } else {
        Err(format!(
            "no documented case {code:?}, HTTP {}, {message:?}",
            example.status
        ))
    }
}

#[test]
fn every_error_of_zoho_record_examples_is_a_documented_case_with_its_message() {
    let table = [
        (GetRecordError::DOCUMENTED, "getRecord", rows::get_record()),
        (
            UpdateRecordError::DOCUMENTED,
            "updateRecord",
            rows::update_record(),
        ),
    ];
    let mut failures = Vec::new();
    let mut count = 0;
    for (documented, zoho, examples) in &table {
        for example in examples {
            if matches!(example.expect, Expect::Error(_)) {
                count += 1;
                if let Err(e) = documents(documented, example) {
                    failures.push(format!("{zoho} {}: {e}", example.name));
                }
            }
        }
    }
    assert_eq!(count, 12, "error rows checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
