//! `zoho-crm scopes`: the minimal scopes, one per line or as JSON; bad input exits 2.

mod common;

use common::{command, run, tempdir};

#[tokio::test]
async fn the_default_module_is_leads_one_scope_per_line() {
    let dir = tempdir();
    let run = run(command(dir.path(), &["scopes", "--ops", "upload,list"])).await;
    run.expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "ZohoCRM.modules.attachments.CREATE",
            "ZohoCRM.modules.attachments.READ",
            "ZohoCRM.modules.leads.CREATE",
            "ZohoCRM.modules.leads.READ",
        ]
    );
}

#[tokio::test]
async fn several_modules_as_json() {
    let dir = tempdir();
    let args = [
        "--json",
        "scopes",
        "--ops",
        "delete,download",
        "--module",
        "Deals",
        "--module",
        "CustomModule7,price_books",
    ];
    let run = run(command(dir.path(), &args)).await;
    run.expect(0);
    let lines = run.json();
    assert_eq!(lines.len(), 1);
    let scopes: Vec<&str> = lines[0]["scopes"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        scopes,
        [
            "ZohoCRM.modules.attachments.DELETE",
            "ZohoCRM.modules.attachments.READ",
            "ZohoCRM.modules.custom.DELETE",
            "ZohoCRM.modules.custom.READ",
            "ZohoCRM.modules.deals.DELETE",
            "ZohoCRM.modules.deals.READ",
            "ZohoCRM.modules.pricebooks.DELETE",
            "ZohoCRM.modules.pricebooks.READ",
        ]
    );
    assert_eq!(lines[0]["joined"], scopes.join(","));
}

#[tokio::test]
async fn unknown_operations_and_bad_modules_exit_2() {
    let dir = tempdir();
    run(command(dir.path(), &["scopes", "--ops", "upload,rename"]))
        .await
        .expect(2);
    run(command(
        dir.path(),
        &["scopes", "--ops", "list", "--module", "Bad-Name"],
    ))
    .await
    .expect(2);
    run(command(dir.path(), &["scopes"])).await.expect(2);
}

#[tokio::test]
async fn modules_of_later_versions_have_their_own_scope_names() {
    let dir = tempdir();
    for (module, scope) in [
        ("Calls", "calls"),
        ("Appointments", "appointments"),
        ("Services", "services"),
    ] {
        let args = ["scopes", "--ops", "list", "--module", module];
        let run = run(command(dir.path(), &args)).await;
        run.expect(0);
        let mut lines: Vec<&str> = run.stdout.lines().collect();
        lines.sort_unstable();
        let module_scope = format!("ZohoCRM.modules.{scope}.READ");
        let mut expected = ["ZohoCRM.modules.attachments.READ", module_scope.as_str()];
        expected.sort_unstable();
        assert_eq!(lines, expected, "{module}");
    }
}

#[tokio::test]
async fn photos_file_fields_and_backups_need_the_scopes_of_every_call_they_make() {
    let dir = tempdir();
    for (ops, module, expected) in [
        (
            "photo-upload",
            "Contacts",
            &["ZohoCRM.modules.contacts.CREATE"][..],
        ),
        (
            "field-upload",
            "Deals",
            &[
                "ZohoCRM.Files.CREATE",
                "ZohoCRM.modules.deals.READ",
                "ZohoCRM.modules.deals.UPDATE",
            ][..],
        ),
        (
            "backup",
            "Leads",
            &[
                "ZohoCRM.modules.attachments.READ",
                "ZohoCRM.modules.leads.READ",
            ][..],
        ),
    ] {
        let args = ["scopes", "--ops", ops, "--module", module];
        let run = run(command(dir.path(), &args)).await;
        run.expect(0);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines, expected, "{ops}");
    }
}
