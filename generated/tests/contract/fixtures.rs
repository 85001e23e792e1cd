//! The example table of the contract tests: one row per response Zoho publishes for its CRM v8
//! attachments API (`zoho/crm-oas`, `v8.0/attachments/`, one example per case), plus a few rows
//! we add for responses Zoho documents without an example body or cases the issue asks about.
//!
//! Each row keeps the facts of Zoho's example (HTTP status, code, message, the keys of
//! `details`, which fields appear, which are null) and uses our own values: ids, names,
//! e-mail addresses, times, file names and URLs are made up here.

use serde_json::{Value, json};

/// Where a row comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// An example Zoho publishes for the operation.
    Published,
    /// A row we add: a response Zoho documents without an example body, a published shape of
    /// another of its attachment operations, or a case the SDK must handle (see its name).
    Added,
}

/// What the test kit sends back.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A JSON body.
    Json(Value),
    /// A file: its content type and bytes.
    Binary {
        content_type: &'static str,
        bytes: &'static [u8],
    },
    /// No body at all.
    Empty,
}

/// The documented result of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The operation's typed error for the body's code, with its status, message and details.
    /// Whether the client retries follows from the status and the operation.
    Error,
    /// An upload's success with the full details object ([`UPLOADED`]).
    UploadedFull,
    /// An upload's success whose details are `{"id": ...}` alone.
    UploadedIdOnly,
    /// SUCCESS whose details cannot be read: `Error::UnreadableSuccess`, never a failure.
    UnreadableSuccess,
    /// The v8 listing of a file and a link ([`FILE_ITEM`], [`LINK_ITEM`]).
    ListedFileAndLink,
    /// An empty page.
    ListedNothing,
    /// A page whose v8 page tokens are set ([`NEXT_PAGE_TOKEN`]).
    ListedWithPageTokens,
    /// A downloaded file: the reply's bytes and content type.
    Downloaded,
    /// No content: `Ok(None)`.
    NothingToDownload,
    /// A deletion of [`DELETED_ID`].
    Deleted,
    /// Per-item results of a bulk deletion: [`DELETED_ID`] deleted, [`NOT_DELETED_ID`] not.
    DeletedOneOfTwo,
}

/// One row.
#[derive(Clone, Debug)]
pub struct Example {
    /// Published by Zoho, or added by us.
    pub source: Source,
    /// Zoho's case name (for added rows, what the row is).
    pub name: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub reply: Reply,
    /// What the client must make of it.
    pub expect: Expect,
}

fn published(name: &'static str, status: u16, body: Value, expect: Expect) -> Example {
    Example {
        source: Source::Published,
        name,
        status,
        reply: Reply::Json(body),
        expect,
    }
}

fn added(name: &'static str, status: u16, reply: Reply, expect: Expect) -> Example {
    Example {
        source: Source::Added,
        name,
        status,
        reply,
        expect,
    }
}

/// A top-level error body, in the key order Zoho's example uses (serde_json sorts keys, so the
/// order is documentation only).
fn error(code: &str, message: &str, details: Value) -> Value {
    json!({"status": "error", "code": code, "message": message, "details": details})
}

// ---- Our own values --------------------------------------------------------------------

/// The uploaded attachment's id.
pub const UPLOADED_ID: &str = "6020714000031552087";
/// Its creation (and modification) time.
pub const UPLOADED_TIME: &str = "2026-01-19T16:42:05-05:00";
/// Who uploaded it.
pub const UPLOADER: (&str, &str) = ("Dana Whitfield", "6020714000000402031");

/// The listed file attachment.
pub struct Item {
    pub id: &'static str,
    pub file_name: &'static str,
    pub size: u64,
    pub kind: &'static str,
    pub file_id: Option<&'static str>,
    pub link_url: Option<&'static str>,
    pub se_module: &'static str,
    pub time: &'static str,
    pub user: (&'static str, &'static str, &'static str),
    pub parent: (&'static str, &'static str),
    pub attachment_type: i64,
    pub attachment_source: &'static str,
    pub file_id_s: Option<&'static str>,
    pub record_status: &'static str,
}

/// The file in the v8 listing.
pub const FILE_ITEM: Item = Item {
    id: "6020714000029918004",
    file_name: "harbor-lights-site-survey.pdf",
    size: 734_003,
    kind: "File",
    file_id: Some("c41d7e0a9b52f3368e04a1d2b7c9f0e5"),
    link_url: None,
    se_module: "Leads",
    time: "2026-02-03T09:15:27+01:00",
    user: (
        "Priya Raman",
        "6020714000000402017",
        "priya.raman@example.org",
    ),
    parent: ("Harbor Lights Bakery", "6020714000008811003"),
    attachment_type: 1,
    attachment_source: "Desktop",
    file_id_s: Some("7b1e44d09a6c2f853e10d4a6b2c8e917"),
    record_status: "Available",
};

/// The link in the v8 listing.
pub const LINK_ITEM: Item = Item {
    id: "6020714000029918011",
    file_name: "Vendor portal",
    size: 0,
    kind: "Link URL",
    file_id: None,
    link_url: Some("https://portal.example.com/vendors/4471"),
    se_module: "Contacts",
    time: "2026-01-28T17:03:51+01:00",
    user: (
        "Tomás Ortega",
        "6020714000000402044",
        "t.ortega@example.net",
    ),
    parent: ("Quinn Abernathy", "6020714000008811019"),
    attachment_type: 2,
    attachment_source: "Link",
    file_id_s: None,
    record_status: "Available",
};

/// A listing item as Zoho v8 sends it: the fields of Zoho's example, the fields the issue says
/// v8 adds (`$attachment_type`, `Attachment_Source__s`, `File_Id__s`, `Record_Status__s`), users
/// with `email`, `$field_states` null, and `$link_url` only on the link.
pub fn list_item(item: &Item) -> Value {
    let user = json!({"name": item.user.0, "id": item.user.1, "email": item.user.2});
    let mut value = json!({
        "Owner": user,
        "Modified_Time": item.time,
        "File_Name": item.file_name,
        "$field_states": null,
        "Created_Time": item.time,
        "Size": item.size.to_string(),
        "Parent_Id": {"name": item.parent.0, "id": item.parent.1},
        "$editable": true,
        "$file_id": item.file_id,
        "$type": item.kind,
        "$se_module": item.se_module,
        "Modified_By": user,
        "$state": "save",
        "id": item.id,
        "Created_By": user,
        "$attachment_type": item.attachment_type,
        "Attachment_Source__s": item.attachment_source,
        "File_Id__s": item.file_id_s,
        "Record_Status__s": item.record_status,
    });
    if let (Some(url), Value::Object(map)) = (item.link_url, &mut value) {
        map.insert("$link_url".to_owned(), json!(url));
    }
    value
}

/// `info` of the last (here: only) page, as v8 sends it.
fn last_page_info(count: u64) -> Value {
    json!({
        "per_page": 200,
        "next_page_token": null,
        "count": count,
        "page": 1,
        "previous_page_token": null,
        "page_token_expiry": null,
        "more_records": false,
    })
}

/// The page token of the page after, in the added "more pages" row.
pub const NEXT_PAGE_TOKEN: &str = "9f3c07aa51e2b6d48c0e1f7a2d5b9e63c4a18f0d7e2b5c96";
/// The previous page's token there.
pub const PREVIOUS_PAGE_TOKEN: &str = "2be8d1c46f0a93e7b5d2c8f1a4e6b0d9c3f7a1e5b8d2c6f0";
/// When they expire.
pub const PAGE_TOKEN_EXPIRY: &str = "2026-02-04T09:15:27+01:00";

/// The id of the deleted attachment.
pub const DELETED_ID: &str = "6020714000029918027";
/// The id that could not be deleted in the per-item row.
pub const NOT_DELETED_ID: &str = "6020714000029918033";

/// The file served by the download rows.
pub const PDF_BYTES: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// A PNG signature and header chunk.
pub const PNG_BYTES: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00";
/// A JPEG start and end of image.
pub const JPEG_BYTES: &[u8] =
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9";
/// Arbitrary binary bytes, every byte value once.
pub const OCTET_BYTES: &[u8] = &{
    let mut bytes = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        bytes[i] = (255 - i) as u8;
        i += 1;
    }
    bytes
};

// ---- Shared error rows -----------------------------------------------------------------

/// Zoho's error examples shared by uploadAttachment and getAttachments (same codes, messages
/// and details in both of its files).
fn common_errors() -> Vec<Example> {
    use Expect::Error as E;
    vec![
        published(
            "InvalidUrl",
            400,
            error(
                "INVALID_URL_PATTERN",
                "the given attachment URL is incorrect",
                json!({}),
            ),
            E,
        ),
        published(
            "MandatoryNotFound",
            400,
            error("MANDATORY_NOT_FOUND", "required field not found", json!({})),
            E,
        ),
        published(
            "InvalidData",
            400,
            error("INVALID_DATA", "invalid data provided", json!({})),
            E,
        ),
        published(
            "RequiredParamMissing",
            400,
            error(
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                json!({"param_name": "fields"}),
            ),
            E,
        ),
    ]
    .into_iter()
    .chain(record_errors())
    .collect()
}

/// Zoho's error examples about the record and the token, the same in uploadAttachment,
/// getAttachments and getAttachmentById.
fn record_errors() -> Vec<Example> {
    use Expect::Error as E;
    vec![
        published(
            "InvalidRecordId",
            400,
            error(
                "INVALID_DATA",
                "the related id given seems to be invalid",
                json!({"resource_path_index": 1}),
            ),
            E,
        ),
        published(
            "InvalidModule",
            400,
            error(
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                json!({"resource_path_index": 0}),
            ),
            E,
        ),
        published("InvalidToken", 401, invalid_token(), E),
        published("InsufficientScope", 403, insufficient_scope(), E),
        published(
            "RecordNotFound",
            404,
            error(
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                json!({}),
            ),
            E,
        ),
        published(
            "AttachmentNotFound",
            404,
            error(
                "INVALID_DATA",
                "the id given seems to be invalid",
                json!({}),
            ),
            E,
        ),
    ]
}

fn invalid_token() -> Value {
    error("INVALID_TOKEN", "invalid oauth token", json!({}))
}

fn insufficient_scope() -> Value {
    error(
        "OAUTH_SCOPE_MISMATCH",
        "required oauth scope is missing",
        json!({}),
    )
}

fn rate_limit_exceeded() -> Value {
    error(
        "RATE_LIMIT_EXCEEDED",
        "API rate limit exceeded. Please retry after some time",
        json!({}),
    )
}

fn internal_error() -> Value {
    error("INTERNAL_ERROR", "Internal Server Error", json!({}))
}

fn service_unavailable() -> Value {
    error(
        "SERVICE_UNAVAILABLE",
        "Service temporarily unavailable. Please try again later",
        json!({}),
    )
}

/// 429, 500 and 503 as Zoho publishes them for uploadAttachment, getAttachments and
/// getAttachmentById (`Added`: for an operation Zoho publishes none of them for).
fn throttling_and_server_errors(source: Source) -> Vec<Example> {
    let names = match source {
        Source::Published => ["RateLimitExceeded", "ServerError", "Maintenance"],
        Source::Added => [
            "RateLimitExceeded (the other operations' example)",
            "ServerError (the other operations' example)",
            "Maintenance (the other operations' example)",
        ],
    };
    let rows = [
        (names[0], 429, rate_limit_exceeded()),
        (names[1], 500, internal_error()),
        (names[2], 503, service_unavailable()),
    ];
    rows.into_iter()
        .map(|(name, status, body)| Example {
            source,
            name,
            status,
            reply: Reply::Json(body),
            expect: Expect::Error,
        })
        .collect()
}

// ---- The tables, per Zoho operation -----------------------------------------------------

/// uploadAttachment: `upload_attachment` and `upload_link_attachment`.
pub fn upload_attachment() -> Vec<Example> {
    let mut rows = vec![published(
        "SuccessfulUpload",
        200,
        json!({"data": [{
            "code": "SUCCESS",
            "details": {
                "Modified_Time": UPLOADED_TIME,
                "Modified_By": {"name": UPLOADER.0, "id": UPLOADER.1},
                "Created_Time": UPLOADED_TIME,
                "id": UPLOADED_ID,
                "Created_By": {"name": UPLOADER.0, "id": UPLOADER.1},
            },
            "message": "attachment uploaded successfully",
            "status": "success",
        }]}),
        Expect::UploadedFull,
    )];
    rows.extend(common_errors());
    rows.push(published(
        "FileSizeExceeded",
        413,
        error(
            "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
            "Please check if the size of the file is in the correct range",
            json!({}),
        ),
        Expect::Error,
    ));
    rows.extend(throttling_and_server_errors(Source::Published));
    let success_with = |details: Value| {
        Reply::Json(json!({"data": [{
            "code": "SUCCESS",
            "details": details,
            "message": "attachment uploaded successfully",
            "status": "success",
        }]}))
    };
    rows.extend([
        added(
            "SuccessfulUpload with details {id} alone (Zoho's OpenAPI schema allows it)",
            200,
            success_with(json!({"id": UPLOADED_ID})),
            Expect::UploadedIdOnly,
        ),
        added(
            "SUCCESS with empty details",
            200,
            success_with(json!({})),
            Expect::UnreadableSuccess,
        ),
        added(
            "SUCCESS whose details.id is an object",
            200,
            success_with(json!({"id": {"value": UPLOADED_ID}})),
            Expect::UnreadableSuccess,
        ),
        added(
            "SUCCESS with null details",
            200,
            success_with(Value::Null),
            Expect::UnreadableSuccess,
        ),
    ]);
    rows
}

/// getAttachments: `list_attachments`.
pub fn get_attachments() -> Vec<Example> {
    let mut rows = vec![
        published(
            "MultipleAttachments",
            200,
            json!({
                "data": [list_item(&FILE_ITEM), list_item(&LINK_ITEM)],
                "info": last_page_info(2),
            }),
            Expect::ListedFileAndLink,
        ),
        published(
            "EmptyList",
            200,
            json!({"data": [], "info": last_page_info(0)}),
            Expect::ListedNothing,
        ),
    ];
    rows.extend(common_errors());
    rows.extend(throttling_and_server_errors(Source::Published));
    rows.push(added(
        "a first page with more to come (v8 page tokens set)",
        200,
        Reply::Json(json!({
            "data": [list_item(&FILE_ITEM)],
            "info": {
                "per_page": 1,
                "next_page_token": NEXT_PAGE_TOKEN,
                "count": 1,
                "page": 1,
                "previous_page_token": PREVIOUS_PAGE_TOKEN,
                "page_token_expiry": PAGE_TOKEN_EXPIRY,
                "more_records": true,
            },
        })),
        Expect::ListedWithPageTokens,
    ));
    rows
}

/// getAttachmentById: `download_attachment`.
pub fn get_attachment_by_id() -> Vec<Example> {
    use Expect::Error as E;
    let mut rows = vec![published(
        "LinkAttachmentError",
        400,
        json!({
            "code": "DOWNLOAD_NOT_ALLOWED",
            "details": {},
            "message": "As it is a linked attachment, you can not download it",
            "status": "error",
        }),
        E,
    )];
    rows.extend(record_errors());
    rows.extend(throttling_and_server_errors(Source::Published));
    for (content_type, bytes) in [
        ("application/octet-stream", OCTET_BYTES),
        ("image/png", PNG_BYTES),
        ("image/jpeg", JPEG_BYTES),
        ("application/pdf", PDF_BYTES),
    ] {
        rows.push(Example {
            source: Source::Added,
            name: match content_type {
                "image/png" => "the file, as image/png (documented, no example body)",
                "image/jpeg" => "the file, as image/jpeg (documented, no example body)",
                "application/pdf" => "the file, as application/pdf (documented, no example body)",
                _ => "the file, as application/octet-stream (documented, no example body)",
            },
            status: 200,
            reply: Reply::Binary {
                content_type,
                bytes,
            },
            expect: Expect::Downloaded,
        });
    }
    rows.push(added(
        "No Content for an invalid attachment id (documented 204, no body)",
        204,
        Reply::Empty,
        Expect::NothingToDownload,
    ));
    rows
}

/// deleteAttachment: `delete_attachment` and `delete_attachments`.
pub fn delete_attachment() -> Vec<Example> {
    use Expect::Error as E;
    let not_deleted = || {
        json!({
            "code": "INVALID_DATA",
            "details": {"resource_path_index": 3},
            "message": "record not deleted",
            "status": "error",
        })
    };
    let mut rows = vec![
        published(
            "SuccessfulDeletion",
            200,
            json!({"data": [{
                "code": "SUCCESS",
                "details": {"id": DELETED_ID},
                "message": "record deleted",
                "status": "success",
            }]}),
            Expect::Deleted,
        ),
        published("InvalidData", 400, not_deleted(), E),
        published("InvalidAttachmentId", 400, not_deleted(), E),
        published("AlreadyDeleted", 400, not_deleted(), E),
        published(
            "InvalidModule",
            400,
            error(
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                json!({"resource_path_index": 0}),
            ),
            E,
        ),
        added(
            "InvalidToken (getAttachmentById's example)",
            401,
            Reply::Json(invalid_token()),
            E,
        ),
        added(
            "InsufficientScope (getAttachmentById's example)",
            403,
            Reply::Json(insufficient_scope()),
            E,
        ),
    ];
    rows.extend(throttling_and_server_errors(Source::Added));
    rows
}

/// deleteAttachment's rows for `delete_attachments`, plus its per-item results.
pub fn delete_attachments() -> Vec<Example> {
    let mut rows = delete_attachment();
    rows.push(added(
        "per-item results: one deleted, one not (SuccessfulDeletion and AlreadyDeleted items)",
        200,
        Reply::Json(json!({"data": [
            {
                "code": "SUCCESS",
                "details": {"id": DELETED_ID},
                "message": "record deleted",
                "status": "success",
            },
            {
                "code": "INVALID_DATA",
                "details": {"resource_path_index": 3, "id": NOT_DELETED_ID},
                "message": "record not deleted",
                "status": "error",
            },
        ]})),
        Expect::DeletedOneOfTwo,
    ));
    rows
}
