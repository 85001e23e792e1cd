//! The generator's request bodies on the made-up Widget Store, over real HTTP: a file-list
//! parameter sends one multipart part per file under the same field name (parsed here by
//! axum's multipart extractor, which is multer), a JSON parameter sends a JSON object body,
//! and an operation with a scope template of its own asks for that scope.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::routing::post;
use made_up_api_fixture::operations::{
    AttachPhotoRequest, Operation, RestockRequest, UploadManualsRequest,
};
use made_up_api_fixture::{Client, Error, FileSource, JsonValue, Module, ValidationError, scopes};
use serde_json::json;

/// One multipart part as the server parsed it.
#[derive(Debug)]
struct SeenPart {
    field: String,
    file: Option<String>,
    media: Option<String>,
    bytes: Vec<u8>,
}

/// What the server saw: the parts of a form, or a JSON body with its content type.
#[derive(Debug, Default)]
struct Seen {
    parts: Vec<SeenPart>,
    json: Option<(Option<String>, JsonValue)>,
}

type Shared = Arc<Mutex<Seen>>;

async fn manuals(State(seen): State<Shared>, mut form: Multipart) -> Json<JsonValue> {
    let mut results = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file = field.file_name().map(str::to_owned);
        let media = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        results.push(json!({
            "code": "SUCCESS", "status": "success", "message": "stored",
            "details": {"ref": format!("m{}", results.len() + 1)},
        }));
        if let Ok(mut seen) = seen.lock() {
            seen.parts.push(SeenPart {
                field: name,
                file,
                media,
                bytes,
            });
        }
    }
    Json(json!({ "data": results }))
}

async fn restock(
    State(seen): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<JsonValue>,
) -> Json<JsonValue> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Ok(mut seen) = seen.lock() {
        seen.json = Some((content_type, body));
    }
    Json(
        json!({"data": [{"code": "SUCCESS", "status": "success", "message": "ok", "details": {"count": 2}}]}),
    )
}

async fn start() -> (Client, Shared) {
    let seen = Shared::default();
    let app = axum::Router::new()
        .route("/store/v1/manuals", post(manuals))
        .route("/store/v1/Shelves/12/restock", post(restock))
        .with_state(Arc::clone(&seen));
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => panic!("bind: {e}"),
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => panic!("addr: {e}"),
    };
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .access_token("key")
        .build();
    match client {
        Ok(client) => (client, seen),
        Err(e) => panic!("{e}"),
    }
}

fn seen(shared: &Shared) -> std::sync::MutexGuard<'_, Seen> {
    match shared.lock() {
        Ok(seen) => seen,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[tokio::test]
async fn a_file_list_is_one_part_per_file_under_one_field_and_one_result_each() {
    let (client, shared) = start().await;
    let files = [("a.txt", &b"first"[..]), ("b.pdf", &b"second"[..])]
        .map(|(name, bytes)| FileSource::from_bytes(name, bytes));
    let results = client
        .upload_manuals(UploadManualsRequest::new(files))
        .await;
    let results = match results {
        Ok(results) => results,
        Err(e) => panic!("{e}"),
    };
    let refs: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|stored| stored.details.ref_.clone()))
        .collect();
    assert_eq!(refs, ["m1", "m2"]);
    let seen = seen(&shared);
    let parts: Vec<_> = (seen.parts.iter())
        .map(|part| {
            (
                part.field.as_str(),
                part.file.as_deref(),
                part.media.as_deref(),
                part.bytes.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            ("manual", Some("a.txt"), Some("text/plain"), &b"first"[..]),
            (
                "manual",
                Some("b.pdf"),
                Some("application/pdf"),
                &b"second"[..]
            ),
        ]
    );
}

#[tokio::test]
async fn a_file_list_outside_its_count_or_a_file_over_the_limit_is_refused_before_sending() {
    let (client, shared) = start().await;
    let none = client
        .upload_manuals(UploadManualsRequest::new(Vec::new()))
        .await;
    assert!(
        matches!(
            none,
            Err(Error::Validation(ValidationError::OutOfRange {
                name: "manual",
                value: 0,
                ..
            }))
        ),
        "{none:?}"
    );
    let four = (0..4).map(|i| FileSource::from_bytes(format!("{i}.txt"), &b"x"[..]));
    let four = client.upload_manuals(UploadManualsRequest::new(four)).await;
    assert!(
        matches!(
            four,
            Err(Error::Validation(ValidationError::OutOfRange {
                name: "manual",
                value: 4,
                ..
            }))
        ),
        "{four:?}"
    );
    let big = [
        FileSource::from_bytes("ok.txt", &b"x"[..]),
        FileSource::from_bytes("big.txt", vec![0u8; 1001]),
    ];
    let big = client.upload_manuals(UploadManualsRequest::new(big)).await;
    assert!(
        matches!(
            big,
            Err(Error::Validation(ValidationError::FileTooLarge {
                size: 1001,
                ..
            }))
        ),
        "{big:?}"
    );
    assert!(
        seen(&shared).parts.is_empty(),
        "nothing may reach the server"
    );
}

#[tokio::test]
async fn json_parameters_are_the_keys_of_a_json_body() {
    let (client, shared) = start().await;
    let widgets = json!([{"label": "cog"}, {"label": "gear"}]);
    let request = RestockRequest::new(Module::Shelves, "12", widgets.clone()).note("monday");
    let answer = match client.restock(request).await {
        Ok(answer) => answer,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(answer.details.count, Some(2));
    let seen = seen(&shared);
    let Some((content_type, body)) = &seen.json else {
        panic!("no JSON body arrived");
    };
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(body, &json!({"widgets": widgets, "note": "monday"}));
}

#[tokio::test]
async fn a_module_parameter_takes_only_the_modules_its_spec_names() {
    let (client, shared) = start().await;
    let photo = FileSource::from_bytes("w.png", &b"png"[..]);
    let bins = client
        .attach_photo(
            AttachPhotoRequest::new(Module::Bins, "12", "34", photo)
                .version(made_up_api_fixture::ApiVersion::V2),
        )
        .await;
    assert!(
        matches!(
            &bins,
            Err(Error::Validation(ValidationError::ModuleNotSupported {
                parameter: "kind",
                supported: ["Shelves"],
                ..
            }))
        ),
        "{bins:?}"
    );
    assert!(seen(&shared).parts.is_empty());
}

#[tokio::test]
async fn an_image_parameter_takes_only_its_formats_within_its_pixels() {
    let (client, shared) = start().await;
    // A 1x1 JPEG's start: SOI, then a baseline frame header (SOF0) for 1x1.
    let jpeg = vec![
        0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00,
    ];
    let jpeg = client
        .attach_photo(AttachPhotoRequest::new(
            Module::Shelves,
            "12",
            "34",
            FileSource::from_bytes("w.jpg", jpeg),
        ))
        .await;
    assert!(
        matches!(
            &jpeg,
            Err(Error::Validation(ValidationError::NotAnImage { .. }))
        ),
        "JPEG is not among the formats: {jpeg:?}"
    );
    // A GIF of 2000 x 1000 pixels: over the million the spec allows.
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&2000u16.to_le_bytes());
    gif.extend_from_slice(&1000u16.to_le_bytes());
    gif.extend_from_slice(&[0, 0, 0]);
    let gif = client
        .attach_photo(AttachPhotoRequest::new(
            Module::Shelves,
            "12",
            "34",
            FileSource::from_bytes("w.gif", gif),
        ))
        .await;
    assert!(
        matches!(
            &gif,
            Err(Error::Validation(ValidationError::TooManyPixels {
                width: 2000,
                height: 1000,
                ..
            }))
        ),
        "{gif:?}"
    );
    assert!(seen(&shared).parts.is_empty());
}

#[test]
fn an_operation_with_a_scope_template_of_its_own_asks_for_that_scope_alone() {
    assert_eq!(
        Operation::UploadManuals.scope_templates(),
        [scopes::ScopeTemplate::Manuals]
    );
    assert_eq!(
        scopes::minimal_scopes(&[(Operation::UploadManuals, Module::Shelves)]),
        ["Store.manuals.WRITE"]
    );
    // The all-scope grants operations that need the module scope, not this one.
    let missing =
        scopes::check_granted("Store.ALL", &[(Operation::UploadManuals, Module::Shelves)]);
    assert_eq!(
        missing.map_err(|m| m.0.into_iter().flat_map(|m| m.add).collect::<Vec<_>>()),
        Err(vec!["Store.manuals.WRITE".to_owned()])
    );
    assert!(
        scopes::check_granted(
            "store.manuals.write",
            &[(Operation::UploadManuals, Module::Bins)]
        )
        .is_ok()
    );
    assert_eq!(
        scopes::accepted_scope_sets(Operation::ListWidgets, &Module::Shelves),
        [
            vec!["Store.ALL".to_owned()],
            vec![
                "Store.shelves.ALL".to_owned(),
                "Store.widgets.ALL".to_owned()
            ],
            vec![
                "Store.shelves.READ".to_owned(),
                "Store.widgets.READ".to_owned()
            ],
        ]
    );
}
