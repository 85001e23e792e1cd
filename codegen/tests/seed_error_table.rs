//! The real spec carries the facts of the seed page (`shared/seed/upload-an-attachment.txt`,
//! "Upload an Attachment", v2): its 11 error rows and its 18 supported modules.

use std::path::Path;

use zoho_crm_codegen::load::load_file;
use zoho_crm_codegen::model::Spec;

/// The seed page's "Possible Errors" rows, in page order: code, HTTP status, message.
const SEED_ERRORS: [(&str, u16, &str); 11] = [
    (
        "INVALID_MODULE",
        400,
        "The module name given seems to be invalid",
    ),
    (
        "INVALID_MODULE",
        400,
        "The given module is not supported in API",
    ),
    (
        "INVALID_URL_PATTERN",
        404,
        "Please check if the URL trying to access is a correct one",
    ),
    ("OAUTH_SCOPE_MISMATCH", 401, "Unauthorized"),
    (
        "NO_PERMISSION",
        403,
        "Permission denied to upload attachment",
    ),
    ("INTERNAL_ERROR", 500, "Internal Server Error"),
    (
        "INVALID_REQUEST_METHOD",
        400,
        "The http request method type is not a valid one",
    ),
    (
        "AUTHORIZATION_FAILED",
        400,
        "User does not have sufficient privilege to upload attachments",
    ),
    (
        "INVALID_DATA",
        400,
        "the related id given seems to be invalid",
    ),
    ("INVALID_DATA", 400, "invalid file type"),
    (
        "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
        400,
        "please check if the file size is in the correct range",
    ),
];

/// The seed page's supported modules as API names ("Custom" stands for custom modules).
const SEED_BUILTIN_MODULES: [&str; 17] = [
    "Leads",
    "Accounts",
    "Contacts",
    "Deals",
    "Campaigns",
    "Tasks",
    "Cases",
    "Events",
    "Solutions",
    "Products",
    "Vendors",
    "Price_Books",
    "Quotes",
    "Sales_Orders",
    "Purchase_Orders",
    "Invoices",
    "Notes",
];

fn real_spec() -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/zoho-crm.yaml");
    load_file(&path).unwrap_or_else(|e| panic!("the real spec should load:\n{e}"))
}

#[test]
fn the_error_table_has_the_eleven_rows_of_the_seed_page_for_the_upload() {
    let spec = real_spec();
    // Every seed row is a case of its code that applies to the upload; other cases come from
    // Zoho's v8 examples and other pages.
    let upload = "upload_attachment";
    let in_spec: Vec<(&str, u16, &str)> = spec
        .errors
        .iter()
        .flat_map(|(code, cases)| {
            cases
                .iter()
                .filter(|c| zoho_crm_codegen::error_cases::applies_to(c, upload))
                .filter_map(move |c| Some((code.as_str(), c.status, c.message.as_deref()?.trim())))
        })
        .collect();
    for row in SEED_ERRORS {
        assert!(
            in_spec.contains(&row),
            "the seed row {row:?} is not a case of the upload"
        );
    }
    let operation = &spec.operations[upload];
    for (code, _, _) in SEED_ERRORS {
        assert!(
            operation.errors.iter().any(|listed| listed == code),
            "{upload} does not list {code}"
        );
    }
}

#[test]
fn the_spec_has_the_eighteen_modules_of_the_seed_page_then_later_ones() {
    let spec = real_spec();
    let builtin: Vec<&str> = spec
        .modules
        .builtin
        .iter()
        .map(|m| m.api_name.as_str())
        .collect();
    assert_eq!(
        builtin[..SEED_BUILTIN_MODULES.len()],
        SEED_BUILTIN_MODULES,
        "the seed's built-in modules, in page order"
    );
    assert!(
        spec.modules.builtin[..SEED_BUILTIN_MODULES.len()]
            .iter()
            .all(|m| m.since.is_none()),
        "the seed's (v2) modules exist in every version"
    );
    let later: Vec<(&str, &str, Option<&str>)> = spec.modules.builtin[SEED_BUILTIN_MODULES.len()..]
        .iter()
        .map(|m| {
            (
                m.api_name.as_str(),
                m.scope_name.as_str(),
                m.since.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        later,
        [
            ("Calls", "calls", Some("v2.1")),
            ("Appointments", "appointments", Some("v3")),
            ("Services", "services", Some("v3")),
        ],
        "modules from later versions (ZOHO-FACTS: v2.1 and v3 attachment and scope pages)"
    );
    let custom = spec
        .modules
        .custom
        .as_ref()
        .expect("the seed page supports custom modules");
    assert_eq!(custom.scope_name, "custom");
}
