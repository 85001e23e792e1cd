//! Unit tests of the attachment endpoints over raw TCP, one module per operation or concern,
//! and the requests and checks they share.

mod delete;
mod download;
mod links;
mod list;
mod routes;
mod storage;

use serde_json::Value;

use crate::LoopbackServer;
use crate::tests::{Reply, request, send};

const RECORD: &str = "1000000231009";
const OTHER_RECORD: &str = "1000000231010";

fn collection(version: &str) -> String {
    format!("/crm/{version}/Leads/{RECORD}/Attachments")
}

fn item(version: &str, id: &str) -> String {
    format!("/crm/{version}/Leads/{RECORD}/Attachments/{id}")
}

/// A bodiless request with the server's token.
async fn call(server: &LoopbackServer, method: &str, target: &str) -> Reply {
    let bytes = request(method, target, Some(server.token()), None, b"");
    send(server.local_addr(), &bytes).await
}

fn body_text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

fn assert_status(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "body: {}", body_text(reply));
}

/// The ids of a list reply's `data`.
fn ids_of(reply: &Reply) -> Vec<String> {
    reply.json()["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The keys of a JSON object, sorted.
fn sorted_keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object
        .as_object()
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn seed_files(server: &LoopbackServer, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let content = format!("content of file {i}");
            server.insert_file("Leads", RECORD, &format!("f{i}.txt"), content.as_bytes())
        })
        .collect()
}

/// Files in the server's storage directory.
fn stored_files(server: &LoopbackServer) -> usize {
    server
        .storage_dir()
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .map_or(0, Iterator::count)
}
