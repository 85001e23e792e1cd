//! Seeding (h)'s records with what `download-many` exports besides attachments, through the
//! loopback server's own routes as a client would (curl, as the test kit's tests seed with
//! `insert_photo` and `insert_field_file`): a PNG photo per record (`POST .../photo`) and
//! files in its file-upload fields (each field declared with the server's `--file-field`; the
//! files stored with one `POST /crm/v8/files` per record, then attached with one
//! `PUT /crm/v2/Leads/{id}`).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use super::files::{write, write_random};
use super::{curl_auth, curl_trust};
use crate::loopback::LoopbackProcess;

/// The file-upload fields of the seeded records, and how many files each holds.
pub(super) const FIELDS: [(&str, usize); 2] = [("Docs", 2), ("Scans", 1)];

/// The loopback server's flags that declare [`FIELDS`] on `Leads`.
pub(super) const SERVER_FLAGS: [&str; 4] = [
    "--file-field",
    "Leads:Docs:5",
    "--file-field",
    "Leads:Scans:5",
];

/// Files per record besides its attachments: the photo and the field files.
pub(super) const fn files_per_record() -> usize {
    let mut count = 1;
    let mut index = 0;
    while index < FIELDS.len() {
        count += FIELDS[index].1;
        index += 1;
    }
    count
}

/// The header of a 2 x 3 PNG: the server reads an image's header, not its pixels.
const PNG_HEAD: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x02\0\0\0\x03\x08\x02\0\0\0";

/// Gives each of `records` (of `Leads`) a photo and the files of [`FIELDS`], each file of
/// `size` bytes (written in `dir`, removed after).
pub(super) fn seed(
    server: &LoopbackProcess,
    dir: &Path,
    records: &[u64],
    size: usize,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let photo = dir.join("photo.png");
    let body = dir.join("body.bin");
    write_random(&body, size.saturating_sub(PNG_HEAD.len()), 400_000)?;
    let mut bytes = PNG_HEAD.to_vec();
    bytes.extend(std::fs::read(&body).map_err(|e| format!("cannot read {}: {e}", body.display()))?);
    write(&photo, &bytes)?;
    let per_record: usize = FIELDS.iter().map(|(_, count)| count).sum();
    let mut files = Vec::new();
    for index in 0..per_record {
        let path = dir.join(format!("field-{index}.bin"));
        write_random(&path, size, 500_000 + index as u64)?;
        files.push(path);
    }
    for record in records {
        let base = format!("{}/crm/v2/Leads/{record}", server.base_url);
        curl(
            server,
            &[
                "-X".to_owned(),
                "POST".to_owned(),
                "-F".to_owned(),
                format!("file=@{}", photo.display()),
                format!("{base}/photo"),
            ],
        )?;
        let mut args = vec!["-X".to_owned(), "POST".to_owned()];
        for file in &files {
            args.push("-F".to_owned());
            args.push(format!("file=@{}", file.display()));
        }
        args.push(format!("{}/crm/v8/files", server.base_url));
        let ids = stored_ids(&curl(server, &args)?)?;
        if ids.len() != files.len() {
            return Err(format!(
                "the file store took {} of {} files for record {record}",
                ids.len(),
                files.len()
            ));
        }
        let body = attach_body(&ids);
        curl(
            server,
            &[
                "-X".to_owned(),
                "PUT".to_owned(),
                "-H".to_owned(),
                "Content-Type: application/json".to_owned(),
                "--data-binary".to_owned(),
                body,
                base,
            ],
        )?;
    }
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}

/// `{"data":[{"Docs":[{"File_Id__s":ID},...],...}]}`: the stored `ids` shared out to
/// [`FIELDS`] in order.
fn attach_body(ids: &[String]) -> String {
    let mut ids = ids.iter();
    let mut record = serde_json::Map::new();
    for (field, count) in FIELDS {
        let entries: Vec<serde_json::Value> = ids
            .by_ref()
            .take(count)
            .map(|id| serde_json::json!({ "File_Id__s": id }))
            .collect();
        record.insert(field.to_owned(), serde_json::Value::Array(entries));
    }
    serde_json::json!({ "data": [record] }).to_string()
}

/// The ids of the file store's answer, in order.
fn stored_ids(answer: &str) -> Result<Vec<String>, String> {
    let value: serde_json::Value = serde_json::from_str(answer)
        .map_err(|e| format!("the file store's answer is not JSON ({e}): {answer}"))?;
    value["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["details"]["id"].as_str().map(str::to_owned))
                .collect()
        })
        .ok_or_else(|| format!("the file store's answer has no data: {answer}"))
}

/// Runs curl with the server's token and trust, failing on an HTTP error; its output.
fn curl(server: &LoopbackProcess, args: &[String]) -> Result<String, String> {
    let output = Command::new("curl")
        .args(["-sS", "--fail-with-body", "-H", &curl_auth(server)])
        .args(curl_trust(server))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        let mut message = format!("curl {} failed: ", args.join(" "));
        let _ = write!(
            message,
            "{text} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return Err(message);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::{attach_body, files_per_record, stored_ids};

    #[test]
    fn the_stored_ids_are_shared_out_to_the_fields_in_order() {
        assert_eq!(files_per_record(), 4);
        let ids = stored_ids(
            r#"{"data":[{"details":{"name":"a","id":"1"}},{"details":{"id":"2"}},{"details":{"id":"3"}}]}"#,
        );
        assert_eq!(ids, Ok(vec!["1".into(), "2".into(), "3".into()]));
        let body = attach_body(&["1".into(), "2".into(), "3".into()]);
        assert_eq!(
            body,
            r#"{"data":[{"Docs":[{"File_Id__s":"1"},{"File_Id__s":"2"}],"Scans":[{"File_Id__s":"3"}]}]}"#
        );
    }
}
