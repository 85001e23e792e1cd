//! Every example response Zoho publishes for record photos (`zoho/crm-oas`,
//! `v8.0/record_photo/record_photo.yaml`), the file store (`v8.0/files/files.yaml`) and the two
//! record operations file-upload fields use (`v8.0/record/operations/getRecord/examples` and
//! `.../updateRecord/examples`), with Zoho's codes, messages, statuses and shapes and our own
//! ids, names and values; plus the answers those files describe without an example (a photo's
//! 200 image and 204, a file's 200 content and 204, a record update's success).

use serde_json::{Value, json};

use super::support::RECORD;

/// What the server answers.
pub enum Reply {
    /// A JSON body.
    Json(Value),
    /// Content with its media type.
    Binary {
        content_type: &'static str,
        bytes: &'static [u8],
    },
    /// No body (204).
    Empty,
}

/// What the call must give.
pub enum Expect {
    /// An API error: the typed variant's name (`RecordLocked`); code, message and details are
    /// read from the reply.
    Error(&'static str),
    /// An action result with this message and no details (photo upload and delete).
    Done(&'static str),
    /// One record read: its id, and the fields it carries besides (in `extra`, by API name).
    Record(&'static str, Value),
    /// A record update's result: the updated record's id, the message, and the details' keys
    /// the spec does not name (in `extra`).
    Updated(&'static str, &'static str, Value),
    /// The file store's results, in order: (id, name).
    Stored(&'static [(&'static str, &'static str)]),
    /// Content, with its media type.
    Content(&'static str, &'static [u8]),
    /// Nothing (a 204).
    Nothing,
}

/// One row: Zoho's example (or the case its file describes), the status and the answer.
pub struct Example {
    pub name: &'static str,
    pub status: u16,
    pub reply: Reply,
    pub expect: Expect,
}

fn error(name: &'static str, status: u16, variant: &'static str, body: Value) -> Example {
    Example {
        name,
        status,
        reply: Reply::Json(body),
        expect: Expect::Error(variant),
    }
}

fn failure(code: &str, message: &str, details: Value) -> Value {
    json!({ "code": code, "details": details, "message": message, "status": "error" })
}

/// An error as one item of a `data` list, as most of updateRecord's examples send it.
fn in_data(code: &str, message: &str, details: Value) -> Value {
    json!({ "data": [failure(code, message, details)] })
}

const URL_PATTERN: &str = "Please check if the URL trying to access is a correct one";

/// A record photo (a 1x1 PNG) as the server sends it back.
pub const PHOTO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A stored file's content.
pub const STORED_CONTENT: &[u8] = b"order,amount\nA-1001,420.00\n";

/// Our file-store ids (40 hexadecimal characters, as Zoho's).
pub const STORED_ID_1: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
pub const STORED_ID_2: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

/// uploadRecordPhoto.
pub fn upload_photo() -> Vec<Example> {
    vec![
        Example {
            name: "SuccessResponse",
            status: 200,
            reply: Reply::Json(json!({
                "code": "SUCCESS", "message": "Photo uploaded successfully",
                "status": "success", "details": {}
            })),
            expect: Expect::Done("Photo uploaded successfully"),
        },
        error(
            "InvalidUrlPattern",
            400,
            "InvalidUrlPattern",
            failure("INVALID_URL_PATTERN", URL_PATTERN, json!({})),
        ),
        error(
            "CannotPerformAction",
            400,
            "CannotPerformAction",
            failure(
                "CANNOT_PERFORM_ACTION",
                "no permission to perform an action on this record",
                json!({}),
            ),
        ),
        error(
            "UnderReviewProcess",
            400,
            "NotReviewed",
            failure(
                "NOT_REVIEWED",
                "cannot upload the record image that is not reviewed yet",
                json!({ "id": "3477061000005231001" }),
            ),
        ),
        error(
            "UnderApprovalProcess",
            400,
            "NotApproved",
            failure(
                "NOT_APPROVED",
                "cannot upload the record image that is not approved yet",
                json!({ "id": "3477061000005231002" }),
            ),
        ),
        error(
            "UnderRecordLockingFeature",
            400,
            "RecordLocked",
            failure(
                "RECORD_LOCKED",
                "Sorry, you cannot perform this operation as the record is locked.",
                json!({ "id": "3477061000005231003" }),
            ),
        ),
        error(
            "FileSizeExceeds",
            413,
            "FileSizeExceeds",
            failure(
                "FILE_SIZE_EXCEEDS",
                "File exceeded its maximum limit",
                json!({ "size": 10485760 }),
            ),
        ),
        error(
            "FileResolutionExceeds",
            415,
            "FileResolutionExceeds",
            failure(
                "FILE_RESOLUTION_EXCEEDS",
                "File exceeded its maximum limit",
                json!({ "resolution": 12000000 }),
            ),
        ),
        error(
            "InvalidFileType",
            415,
            "InvalidData",
            failure("INVALID_DATA", "invalid file type", json!({})),
        ),
    ]
}

/// getRecordPhoto.
pub fn get_record_photo() -> Vec<Example> {
    vec![
        error(
            "InvalidUrlPattern",
            400,
            "InvalidUrlPattern",
            failure("INVALID_URL_PATTERN", URL_PATTERN, json!({})),
        ),
        Example {
            name: "200 image/png",
            status: 200,
            reply: Reply::Binary {
                content_type: "image/png",
                bytes: PHOTO,
            },
            expect: Expect::Content("image/png", PHOTO),
        },
        Example {
            name: "204 no photo",
            status: 204,
            reply: Reply::Empty,
            expect: Expect::Nothing,
        },
    ]
}

/// deleteRecordPhoto.
pub fn delete_record_photo() -> Vec<Example> {
    vec![
        Example {
            name: "SuccessResponse",
            status: 200,
            reply: Reply::Json(json!({
                "code": "SUCCESS", "message": "Photo deleted successfully",
                "status": "success", "details": {}
            })),
            expect: Expect::Done("Photo deleted successfully"),
        },
        error(
            "InvalidUrlPattern",
            400,
            "InvalidUrlPattern",
            failure("INVALID_URL_PATTERN", URL_PATTERN, json!({})),
        ),
    ]
}

const ATTACHMENT_HANDLING: &str =
    "Problem in uploading attachment. kindly upload the file properly";

/// uploadFiles.
pub fn upload_files() -> Vec<Example> {
    let stored = |name: &str, id: &str| {
        json!({
            "status": "success", "code": "SUCCESS",
            "message": format!("{name} uploaded successfully"),
            "details": { "name": name, "id": id }
        })
    };
    vec![
        Example {
            name: "SingleFileUpload",
            status: 200,
            reply: Reply::Json(json!({ "data": [stored("orders-2026-11.csv", STORED_ID_1)] })),
            expect: Expect::Stored(&[(STORED_ID_1, "orders-2026-11.csv")]),
        },
        Example {
            name: "MultiFileUpload",
            status: 200,
            reply: Reply::Json(json!({ "data": [
                stored("floor-plan.pdf", STORED_ID_1),
                stored("site-photo.png", STORED_ID_2)
            ] })),
            expect: Expect::Stored(&[
                (STORED_ID_1, "floor-plan.pdf"),
                (STORED_ID_2, "site-photo.png"),
            ]),
        },
        error(
            "MissingFileField",
            400,
            "FailureInAttachmentHandling",
            failure(
                "failure_in_attachment_handling",
                ATTACHMENT_HANDLING,
                json!({}),
            ),
        ),
        error(
            "EmptyFileField",
            400,
            "FailureInAttachmentHandling",
            failure(
                "failure_in_attachment_handling",
                ATTACHMENT_HANDLING,
                json!({}),
            ),
        ),
        error(
            "TooManyFiles",
            400,
            "InvalidRequest",
            failure(
                "INVALID_REQUEST",
                "unable to process your request. please verify whether you have entered proper \
                 method name, parameter and parameter values.",
                json!({}),
            ),
        ),
        error(
            "FileTooLarge",
            415,
            "FileSizeMoreThanAllowedSize",
            failure(
                "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
                "Please check if the size of the file is in the correct range",
                json!({}),
            ),
        ),
    ]
}

/// getFile.
pub fn get_file() -> Vec<Example> {
    vec![
        error(
            "MissingIdParameter",
            400,
            "RequiredParamMissing",
            failure(
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                json!({ "param_name": "id" }),
            ),
        ),
        error(
            "MissingEmailTemplateAttachId",
            400,
            "InvalidData",
            failure(
                "INVALID_DATA",
                "required attachment id param not found",
                json!({ "param_name": "attach_id" }),
            ),
        ),
        error(
            "MissingEmailTemplateTemplateId",
            400,
            "InvalidData",
            failure(
                "INVALID_DATA",
                "required template id param not found",
                json!({ "param_name": "template_id" }),
            ),
        ),
        error(
            "MissingEmailTemplateFileId",
            400,
            "InvalidData",
            failure(
                "INVALID_DATA",
                "required file id param not found",
                json!({ "param_name": "file_id" }),
            ),
        ),
        Example {
            name: "204 no such file",
            status: 204,
            reply: Reply::Empty,
            expect: Expect::Nothing,
        },
        Example {
            name: "200 content",
            status: 200,
            reply: Reply::Binary {
                content_type: "application/octet-stream",
                bytes: STORED_CONTENT,
            },
            expect: Expect::Content("application/octet-stream", STORED_CONTENT),
        },
    ]
}

/// The fields of our Leads record besides its id, in the shape of getRecord's example
/// response-200-leads (an owner, text fields, a picklist and two times).
pub fn lead_fields() -> Value {
    json!({
        "Owner": {
            "name": "Mira Castell",
            "id": "3477061000000318005",
            "email": "mira.castell@example.com"
        },
        "Company": "Halden Mills",
        "First_Name": "Ada",
        "Last_Name": "Brook",
        "Email": "ada.brook@example.org",
        "Phone": "+1-555-0142",
        "Lead_Status": "Attempted to Contact",
        "Created_Time": "2026-11-02T09:15:00+00:00",
        "Modified_Time": "2026-11-20T16:40:00+00:00"
    })
}

/// getRecord.
pub fn get_record() -> Vec<Example> {
    let mut lead = lead_fields();
    if let Value::Object(fields) = &mut lead {
        fields.insert("id".to_owned(), Value::from(RECORD));
    }
    vec![
        Example {
            name: "response-200-leads",
            status: 200,
            reply: Reply::Json(json!({ "data": [lead] })),
            expect: Expect::Record(RECORD, lead_fields()),
        },
        error(
            "response-400-expiredvalue",
            400,
            "ExpiredValue",
            failure(
                "EXPIRED_VALUE",
                "Page token expired",
                json!({ "api_name": "page_token", "json_path": "$.query.page_token" }),
            ),
        ),
        error(
            "response-400-invaliddata",
            400,
            "InvalidModule",
            failure(
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                json!({ "resource_path_index": 0 }),
            ),
        ),
        error(
            "response-400-tokenbounddatamismatch",
            400,
            "TokenBoundDataMismatch",
            failure(
                "TOKEN_BOUND_DATA_MISMATCH",
                "The page_token given seems to be invalid or input param is added or altered or \
                 deleted",
                json!({ "param_name": "page_token" }),
            ),
        ),
    ]
}

/// updateRecord. Zoho publishes no success example for it: the success row has the shape of
/// updateRecords' response-200-success (the same `data[]` item for one record).
pub fn update_record() -> Vec<Example> {
    let user = json!({ "name": "Mira Castell", "id": "3477061000000318005" });
    vec![
        Example {
            name: "updateRecords response-200-success",
            status: 200,
            reply: Reply::Json(json!({ "data": [{
                "code": "SUCCESS",
                "details": {
                    "Modified_Time": "2026-11-20T16:40:00+00:00",
                    "Modified_By": user,
                    "Created_Time": "2026-11-02T09:15:00+00:00",
                    "id": RECORD,
                    "Created_By": user,
                    "$approval_state": "approved"
                },
                "message": "record updated",
                "status": "success"
            }] })),
            expect: Expect::Updated(
                RECORD,
                "record updated",
                json!({ "$approval_state": "approved" }),
            ),
        },
        error(
            "response-400-authorizationfailed",
            400,
            "AuthorizationFailed",
            in_data(
                "AUTHORIZATION_FAILED",
                "User does not have sufficient privilege to perform this action",
                json!({ "resource_path_index": 0 }),
            ),
        ),
        error(
            "response-400-duplicatedataerror",
            400,
            "DuplicateData",
            in_data(
                "DUPLICATE_DATA",
                "duplicate data",
                json!({
                    "api_name": "Tax_Number",
                    "duplicate_record": {
                        "Owner": {
                            "name": "Jonas Weller",
                            "id": "3477061000000318011",
                            "zuid": "80412215"
                        },
                        "id": "3477061000005177090"
                    },
                    "json_path": "$.data[0].Tax_Number",
                    "id": "3477061000005177090",
                    "more_records": false
                }),
            ),
        ),
        error(
            "response-400-invaliddata",
            400,
            "InvalidData",
            in_data(
                "INVALID_DATA",
                "The field value given for Company is invalid",
                json!({ "api_name": "Company", "json_path": "$.data[0].Company" }),
            ),
        ),
        error(
            "response-400-limitexceedederror",
            400,
            "LimitExceeded",
            in_data(
                "LIMIT_EXCEEDED",
                "count of records in your request exceeds the limit",
                json!({ "maximum_length": 100, "api_name": "data" }),
            ),
        ),
        error(
            "response-400-mandatorynotfound",
            400,
            "MandatoryNotFound",
            in_data(
                "MANDATORY_NOT_FOUND",
                "Service Id Not Found",
                json!({ "api_name": "id", "json_path": "$.data.service.id" }),
            ),
        ),
        error(
            "response-400-mandatorynotfoundlayoutrule",
            400,
            "MandatoryNotFound",
            in_data(
                "MANDATORY_NOT_FOUND",
                "required field not found",
                json!({
                    "layout_rule": { "name": "Phone for hot leads", "id": "3477061000000842003" },
                    "api_name": "Phone",
                    "json_path": "$.data[0].Phone"
                }),
            ),
        ),
        error(
            "response-400-notapprovederror",
            400,
            "NotApproved",
            failure(
                "NOT_APPROVED",
                "Cannot update record that is not approved yet",
                json!({ "resource_path_index": 1 }),
            ),
        ),
        error(
            "response-400-notreviewederror",
            400,
            "NotReviewed",
            in_data("NOT_REVIEWED", "record in review", json!({})),
        ),
        error(
            "response-400-resourcepathindexerror",
            400,
            "InvalidData",
            in_data(
                "INVALID_DATA",
                "record not deleted",
                json!({ "resource_path_index": 1 }),
            ),
        ),
    ]
}
