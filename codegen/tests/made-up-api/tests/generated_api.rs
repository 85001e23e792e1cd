//! The crate generated from the made-up Widget Store spec behaves as its spec says: versions,
//! regions, modules, scopes, and parameter checks that run before anything is sent.

use std::str::FromStr as _;

use made_up_api_fixture::operations::{AttachPhotoRequest, ListWidgetsRequest, Operation};
use made_up_api_fixture::{
    ApiVersion, Client, DataCenter, Environment, Error, FileSource, Module, ValidationError, scopes,
};

fn client() -> Client {
    // Nothing listens on port 9: every call below must fail validation before connecting.
    match Client::builder()
        .base_url("http://127.0.0.1:9")
        .access_token("key")
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn versions_regions_and_modules_come_from_the_spec() {
    assert_eq!(ApiVersion::default(), ApiVersion::V1);
    assert_eq!(ApiVersion::VALUES, [ApiVersion::V1, ApiVersion::V2]);
    let endpoints = DataCenter::South.endpoints(Environment::Test);
    assert_eq!(endpoints.api_base_url, "https://test-api.south.example.com");
    assert_eq!(endpoints.accounts_url, "https://auth.south.example.com");
    assert_eq!(Module::from_str("bins").ok(), Some(Module::Bins));
}

#[test]
fn scopes_are_the_narrowest_per_operation() {
    assert_eq!(
        scopes::minimal_scopes(&[(Operation::ListWidgets, Module::Shelves)]),
        ["Store.shelves.READ", "Store.widgets.READ"]
    );
    assert!(
        scopes::check_granted(
            "Store.shelves.ALL Store.widgets.WRITE",
            &[(Operation::AttachPhoto, Module::Shelves)]
        )
        .is_ok()
    );
}

#[tokio::test]
async fn parameters_are_checked_before_sending() {
    let client = client();
    let page = client
        .list_widgets(ListWidgetsRequest::new(Module::Shelves, "12").page(0))
        .await;
    assert!(
        matches!(
            page,
            Err(Error::Validation(ValidationError::OutOfRange {
                name: "page",
                ..
            }))
        ),
        "{page:?}"
    );
    let tags = client
        .list_widgets(
            ListWidgetsRequest::new(Module::Shelves, "12").tags(["a", "b", "c", "d", "e", "f"]),
        )
        .await;
    assert!(
        matches!(
            tags,
            Err(Error::Validation(ValidationError::OutOfRange {
                name: "tags",
                value: 6,
                ..
            }))
        ),
        "{tags:?}"
    );
    let photo = || FileSource::from_bytes("w.png", &b"png"[..]);
    let caption = client
        .attach_photo(AttachPhotoRequest::new(Module::Shelves, "12", "34", photo()).caption("hi"))
        .await;
    assert!(
        matches!(
            caption,
            Err(Error::Validation(ValidationError::ParameterNotInVersion {
                name: "caption",
                ..
            }))
        ),
        "{caption:?}"
    );
    let bitmap = client
        .attach_photo(AttachPhotoRequest::new(
            Module::Shelves,
            "12",
            "34",
            FileSource::from_bytes("w.BMP", &b"bm"[..]),
        ))
        .await;
    assert!(
        matches!(
            bitmap,
            Err(Error::Validation(
                ValidationError::ForbiddenExtension { .. }
            ))
        ),
        "{bitmap:?}"
    );
    let bins = client
        .list_widgets(ListWidgetsRequest::new(Module::Bins, "12"))
        .await;
    assert!(
        matches!(
            bins,
            Err(Error::Validation(ValidationError::ModuleNotInVersion {
                since: "v2",
                ..
            }))
        ),
        "{bins:?}"
    );
    let widget = client
        .attach_photo(AttachPhotoRequest::new(
            Module::Shelves,
            "12",
            "w34",
            photo(),
        ))
        .await;
    assert!(
        matches!(
            widget,
            Err(Error::Validation(ValidationError::InvalidParameter {
                name: "widget_id",
                ..
            }))
        ),
        "{widget:?}"
    );
}
