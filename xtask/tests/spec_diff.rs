//! `cargo xtask spec-diff`: the comparison as pure functions of parsed values, and the command
//! end to end with its exit statuses (0 agree, 1 differ, 2 bad input) against the fixtures in
//! tests/fixtures/spec_diff.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use xtask::spec_diff::compare::{compare, differences};
use xtask::spec_diff::facts::version_name;
use xtask::spec_diff::facts::{
    Body, Facts, Location, Role, SpecOperation, path_shape, version_as_placeholder,
};
use xtask::spec_diff::openapi::{OpenApiError, operations};
use xtask::spec_diff::report::{Difference, Item};
use xtask::spec_diff::{Options, ours};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/spec_diff")
        .join(name)
}

fn fixture_spec() -> zoho_crm_codegen::model::Spec {
    match zoho_crm_codegen::load::load_file(&fixture("spec.yaml")) {
        Ok(spec) => spec,
        Err(e) => panic!("the fixture spec does not load: {e}"),
    }
}

fn spec_diff(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("spec-diff")
        .args(args)
        .output()
    {
        Ok(output) => output,
        Err(e) => panic!("cannot run xtask: {e}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn names(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn params(items: &[(&str, Location)]) -> BTreeSet<(String, Location)> {
    items.iter().map(|(n, l)| ((*n).to_owned(), *l)).collect()
}

fn lines(differences: &[Difference]) -> Vec<String> {
    differences.iter().map(ToString::to_string).collect()
}

/// A document with one upload operation below a server path, written to exercise `$ref`s,
/// `oneOf` bodies and error schemas.
fn upload_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "version": "8.0" },
        "servers": [{ "url": "https://api.example.com/v/{version}" }],
        "paths": {
            "/{kind}/{id}/Things": {
                "post": {
                    "operationId": "addThing",
                    "parameters": [
                        { "$ref": "#/components/parameters/Kind" },
                        { "name": "id", "in": "path" },
                        { "$ref": "#/components/parameters/Tag" }
                    ],
                    "requestBody": { "content": {
                        "multipart/form-data; boundary=x": { "schema": { "oneOf": [
                            { "properties": { "blob": { "type": "string" } } },
                            { "allOf": [ { "properties": { "url": {} } } ] }
                        ] } },
                        "application/json": { "schema": { "properties": { "meta": {} } } }
                    } },
                    "responses": {
                        "200": { "content": { "application/json": { "schema": {
                            "properties": { "data": { "items": { "properties": {
                                "code": { "enum": ["SUCCESS"] },
                                "details": { "oneOf": [
                                    { "$ref": "#/components/schemas/Made" },
                                    { "properties": { "when": {} } }
                                ] }
                            } } } }
                        } } } },
                        "400": { "$ref": "#/components/responses/Bad" },
                        "default": { "content": { "application/json": { "schema": {
                            "properties": { "code": { "const": "SOMETHING_ELSE" } }
                        } } } }
                    }
                }
            }
        },
        "components": {
            "parameters": {
                "Kind": { "name": "kind", "in": "path" },
                "Tag": { "name": "tag", "in": "query" }
            },
            "responses": {
                "Bad": { "content": { "application/json": { "schema": {
                    "$ref": "#/components/schemas/Errors"
                } } } }
            },
            "schemas": {
                "Made": { "properties": {
                    "id": {},
                    "by": { "properties": { "name": {} } }
                } },
                "Errors": { "properties": { "data": { "items": { "anyOf": [
                    { "properties": { "code": { "type": "string", "enum": ["BAD_ONE"] } } },
                    { "properties": { "code": { "enum": ["BAD_TWO", "BAD_ONE"] } } }
                ] } } } }
            }
        }
    })
}

#[test]
fn info_versions_become_spec_versions() {
    assert_eq!(version_name("8.0"), "v8");
    assert_eq!(version_name("2.1"), "v2.1");
    assert_eq!(version_name("v3"), "v3");
    assert_eq!(version_name(" 10.0.0 "), "v10");
}

#[test]
fn path_shapes_ignore_placeholder_names_and_trailing_slashes() {
    assert_eq!(
        path_shape("/crm/{version}/{module_api_name}/{record_id}/Attachments"),
        path_shape("/crm/{v}/{moduleApiName}/{recordId}/Attachments/")
    );
    assert_eq!(path_shape("/a/{b}/c"), "/a/{}/c");
}

#[test]
fn an_openapi_operation_yields_its_parameters_fields_statuses_and_codes() {
    let found = match operations(&upload_document()) {
        Ok(found) => found,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(found.len(), 1);
    let operation = &found[0];
    assert_eq!(operation.title(), "POST /{kind}/{id}/Things (addThing)");
    assert_eq!(operation.shape, "/v/{}/{}/{}/Things");
    let facts = &operation.facts;
    assert_eq!(facts.path_params, 2);
    assert_eq!(
        facts.params,
        params(&[
            ("blob", Location::Form),
            ("meta", Location::Json),
            ("tag", Location::Query),
            ("url", Location::Form),
        ])
    );
    assert_eq!(facts.bodies, BTreeSet::from([Body::Json]));
    assert_eq!(
        facts.fields,
        BTreeMap::from([(Role::Details, names(&["by", "by.name", "id", "when"]))])
    );
    assert_eq!(facts.statuses, names(&["200", "400"]));
    assert_eq!(
        facts.error_codes,
        names(&["BAD_ONE", "BAD_TWO", "SOMETHING_ELSE"])
    );
}

#[test]
fn a_listing_yields_item_and_info_fields() {
    let doc = json!({
        "paths": { "/things": { "get": { "responses": { "200": { "content": {
            "application/json; charset=utf-8": { "schema": { "properties": {
                "data": { "items": { "$ref": "#/components/schemas/Thing" } },
                "info": { "properties": { "more": {}, "page": {} } }
            } } }
        } } } } } },
        "components": { "schemas": { "Thing": { "allOf": [
            { "properties": { "id": {} } },
            { "properties": { "owner": { "properties": { "id": {} } } } }
        ] } } }
    });
    let found = match operations(&doc) {
        Ok(found) => found,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(found[0].shape, "/things");
    assert_eq!(found[0].title(), "GET /things");
    assert_eq!(
        found[0].facts.fields,
        BTreeMap::from([
            (Role::Item, names(&["id", "owner", "owner.id"])),
            (Role::Info, names(&["more", "page"])),
        ])
    );
}

#[test]
fn a_schema_that_holds_itself_ends_the_walk() {
    let doc = json!({
        "paths": { "/nodes": { "get": { "responses": {
            "200": { "content": { "application/json": { "schema": { "properties": {
                "data": { "items": { "$ref": "#/components/schemas/Node" } }
            } } } } },
            "500": { "content": { "application/json": { "schema": {
                "$ref": "#/components/schemas/Failure"
            } } } }
        } } } },
        "components": { "schemas": {
            "Node": { "properties": { "name": {}, "parent": { "$ref": "#/components/schemas/Node" } } },
            "Failure": { "properties": {
                "code": { "enum": ["BROKEN"] },
                "cause": { "$ref": "#/components/schemas/Failure" }
            } }
        } }
    });
    let found = match operations(&doc) {
        Ok(found) => found,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        found[0].facts.fields,
        BTreeMap::from([(Role::Item, names(&["name", "parent"]))])
    );
    assert_eq!(found[0].facts.error_codes, names(&["BROKEN"]));
}

#[test]
fn a_reference_that_does_not_resolve_is_an_error_at_its_place() {
    let doc = json!({ "paths": { "/x": { "get": {
        "parameters": [ { "$ref": "#/components/parameters/Nope" } ]
    } } } });
    assert_eq!(
        operations(&doc),
        Err(OpenApiError {
            at: "/paths/~1x/get/parameters/0".to_owned(),
            message: "`$ref` \"#/components/parameters/Nope\" does not resolve".to_owned(),
        })
    );
}

#[test]
fn references_to_other_files_and_documents_without_paths_are_errors() {
    let doc = json!({ "paths": { "/x": { "get": {
        "parameters": [ { "$ref": "common.json#/components/parameters/Id" } ]
    } } } });
    let Err(e) = operations(&doc) else {
        panic!("an external reference was accepted");
    };
    assert!(e.message.contains("points outside this file"), "{e}");
    let Err(e) = operations(&json!({ "openapi": "3.1.0" })) else {
        panic!("a document without paths was accepted");
    };
    assert_eq!(
        e.message,
        "no `paths`: this is not an OpenAPI description of an API"
    );
}

#[test]
fn the_spec_is_seen_as_it_is_in_the_version_compared() {
    let spec = fixture_spec();
    let in_v2 = ours::operations(&spec, "v2");
    let in_v3 = ours::operations(&spec, "v3");
    let find = |found: &[xtask::spec_diff::facts::SpecOperation], name: &str| match found
        .iter()
        .find(|operation| operation.name == name)
    {
        Some(operation) => operation.facts.clone(),
        None => panic!("no operation {name}"),
    };
    assert_eq!(
        find(&in_v2, "file_link").params,
        params(&[("href", Location::Form)])
    );
    assert_eq!(
        find(&in_v3, "file_link").params,
        params(&[("caption", Location::Query), ("href", Location::Form)])
    );
    assert_eq!(
        find(&in_v2, "list_files").params,
        params(&[("page", Location::Query)])
    );
    assert_eq!(
        find(&in_v3, "list_files").params,
        params(&[("page", Location::Query), ("sort_by", Location::Query)])
    );
}

#[test]
fn spec_statuses_count_only_error_cases_that_apply_to_the_operation() {
    let spec = fixture_spec();
    let found = ours::operations(&spec, "v3");
    let list = match found
        .iter()
        .find(|operation| operation.name == "list_files")
    {
        Some(operation) => operation,
        None => panic!("no list_files"),
    };
    assert_eq!(list.facts.statuses, names(&["200", "204", "400", "423"]));
    assert_eq!(
        list.facts.error_codes,
        names(&["BAD_FOLDER", "DRAWER_LOCKED", "FROM_SDK_ONLY"])
    );
    assert_eq!(list.facts.path_params, 2);
    assert_eq!(
        list.type_names,
        BTreeMap::from([
            (Role::Item, "Folder".to_owned()),
            (Role::Info, "Cursor".to_owned())
        ])
    );
    assert_eq!(
        list.facts.fields.get(&Role::Item),
        Some(&names(&[
            "Filed_By",
            "Filed_By.id",
            "Filed_By.nickname",
            "Label",
            "id"
        ]))
    );
    let link = match found.iter().find(|operation| operation.name == "file_link") {
        Some(operation) => operation,
        None => panic!("no file_link"),
    };
    assert_eq!(link.facts.statuses, names(&["201", "400", "409", "423"]));
}

#[test]
fn differences_are_sorted_by_kind_then_name() {
    let openapi = Facts {
        path_params: 2,
        params: params(&[("title", Location::Query), ("extra", Location::Query)]),
        fields: BTreeMap::from([(Role::Details, names(&["id", "new"]))]),
        statuses: names(&["200", "413"]),
        error_codes: names(&["A_CODE"]),
        ..Facts::default()
    };
    let spec = Facts {
        path_params: 2,
        params: params(&[("title", Location::Form), ("file", Location::Form)]),
        fields: BTreeMap::from([
            (Role::Details, names(&["id"])),
            (Role::Info, names(&["page"])),
        ]),
        statuses: names(&["200", "201"]),
        error_codes: names(&["A_CODE", "B_CODE"]),
        ..Facts::default()
    };
    let labels = BTreeMap::from([(Role::Details, "Made".to_owned())]);
    assert_eq!(
        lines(&differences(&openapi, &spec, &labels)),
        [
            "only in OpenAPI: query parameter extra",
            "only in the spec: form parameter file",
            "location differs: parameter title: query in OpenAPI, form in the spec",
            "only in the spec: response field of info: page",
            "only in OpenAPI: response field of Made: new",
            "only in the spec: status 201",
            "only in OpenAPI: status 413",
            "only in the spec: error code B_CODE",
        ]
    );
}

#[test]
fn spec_operations_that_share_a_method_and_path_are_compared_as_one() {
    let openapi = match operations(&upload_document()) {
        Ok(found) => found,
        Err(e) => panic!("{e}"),
    };
    let spec_operation =
        |name: &str, form: &str, method: &str| xtask::spec_diff::facts::SpecOperation {
            name: name.to_owned(),
            method: method.to_owned(),
            shape: "/v/{}/{}/{}/Things".to_owned(),
            facts: Facts {
                path_params: 2,
                params: params(&[
                    (form, Location::Form),
                    ("meta", Location::Json),
                    ("tag", Location::Query),
                ]),
                bodies: BTreeSet::from([Body::Json]),
                fields: BTreeMap::from([(Role::Details, names(&["by", "by.name", "id", "when"]))]),
                statuses: names(&["200", "400"]),
                error_codes: names(&["BAD_ONE", "BAD_TWO", "SOMETHING_ELSE"]),
                ..Facts::default()
            },
            type_names: BTreeMap::from([(Role::Details, "Made".to_owned())]),
        };
    let spec = [
        spec_operation("add_url", "url", "POST"),
        spec_operation("add_blob", "blob", "POST"),
        spec_operation("read_things", "blob", "GET"),
    ];
    let report = compare(&openapi, &spec);
    assert_eq!(
        report.to_string(),
        "operations\n  only in the spec: operation read_things\n\
         POST /{kind}/{id}/Things (addThing) vs add_blob, add_url\n  no differences\n\
         \x20 agrees: path parameters: 2\n\
         \x20 agrees: parameters: blob (form), meta (json), tag (query), url (form)\n\
         \x20 agrees: success body: JSON\n\
         \x20 agrees: response fields of Made: by, by.name, id, when\n\
         \x20 agrees: statuses: 200, 400\n\
         \x20 agrees: error codes: BAD_ONE, BAD_TWO, SOMETHING_ELSE\n\
         1 difference\n"
    );
    assert_eq!(report.difference_count(), 1);
    assert_eq!(
        report.groups[0].differences,
        [Difference::OnlyInSpec(Item::Operation(
            "read_things".to_owned()
        ))]
    );
}

#[test]
fn options_take_a_file_a_spec_and_a_version() {
    let default_spec = Path::new("spec/zoho-crm.yaml");
    let parsed = Options::parse(
        &["--version", "8.0", "oas.json", "--spec", "s.yaml"],
        default_spec,
    );
    assert_eq!(
        parsed.ok(),
        Some(Options {
            openapi: PathBuf::from("oas.json"),
            spec: PathBuf::from("s.yaml"),
            version: Some("8.0".to_owned()),
        })
    );
    assert_eq!(
        Options::parse(&["oas.json"], default_spec)
            .ok()
            .map(|o| o.spec),
        Some(default_spec.to_owned())
    );
    for bad in [
        &[][..],
        &["a.json", "b.json"],
        &["--spec"],
        &["--colour", "a.json"],
    ] {
        assert!(
            Options::parse(bad, default_spec).is_err(),
            "{bad:?} was accepted"
        );
    }
}

#[test]
fn a_description_that_agrees_exits_0() {
    let (openapi, spec) = (fixture("agrees.json"), fixture("spec.yaml"));
    let output = spec_diff(&[
        "--spec",
        &spec.to_string_lossy(),
        &openapi.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        format!(
            "{} (v3) vs {}\n\
             GET /{{drawerName}}/{{folderId}}/Files (listFiles) vs list_files\n  no differences\n\
             \x20 agrees: path parameters: 2\n\
             \x20 agrees: parameters: page (query), sort_by (query)\n\
             \x20 agrees: success body: JSON\n\
             \x20 agrees: response fields of Folder: Filed_By, Filed_By.id, Filed_By.nickname, Label, id\n\
             \x20 agrees: response fields of Cursor: has_more, page\n\
             \x20 agrees: statuses: 200, 204, 400, 423\n\
             \x20 agrees: error codes: BAD_FOLDER, DRAWER_LOCKED, FROM_SDK_ONLY\n\
             POST /{{drawerName}}/{{folderId}}/Files (fileSomething) vs file_document, file_link\n  no differences\n\
             \x20 agrees: path parameters: 2\n\
             \x20 agrees: parameters: caption (query), document (form), href (form)\n\
             \x20 agrees: success body: JSON\n\
             \x20 agrees: response fields of Receipt: Filed_At, id\n\
             \x20 agrees: statuses: 201, 400, 409, 413, 423\n\
             \x20 agrees: error codes: BAD_FOLDER, DRAWER_LOCKED, TOO_HEAVY\n\
             no differences\n",
            openapi.display(),
            spec.display()
        )
    );
}

#[test]
fn a_description_that_differs_exits_1_and_names_each_difference() {
    let (openapi, spec) = (fixture("differs.yaml"), fixture("spec.yaml"));
    let output = spec_diff(&[
        "--spec",
        &spec.to_string_lossy(),
        &openapi.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let expected = format!(
        "{} (v2.1) vs {}
operations
  only in OpenAPI: 1 operation (listed below)
GET /{{drawer}}/{{folder}}/Files (listFiles) vs list_files
  only in OpenAPI: query parameter sort_by
  only in OpenAPI: response field of Folder: Colour
  only in OpenAPI: response field of Folder: Filed_By.email
  only in the spec: response field of Folder: Label
  only in the spec: response field of Cursor: has_more
  only in the spec: status 204
  only in OpenAPI: status 500
  only in the spec: error code FROM_SDK_ONLY
  only in OpenAPI: error code NO_SUCH_DRAWER
  only in OpenAPI: error code TOO_HEAVY
  agrees: path parameters: 2
  agrees: parameters: page (query)
  agrees: success body: JSON
  agrees: response fields of Folder: Filed_By, Filed_By.id, Filed_By.nickname, id
  agrees: response fields of Cursor: page
  agrees: statuses: 200, 400, 423
  agrees: error codes: BAD_FOLDER, DRAWER_LOCKED
POST /{{drawer}}/{{folder}}/Files (fileSomething) vs file_document, file_link
  count differs: path parameters: 1 in OpenAPI, 2 in the spec
  location differs: parameter caption: query in OpenAPI, form in the spec
  only in OpenAPI: form parameter notes
  only in the spec: response field of Receipt: Filed_At
  only in the spec: status 409
  only in OpenAPI: error code NO_SUCH_DRAWER
  agrees: parameters: document (form), href (form)
  agrees: success body: JSON
  agrees: response fields of Receipt: id
  agrees: statuses: 201, 400, 413, 423
  agrees: error codes: BAD_FOLDER, DRAWER_LOCKED, TOO_HEAVY
only in OpenAPI, not compared:
  DELETE /{{drawer}}/{{folder}}/Files/{{fileId}} (removeFile)
17 differences
",
        openapi.display(),
        spec.display()
    );
    assert_eq!(stdout, expected);
}

#[test]
fn the_version_option_overrides_info_version() {
    let (openapi, spec) = (fixture("differs.yaml"), fixture("spec.yaml"));
    let output = spec_diff(&[
        "--spec",
        &spec.to_string_lossy(),
        "--version",
        "v3",
        &openapi.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(" (v3) vs "), "{stdout}");
    assert!(!stdout.contains("query parameter sort_by"), "{stdout}");
    assert!(!stdout.contains("location differs"), "{stdout}");
}

#[test]
fn a_missing_file_exits_2_naming_it() {
    let missing = fixture("no-such-file.json");
    let output = spec_diff(&[
        "--spec",
        &fixture("spec.yaml").to_string_lossy(),
        &missing.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!("error: cannot read {}: ", missing.display())),
        "{stderr}"
    );
}

#[test]
fn a_directory_or_a_fifo_exits_2_at_once() {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    };
    let fifo = dir.path().join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|status| status.success()), "mkfifo failed");
    for path in [dir.path().to_path_buf(), fifo] {
        let output = spec_diff(&[
            "--spec",
            &fixture("spec.yaml").to_string_lossy(),
            &path.to_string_lossy(),
        ]);
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
}

#[test]
fn invalid_json_exits_2_naming_the_file_and_the_place() {
    let invalid = fixture("invalid.json");
    let output = spec_diff(&[
        "--spec",
        &fixture("spec.yaml").to_string_lossy(),
        &invalid.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!("error: {} is not valid JSON: ", invalid.display())),
        "{stderr}"
    );
    assert!(stderr.contains("line 6"), "{stderr}");
}

#[test]
fn a_version_the_spec_lacks_exits_2() {
    let output = spec_diff(&[
        "--spec",
        &fixture("spec.yaml").to_string_lossy(),
        "--version",
        "9.0",
        &fixture("agrees.json").to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "error: API version v9 (from --version) is not in the spec's versions (v2, v2.1, v3); pass --version\n"
    );
}

#[test]
fn bad_usage_exits_2_with_the_usage() {
    let output = spec_diff(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        format!(
            "error: no OpenAPI file given\nusage: {}\n",
            xtask::spec_diff::USAGE
        )
    );
}

// ---- Zoho's files for photos, the file store and file fields, against the real spec ----------

/// The real spec, beside the xtask crate.
fn real_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/zoho-crm.yaml")
}

/// Runs spec-diff on a trimmed copy of one of Zoho's files against the real spec, and checks
/// the report (after its first line, which names the files) against `NAME.report`.
fn check_zoho_report(name: &str, version: &str) -> String {
    let openapi = fixture(name);
    let output = spec_diff(&[
        "--spec",
        &real_spec().to_string_lossy(),
        &openapi.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let Some((first, report)) = stdout.split_once('\n') else {
        panic!("no report: {stdout}");
    };
    assert_eq!(
        first,
        format!(
            "{} ({version}) vs {}",
            openapi.display(),
            real_spec().display()
        )
    );
    let expected_path = fixture(&format!("{name}.report"));
    // The reports compare with the real spec, so a change to the spec changes them: refresh
    // them deliberately with UPDATE_EXPECT=1 and review the diff.
    if std::env::var_os("UPDATE_EXPECT").is_some()
        && let Err(e) = std::fs::write(&expected_path, report)
    {
        panic!("cannot write {}: {e}", expected_path.display());
    }
    let expected = match std::fs::read_to_string(&expected_path) {
        Ok(expected) => expected,
        Err(e) => panic!("cannot read the expected report of {name}: {e}"),
    };
    assert_eq!(report, expected, "the report of {name}");
    report.to_owned()
}

/// The lines of `report` in the group whose title starts with `title`.
fn group<'r>(report: &'r str, title: &str) -> Vec<&'r str> {
    report
        .lines()
        .skip_while(|line| !line.starts_with(title))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect()
}

#[test]
fn record_photo_yaml_paths_below_the_server_url_match_the_photo_operations() {
    let report = check_zoho_report("zoho_record_photo.yaml", "v8");
    let upload = group(
        &report,
        "POST /{module}/{record}/photo (uploadRecordPhoto) vs upload_photo",
    );
    for line in [
        "  only in OpenAPI: scope ZohoCRM.modules.CREATE",
        "  only in the spec: scope ZohoCRM.modules.{module}.CREATE",
        "  agrees: path parameters: 2",
        "  agrees: parameters: file (form), restrict_triggers (query)",
        "  agrees: success body: JSON",
        "  agrees: statuses: 200, 400, 413, 415",
        "  agrees: error codes: CANNOT_PERFORM_ACTION, FILE_RESOLUTION_EXCEEDS, FILE_SIZE_EXCEEDS, \
         INVALID_DATA, INVALID_MODULE, INVALID_URL_PATTERN, NOT_APPROVED, NOT_REVIEWED, RECORD_LOCKED",
    ] {
        assert!(upload.contains(&line), "{line:?} not in {upload:#?}");
    }
    let download = group(
        &report,
        "GET /{module}/{record}/photo (getRecordPhoto) vs download_photo",
    );
    assert!(
        download.contains(&"  agrees: success body: binary"),
        "{download:#?}"
    );
    assert!(
        download.contains(&"  agrees: statuses: 200, 204, 400"),
        "{download:#?}"
    );
}

#[test]
fn record_photo_json_paths_with_the_version_in_them_match_and_its_all_scope_agrees() {
    let report = check_zoho_report("zoho_record_photo.json", "v8");
    let delete = group(
        &report,
        "DELETE /crm/v8/{module}/{record}/photo (Delete Photo) vs delete_photo",
    );
    assert!(
        delete.contains(&"  agrees: scopes: ZohoCRM.modules.ALL"),
        "{delete:#?}"
    );
    assert!(
        delete.contains(&"  only in the spec: scope ZohoCRM.modules.{module}.DELETE"),
        "{delete:#?}"
    );
    let upload = group(
        &report,
        "POST /crm/v8/{module}/{record}/photo (Upload Photo) vs upload_photo",
    );
    for line in [
        "  only in the spec: status 413",
        "  only in the spec: status 415",
        "  only in the spec: error code RECORD_LOCKED",
        "  agrees: parameters: file (form)",
    ] {
        assert!(upload.contains(&line), "{line:?} not in {upload:#?}");
    }
}

#[test]
fn files_yaml_scopes_agree_without_regard_to_case_and_the_report_says_so() {
    let report = check_zoho_report("zoho_files.yaml", "v8");
    let upload = group(&report, "POST /files (uploadFiles) vs upload_files");
    for line in [
        "  only in OpenAPI: query parameter inline",
        "  agrees: parameters: file (form)",
        "  agrees: response fields of StoredFile: id, name",
        "  agrees: error codes: FILE_SIZE_MORE_THAN_ALLOWED_SIZE, INVALID_REQUEST, failure_in_attachment_handling",
        "  agrees: scopes: ZohoCRM.files.CREATE",
        "  note: scope ZohoCRM.files.CREATE in OpenAPI is ZohoCRM.Files.CREATE in the spec \
         (scopes are compared without regard to case)",
    ] {
        assert!(upload.contains(&line), "{line:?} not in {upload:#?}");
    }
    let download = group(&report, "GET /files (getFile) vs download_file");
    for line in [
        "  agrees: parameters: id (query)",
        "  agrees: success body: binary",
        "  agrees: statuses: 200, 204, 400",
        "  agrees: scopes: ZohoCRM.files.READ",
    ] {
        assert!(download.contains(&line), "{line:?} not in {download:#?}");
    }
}

#[test]
fn files_json_matches_its_absolute_paths_and_its_download_media_type_is_binary() {
    let report = check_zoho_report("zoho_files.json", "v8");
    let download = group(&report, "GET /crm/v8/files (Get File) vs download_file");
    assert!(
        download.contains(&"  agrees: success body: binary"),
        "{download:#?}"
    );
    assert!(
        download.contains(&"  only in OpenAPI: error code VIRUS_DETECTED"),
        "{download:#?}"
    );
    let upload = group(&report, "POST /crm/v8/files (Upload Files) vs upload_files");
    assert!(
        upload.contains(&"  only in OpenAPI: query parameter type"),
        "{upload:#?}"
    );
}

#[test]
fn record_json_operations_the_spec_lacks_are_one_difference_listed_at_the_end() {
    let report = check_zoho_report("zoho_record.json", "v8");
    let operations = group(&report, "operations");
    assert_eq!(
        operations.first(),
        Some(&"  only in OpenAPI: 2 operations (listed below)")
    );
    assert_eq!(
        group(&report, "only in OpenAPI, not compared:"),
        [
            "  GET /crm/v8/{module_api_name} (Get Records)",
            "  DELETE /crm/v8/{module_api_name}/{id} (Delete Record)",
        ]
    );
    let update = group(
        &report,
        "PUT /crm/v8/{module_api_name}/{id} (Update Record) vs update_record",
    );
    assert!(
        update.contains(&"  only in the spec: json parameter data"),
        "{update:#?}"
    );
}

#[test]
fn a_version_segment_is_the_version_placeholder() {
    assert_eq!(
        version_as_placeholder("/crm/v8/{}/{}/photo", "v8"),
        "/crm/{}/{}/{}/photo"
    );
    assert_eq!(
        version_as_placeholder("/crm/v2.1/files", "v2.1"),
        "/crm/{}/files"
    );
    assert_eq!(
        version_as_placeholder("/crm/v7/files", "v8"),
        "/crm/v7/files"
    );
    assert_eq!(version_as_placeholder("/crm/video/x", "v8"), "/crm/video/x");
}

#[test]
fn json_bodies_binary_successes_bare_actions_and_security_become_facts() {
    let doc = json!({
        "security": [{ "oauth": ["Root.READ"] }],
        "paths": { "/r/{id}": {
            "put": {
                "security": [{ "oauth": ["Api.things.UPDATE"] }],
                "requestBody": { "content": { "application/json": { "schema": {
                    "properties": { "data": { "type": "array" }, "trigger": {} }
                } } } },
                "responses": { "200": { "content": { "application/json": { "schema": {
                    "properties": { "code": {}, "details": { "properties": { "id": {} } } }
                } } } } }
            },
            "get": { "responses": {
                "200": { "content": { "image/png": {} } },
                "204": { "description": "none" }
            } }
        } }
    });
    let found = match operations(&doc) {
        Ok(found) => found,
        Err(e) => panic!("{e}"),
    };
    let (get, put) = (&found[0].facts, &found[1].facts);
    assert_eq!(get.bodies, BTreeSet::from([Body::Binary]));
    assert_eq!(get.statuses, names(&["200", "204"]));
    assert_eq!(get.scopes, names(&["Root.READ"]));
    assert_eq!(put.bodies, BTreeSet::from([Body::Json]));
    assert_eq!(
        put.params,
        params(&[("data", Location::Json), ("trigger", Location::Json)])
    );
    assert_eq!(
        put.fields,
        BTreeMap::from([(Role::Details, names(&["id"]))])
    );
    assert_eq!(put.scopes, names(&["Api.things.UPDATE"]));
}

#[test]
fn the_spec_accepts_its_templates_scopes_and_asks_for_the_narrowest() {
    let spec = fixture_spec();
    let found: Vec<SpecOperation> = ours::operations(&spec, "v3");
    let Some(list) = found
        .iter()
        .find(|operation| operation.name == "list_files")
    else {
        panic!("no list_files");
    };
    assert_eq!(
        list.facts.scopes,
        names(&["Cabinet.ALL", "Cabinet.files.READ", "Cabinet.{module}.READ"])
    );
    assert_eq!(
        list.facts.requested_scopes,
        names(&["Cabinet.files.READ", "Cabinet.{module}.READ"])
    );
    assert_eq!(list.facts.bodies, BTreeSet::from([Body::Json]));
}

#[test]
fn scopes_differ_and_agree_without_regard_to_case() {
    let openapi = Facts {
        scopes: names(&["api.files.create", "Api.Other.ALL"]),
        ..Facts::default()
    };
    let spec = Facts {
        scopes: names(&["Api.Files.CREATE", "Api.Files.ALL"]),
        requested_scopes: names(&["Api.Files.CREATE", "Api.Records.CREATE"]),
        ..Facts::default()
    };
    let labels = BTreeMap::new();
    assert_eq!(
        lines(&differences(&openapi, &spec, &labels)),
        [
            "only in OpenAPI: scope Api.Other.ALL",
            "only in the spec: scope Api.Records.CREATE",
        ]
    );
    let agreed: Vec<String> = xtask::spec_diff::compare::agreements(&openapi, &spec, &labels)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        agreed,
        [
            "agrees: path parameters: 0",
            "agrees: scopes: api.files.create"
        ]
    );
    let none = Facts::default();
    assert!(differences(&none, &spec, &labels).is_empty());
}
