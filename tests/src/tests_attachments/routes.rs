//! What every attachment route shares: allowed methods, the token, module and record id
//! checks, unknown paths and faults.

use super::{RECORD, assert_status, call, collection, item};
use crate::tests::{assert_error, request, send};
use crate::{Fault, LoopbackServer};

#[tokio::test]
async fn methods_and_checks_apply_to_every_route() {
    let server = LoopbackServer::start().await.expect("start");
    let id = server.insert_file("Leads", RECORD, "a.txt", b"a");
    let method_error = "The http request method type is not a valid one";
    for (method, target) in [
        ("PUT", collection("v2")),
        ("PATCH", collection("v2")),
        ("POST", item("v2", &id)),
        ("PUT", item("v2", &id)),
    ] {
        let reply = call(&server, method, &target).await;
        assert_error(&reply, 400, "INVALID_REQUEST_METHOD", method_error, false);
    }
    let wrong_token = request("GET", &item("v2", &id), Some("wrong"), None, b"");
    let reply = send(server.local_addr(), &wrong_token).await;
    assert_error(&reply, 401, "INVALID_TOKEN", "invalid oauth token", false);
    let reply = call(
        &server,
        "DELETE",
        &format!("/crm/v2/Widgets/{RECORD}/Attachments/{id}"),
    )
    .await;
    assert_error(
        &reply,
        400,
        "INVALID_MODULE",
        "The module name given seems to be invalid",
        false,
    );
    let reply = call(&server, "GET", "/crm/v8/Leads/12x/Attachments?fields=id").await;
    assert_error(
        &reply,
        400,
        "INVALID_DATA",
        "the related id given seems to be invalid",
        true,
    );
    for target in [
        format!("{}/x", item("v2", &id)),
        format!("{}/", item("v2", &id)),
        format!("/crm/v9/Leads/{RECORD}/Attachments/{id}"),
    ] {
        let reply = call(&server, "GET", &target).await;
        assert_status(&reply, 404);
    }
    // Faults apply to the new routes too.
    server.push_fault(Fault::TooManyRequests { retry_after: None });
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 429);
    server.push_fault(Fault::StatusAfterBody {
        status: 500,
        store: true,
    });
    let reply = call(&server, "DELETE", &item("v2", &id)).await;
    assert_status(&reply, 500);
    // Handled normally first: the attachment is gone.
    assert_eq!(server.attachment_count(), 0);
}
