//! Link uploads: `attachmentUrl` and `title` from query parameters or form fields, and the
//! titles accepted from v2.1.

use super::{assert_status, call, collection, stored_files};
use crate::tests::{
    file_part, multipart_body, multipart_content_type, request, send, text_part, upload,
};
use crate::{LoopbackServer, StoredContent};

#[tokio::test]
async fn links_upload_from_query_parameters() {
    let server = LoopbackServer::start().await.expect("start");
    let query =
        "attachmentUrl=https%3A%2F%2Fwww.zohocorp.com%2Fa%3Fb%3Dc&title=Zoho+Corp%20%E2%9C%93";
    let target = format!("{}?{query}", collection("v8"));

    // With Content-Length: 0.
    let reply = call(&server, "POST", &target).await;
    assert_status(&reply, 200);
    let details = &reply.json()["data"][0]["details"];
    let id = details["id"].as_str().expect("id").to_owned();
    // With no length and no body at all.
    let bare = format!(
        "POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Zoho-oauthtoken {}\r\n\r\n",
        server.token()
    );
    let reply = send(server.local_addr(), bare.as_bytes()).await;
    assert_status(&reply, 200);

    let stored = server.attachments();
    assert_eq!(stored.len(), 2);
    for attachment in &stored {
        assert!(matches!(
            &attachment.content,
            StoredContent::Link { url } if url == "https://www.zohocorp.com/a?b=c"
        ));
        assert_eq!(attachment.title.as_deref(), Some("Zoho Corp ✓"));
        assert_eq!(attachment.version, "v8");
        assert_eq!(attachment.kind, crate::AttachmentKind::Link);
        assert_eq!(
            attachment.created_time,
            details["Created_Time"].as_str().unwrap_or("")
        );
    }
    // Without a title, on v2 too.
    let reply = call(
        &server,
        "POST",
        &format!("{}?attachmentUrl=https://example.com", collection("v2")),
    )
    .await;
    assert_status(&reply, 200);
    assert_eq!(server.attachments()[2].title, None);

    let reply = call(
        &server,
        "GET",
        &format!("{}?fields=File_Name,%24link_url", collection("v8")),
    )
    .await;
    let first = &reply.json()["data"][0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["File_Name"], "Zoho Corp ✓");
    assert_eq!(first["$link_url"], "https://www.zohocorp.com/a?b=c");

    // A body next to the query link.
    let body = multipart_body(&[text_part("attachmentUrl", "https://example.com")]);
    let ct = multipart_content_type();
    let bytes = request("POST", &target, Some(server.token()), Some(&ct), &body);
    let reply = send(server.local_addr(), &bytes).await;
    assert_status(&reply, 400);
    assert_eq!(
        reply.json()["data"][0]["details"]["param_name"],
        "attachmentUrl"
    );
    // A title on v2.
    let reply = call(&server, "POST", &format!("{}?{query}", collection("v2"))).await;
    assert_status(&reply, 400);
    assert_eq!(reply.json()["data"][0]["details"]["param_name"], "title");
    // A bad URL, and two of them.
    for query in [
        "attachmentUrl=ftp://example.com",
        "attachmentUrl=",
        "attachmentUrl=https://a.com&attachmentUrl=https://b.com",
    ] {
        let reply = call(&server, "POST", &format!("{}?{query}", collection("v8"))).await;
        assert_status(&reply, 400);
        assert_eq!(reply.json()["data"][0]["code"], "INVALID_DATA");
        assert_eq!(
            reply.json()["data"][0]["details"]["param_name"],
            "attachmentUrl"
        );
    }
    // A query title with a form link.
    let reply = upload(
        &server,
        &format!("{}?title=x", collection("v8")),
        server.token(),
        &[text_part("attachmentUrl", "https://example.com")],
    )
    .await;
    assert_status(&reply, 400);
    assert_eq!(reply.json()["data"][0]["details"]["param_name"], "title");
    assert_eq!(server.attachment_count(), 3);
}

#[tokio::test]
async fn link_titles_from_v2_1() {
    let server = LoopbackServer::start().await.expect("start");
    let link = [
        text_part("attachmentUrl", "https://www.zohocorp.com"),
        text_part("title", "Zoho"),
    ];
    let reply = upload(&server, &collection("v2.1"), server.token(), &link).await;
    assert_status(&reply, 200);
    let stored = server.attachments();
    assert_eq!(stored[0].title.as_deref(), Some("Zoho"));
    // Title first works too.
    let reversed = [
        text_part("title", "Zoho 2"),
        text_part("attachmentUrl", "https://www.zohocorp.com"),
    ];
    let reply = upload(&server, &collection("v8"), server.token(), &reversed).await;
    assert_status(&reply, 200);
    assert_eq!(server.attachments()[1].title.as_deref(), Some("Zoho 2"));

    let cases: Vec<(&str, Vec<crate::tests::Part<'_>>)> = vec![
        (
            "v2",
            vec![
                text_part("attachmentUrl", "https://www.zohocorp.com"),
                text_part("title", "Zoho"),
            ],
        ),
        (
            "v2.1",
            vec![file_part("a.txt", b"x"), text_part("title", "t")],
        ),
        (
            "v3",
            vec![
                text_part("attachmentUrl", "https://www.zohocorp.com"),
                text_part("title", "a"),
                text_part("title", "b"),
            ],
        ),
    ];
    for (version, parts) in cases {
        let reply = upload(&server, &collection(version), server.token(), &parts).await;
        assert_status(&reply, 400);
        let item = &reply.json()["data"][0];
        assert_eq!(item["code"], "INVALID_DATA");
        assert_eq!(item["details"]["param_name"], "title", "{version}");
        assert!(
            item["message"]
                .as_str()
                .is_some_and(|m| m.contains("`title`"))
        );
    }
    assert_eq!(server.attachment_count(), 2);
    // The rejected file was not left on disk.
    assert_eq!(stored_files(&server), 0);
}
