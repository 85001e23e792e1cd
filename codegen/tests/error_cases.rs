//! Error cases per operation: a case limited to some operations applies to those only, and
//! `{scopes}` in a resolution names the scopes of the operation at hand.

use std::path::Path;

use zoho_crm_codegen::error_cases::{cases_for, resolution_for};
use zoho_crm_codegen::load::load_file;
use zoho_crm_codegen::model::Spec;

fn real_spec() -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/zoho-crm.yaml");
    load_file(&path).unwrap_or_else(|e| panic!("the real spec should load:\n{e}"))
}

fn resolutions(spec: &Spec, op: &str, code: &str) -> Vec<String> {
    let operation = &spec.operations[op];
    cases_for(spec, op, code)
        .map(|case| resolution_for(spec, operation, case))
        .collect()
}

#[test]
fn a_scope_mismatch_names_the_scopes_of_each_operation() {
    let spec = real_spec();
    for (op, wanted, unwanted) in [
        ("list_attachments", "attachments.READ", "CREATE"),
        ("download_attachment", "attachments.READ", "CREATE"),
        ("delete_attachment", "attachments.DELETE", "CREATE"),
        ("delete_attachments", "attachments.DELETE", "READ"),
        ("upload_attachment", "attachments.CREATE", "DELETE"),
    ] {
        let texts = resolutions(&spec, op, "OAUTH_SCOPE_MISMATCH");
        assert!(!texts.is_empty(), "{op}");
        assert!(texts.iter().all(|t| t.contains(wanted)), "{op}: {texts:?}");
        assert!(
            texts.iter().all(|t| !t.contains(unwanted)),
            "{op}: {texts:?}"
        );
        assert!(
            texts.iter().all(|t| !t.contains("{scopes}")),
            "{op}: {texts:?}"
        );
    }
}

#[test]
fn upload_texts_stay_with_the_upload() {
    let spec = real_spec();
    for op in [
        "list_attachments",
        "delete_attachment",
        "delete_attachments",
    ] {
        for code in [
            "NO_PERMISSION",
            "AUTHORIZATION_FAILED",
            "OAUTH_SCOPE_MISMATCH",
        ] {
            let texts = resolutions(&spec, op, code);
            assert!(!texts.is_empty(), "{op} {code}");
            assert!(
                texts.iter().all(|t| !t.contains("upload")),
                "{op} {code}: {texts:?}"
            );
        }
    }
    let messages: Vec<Option<&str>> = cases_for(&spec, "delete_attachment", "NO_PERMISSION")
        .map(|case| case.message.as_deref())
        .collect();
    assert_eq!(messages, [None], "Zoho documents no message for a delete");
}
