//! The list endpoint: `page` paging on v2, `page_token` paging and field states on v8,
//! required `fields` from v3, page parameter checks, `ids` filters and empty lists.

use serde_json::{Value, json};

use super::{
    OTHER_RECORD, RECORD, assert_status, body_text, call, collection, ids_of, seed_files,
    sorted_keys,
};
use crate::operations::LIST_FIELDS;
use crate::{EmptyList, LoopbackServer};

/// The list fields before v8 (which adds `$field_states`).
fn v2_fields() -> impl Iterator<Item = &'static &'static str> {
    LIST_FIELDS.iter().filter(|k| **k != "$field_states")
}

#[tokio::test]
async fn list_pages_on_v2() {
    let server = LoopbackServer::start().await.expect("start");
    let mut ids = seed_files(&server, 5);
    ids.push(server.insert_link("Leads", RECORD, "https://www.zohocorp.com", Some("Zoho")));
    // Other records and modules don't show.
    server.insert_file("Leads", OTHER_RECORD, "other.txt", b"x");
    server.insert_file("Deals", RECORD, "deal.txt", b"x");

    let path = collection("v2");
    let mut seen = Vec::new();
    for (page, count, more) in [(1, 4, true), (2, 2, false)] {
        let reply = call(&server, "GET", &format!("{path}?per_page=4&page={page}")).await;
        assert_status(&reply, 200);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let json = reply.json();
        assert_eq!(
            json["info"],
            json!({"per_page": 4, "count": count, "page": page, "more_records": more})
        );
        seen.extend(ids_of(&reply));
    }
    assert_eq!(seen, ids);
    let reply = call(&server, "GET", &format!("{path}?per_page=4&page=3")).await;
    assert_status(&reply, 204);
    assert!(reply.body.is_empty());

    // Defaults: page 1, 200 per page, every field.
    let reply = call(&server, "GET", &path).await;
    assert_status(&reply, 200);
    let json = reply.json();
    assert_eq!(
        json["info"],
        json!({"per_page": 200, "count": 6, "page": 1, "more_records": false})
    );
    let file = &json["data"][0];
    let keys = sorted_keys(file);
    let mut expected: Vec<String> = v2_fields().map(|k| (*k).to_owned()).collect();
    expected.sort();
    assert_eq!(keys, expected);
    // The order on the wire is Zoho's.
    let text = body_text(&reply);
    let positions: Vec<usize> = v2_fields()
        .map(|k| text.find(&format!("\"{k}\":")).expect("key"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    assert_eq!(file["id"], ids[0].as_str());
    assert_eq!(file["File_Name"], "f0.txt");
    assert_eq!(file["Size"], "17");
    assert_eq!(file["$type"], "File");
    assert_eq!(file["$se_module"], "Leads");
    assert_eq!(file["$state"], "active");
    assert_eq!(file["$editable"], true);
    assert_eq!(file["$sharing_permission"], "Public");
    assert!(file["$link_url"].is_null());
    assert!(file["$file_id"].as_str().is_some_and(|id| id.len() == 32));
    assert_eq!(file["Parent_Id"]["id"], RECORD);
    assert!(file["Parent_Id"]["name"].is_string());
    for who in ["Owner", "Created_By", "Modified_By"] {
        assert_eq!(
            file[who],
            json!({"name": "Patricia Boyle", "id": "738964000000291009"})
        );
    }
    let time = file["Created_Time"].as_str().expect("time");
    assert!(time.ends_with("+00:00"));
    assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok());
    assert_eq!(file["Modified_Time"], file["Created_Time"]);

    let link = &json["data"][5];
    assert_eq!(link["$type"], "Link URL");
    assert_eq!(link["$link_url"], "https://www.zohocorp.com");
    assert_eq!(link["File_Name"], "Zoho");
    assert!(link["$file_id"].is_null());
    assert_eq!(link["Size"], "0");
}

#[tokio::test]
async fn v8_items_carry_field_states_and_users_with_an_email() {
    let server = LoopbackServer::start().await.expect("start");
    seed_files(&server, 1);
    let reply = call(&server, "GET", &format!("{}?fields=id", collection("v8"))).await;
    assert_status(&reply, 200);
    let reply = call(
        &server,
        "GET",
        &format!("{}?fields=Owner,%24field_states", collection("v8")),
    )
    .await;
    assert_status(&reply, 200);
    let item = &reply.json()["data"][0];
    assert!(
        item.get("$field_states").is_some_and(Value::is_null),
        "{item}"
    );
    assert_eq!(item["Owner"]["email"], "patricia.boyle@example.com");
    let v7 = call(
        &server,
        "GET",
        &format!("{}?fields=Owner", collection("v7")),
    )
    .await;
    let owner = &v7.json()["data"][0]["Owner"];
    assert!(owner.get("email").is_none(), "{owner}");
}

#[tokio::test]
async fn list_follows_page_tokens_on_v8() {
    let server = LoopbackServer::start().await.expect("start");
    let ids = seed_files(&server, 7);
    let base = format!("{}?fields=File_Name,Size&per_page=3", collection("v8"));

    let mut target = base.clone();
    let mut seen = Vec::new();
    let mut previous_tokens = Vec::new();
    let mut requests = 0;
    for _ in 0..10 {
        let reply = call(&server, "GET", &target).await;
        assert_status(&reply, 200);
        requests += 1;
        let json = reply.json();
        for item in json["data"].as_array().expect("data") {
            assert_eq!(sorted_keys(item), ["File_Name", "Size", "id"]);
        }
        seen.extend(ids_of(&reply));
        let info = &json["info"];
        previous_tokens.push(info["previous_page_token"].clone());
        match info["next_page_token"].as_str() {
            Some(next) => {
                assert_eq!(info["more_records"], true);
                let expiry = info["page_token_expiry"].as_str().expect("expiry");
                assert!(chrono::DateTime::parse_from_rfc3339(expiry).is_ok());
                target = format!("{base}&page_token={next}");
            }
            None => {
                assert_eq!(info["more_records"], false);
                assert!(info["next_page_token"].is_null());
                assert!(info["page_token_expiry"].is_null());
                break;
            }
        }
    }
    assert_eq!(requests, 3);
    assert_eq!(seen, ids);
    assert!(previous_tokens[0].is_null());
    assert!(previous_tokens[1].is_string() && previous_tokens[2].is_string());

    // `page` is ignored next to a token.
    let first = call(&server, "GET", &base).await.json();
    let next = first["info"]["next_page_token"].as_str().expect("next");
    let reply = call(&server, "GET", &format!("{base}&page=9&page_token={next}")).await;
    assert_eq!(ids_of(&reply), ids[3..6]);
    assert_eq!(reply.json()["info"]["page"], 2);

    // v2's page parameters work on v8 too.
    let reply = call(&server, "GET", &format!("{base}&page=3")).await;
    assert_eq!(ids_of(&reply), ids[6..]);

    // Tokens only on v8; bad, foreign and expired tokens are refused.
    let reply = call(
        &server,
        "GET",
        &format!("{}?fields=id&page_token={next}", collection("v7")),
    )
    .await;
    assert_status(&reply, 400);
    assert_eq!(reply.json()["code"], "INVALID_DATA");
    assert_eq!(reply.json()["details"]["param_name"], "page_token");
    let expired = crate::query::encode_page_token("Leads", RECORD, 3, 1);
    let foreign = crate::query::encode_page_token("Leads", OTHER_RECORD, 3, i64::MAX);
    for token in ["zz", "not-a-token", &expired, &foreign] {
        let reply = call(&server, "GET", &format!("{base}&page_token={token}")).await;
        assert_status(&reply, 400);
        let json = reply.json();
        assert_eq!(json["code"], "INVALID_DATA");
        assert_eq!(json["details"], json!({"param_name": "page_token"}));
        assert_eq!(json["status"], "error");
    }
    let reply = call(&server, "GET", &format!("{base}&page_token={expired}")).await;
    assert!(
        reply.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired"))
    );
}

#[tokio::test]
async fn fields_are_required_from_v3() {
    let server = LoopbackServer::start().await.expect("start");
    seed_files(&server, 2);
    let expected = json!({
        "code": "REQUIRED_PARAM_MISSING",
        "details": {"param_name": "fields"},
        "message": "One of the expected parameter is missing",
        "status": "error",
    });
    for target in [
        collection("v3"),
        format!("{}?fields=", collection("v5")),
        format!("{}?page=1&fields=%20,", collection("v8")),
    ] {
        let reply = call(&server, "GET", &target).await;
        assert_status(&reply, 400);
        assert_eq!(reply.json(), expected);
    }
    for version in ["v2", "v2.1"] {
        let reply = call(&server, "GET", &collection(version)).await;
        assert_status(&reply, 200);
        assert_eq!(
            sorted_keys(&reply.json()["data"][0]).len(),
            v2_fields().count()
        );
    }
    let reply = call(
        &server,
        "GET",
        &format!("{}?fields=%24type,File_Name,Nope", collection("v3")),
    )
    .await;
    assert_status(&reply, 200);
    assert_eq!(
        sorted_keys(&reply.json()["data"][0]),
        ["$type", "File_Name", "id"]
    );
}

#[tokio::test]
async fn page_parameters_are_checked() {
    let server = LoopbackServer::start().await.expect("start");
    seed_files(&server, 1);
    let path = collection("v2");
    for (query, param) in [
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("per_page=abc", "per_page"),
        ("per_page=-1", "per_page"),
        ("per_page=1&per_page=2", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
    ] {
        let reply = call(&server, "GET", &format!("{path}?{query}")).await;
        assert_status(&reply, 400);
        let json = reply.json();
        assert_eq!(json["code"], "INVALID_DATA");
        assert_eq!(json["status"], "error");
        assert!(json["message"].as_str().is_some_and(|m| m.contains(param)));
        assert_eq!(json["details"], json!({"param_name": param}), "{query}");
    }
    for query in ["per_page=1", "per_page=200", "page=1"] {
        let reply = call(&server, "GET", &format!("{path}?{query}")).await;
        assert_status(&reply, 200);
    }
}

#[tokio::test]
async fn ids_filter_the_list() {
    let server = LoopbackServer::start().await.expect("start");
    let ids = seed_files(&server, 4);
    let target = format!(
        "{}?ids={},{},999,{}",
        collection("v2"),
        ids[3],
        ids[1],
        ids[0]
    );
    let reply = call(&server, "GET", &target).await;
    assert_status(&reply, 200);
    assert_eq!(ids_of(&reply), [ids[0].as_str(), &ids[1], &ids[3]]);
    assert_eq!(reply.json()["info"]["count"], 3);
    let reply = call(&server, "GET", &format!("{}?ids=999", collection("v2"))).await;
    assert_status(&reply, 204);
}

#[tokio::test]
async fn empty_lists_in_both_styles() {
    let server = LoopbackServer::start().await.expect("start");
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 204);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("content-type"), None);

    server.set_empty_list_style(EmptyList::EmptyData);
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 200);
    assert_eq!(
        reply.json(),
        json!({"data": [], "info": {"per_page": 200, "count": 0, "page": 1, "more_records": false}})
    );
    let reply = call(&server, "GET", &format!("{}?fields=id", collection("v8"))).await;
    assert_status(&reply, 200);
    assert_eq!(
        reply.json(),
        json!({"data": [], "info": {
            "per_page": 200, "count": 0, "page": 1, "more_records": false,
            "next_page_token": null, "previous_page_token": null, "page_token_expiry": null,
        }})
    );

    server.set_empty_list_style(EmptyList::NoContent);
    let reply = call(&server, "GET", &collection("v2")).await;
    assert_status(&reply, 204);
}
