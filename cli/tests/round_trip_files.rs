//! A migration's round trip: records with attachments, a photo and two file fields are
//! exported by `download-many`, then imported into fresh records by `upload-many` from a
//! manifest built from the exported tree (`target` per file: attachment, photo or
//! `field:<API name>`); every file comes back byte-identical (SHA-256) and in the same place.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{against, run, tempdir, write};
use sha2::{Digest as _, Sha256};
use zoho_crm_testkit::{Server, StoredContent};

const MODULE: &str = "Contacts";
const FIELDS: [&str; 2] = ["Resume", "Certificates"];
/// The records exported, and the fresh ones they are imported into.
const RECORDS: [(&str, &str); 2] = [
    ("3477061000005177002", "3477061000009900001"),
    ("3477061000005177003", "3477061000009900002"),
];

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Content that differs for each `seed`.
fn content(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed))
        .collect()
}

/// A PNG of 3x2 pixels by its header, followed by `seed`'s content.
fn png(seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x03\0\0\0\x02\x08\x02\0\0\0".to_vec();
    bytes.extend(content(seed, 300));
    bytes
}

/// Everything a record holds, by place: `attachment/<name>`, `photo`,
/// `field/<field>/<name>`, each with its SHA-256.
fn holdings(server: &Server, record: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for attachment in server.attachments() {
        if attachment.module == MODULE
            && attachment.record_id == record
            && let StoredContent::File {
                file_name, sha256, ..
            } = &attachment.content
        {
            found.insert(format!("attachment/{file_name}"), hex(sha256));
        }
    }
    if let Some(photo) = server.photo(MODULE, record) {
        found.insert("photo".to_owned(), hex(&photo.sha256));
    }
    for field in FIELDS {
        for file in server.file_field(MODULE, record, field) {
            found.insert(
                format!("field/{field}/{}", file.file_name),
                hex(&file.sha256),
            );
        }
    }
    found
}

/// The `upload-many` lines for the files exported for `old`, sent to `new`.
fn import_lines(dir: &Path, new: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("no export in {}", dir.display());
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let shown = path.display();
        match name.as_deref() {
            Some("fields") => {
                for field in FIELDS {
                    let Ok(files) = std::fs::read_dir(path.join(field)) else {
                        continue;
                    };
                    let mut files: Vec<_> =
                        files.filter_map(Result::ok).map(|e| e.path()).collect();
                    files.sort();
                    for file in files {
                        lines.push(format!("{MODULE},{new},{},field:{field}", file.display()));
                    }
                }
            }
            Some(name) if name.starts_with("photo.") => {
                lines.push(format!("{MODULE},{new},{shown},photo"));
            }
            _ => lines.push(format!("{MODULE},{new},{shown},attachment")),
        }
    }
    lines
}

#[tokio::test]
async fn attachments_a_photo_and_two_file_fields_survive_export_and_import_byte_for_byte() {
    let server = common::server().await;
    server.add_file_field(MODULE, "Resume", 5);
    server.add_file_field(MODULE, "Certificates", 10);
    for (index, (old, _)) in RECORDS.iter().enumerate() {
        let seed = u8::try_from(index).unwrap_or(0) * 16;
        server.insert_file(MODULE, old, "contract.pdf", &content(seed, 2000));
        server.insert_file(MODULE, old, "notes.txt", &content(seed + 1, 50));
        server.insert_photo(MODULE, old, &png(seed + 2));
        server.insert_field_file(MODULE, old, "Resume", "cv.pdf", &content(seed + 3, 900));
        server.insert_field_file(MODULE, old, "Certificates", "a.pdf", &content(seed + 4, 10));
        server.insert_field_file(MODULE, old, "Certificates", "b.png", &png(seed + 5));
    }
    let before: Vec<BTreeMap<String, String>> = RECORDS
        .iter()
        .map(|(old, _)| holdings(&server, old))
        .collect();
    assert!(before.iter().all(|held| held.len() == 6), "{before:#?}");

    let dir = tempdir();
    let records: String = RECORDS
        .iter()
        .map(|(old, _)| format!("{MODULE},{old}\n"))
        .collect();
    let records = write(
        dir.path(),
        "records.csv",
        format!("module,record_id\n{records}").as_bytes(),
    );
    let out = dir.path().join("export");
    let mut export = against(&server, dir.path(), &["download-many", "--manifest"]);
    export
        .arg(&records)
        .arg("--output")
        .arg(&out)
        .args(["--fields", "Resume,Certificates"]);
    run(export).await.expect(0);

    let mut csv = String::from("module,record_id,path,target\n");
    for (old, new) in RECORDS {
        for line in import_lines(&out.join(MODULE).join(old), new) {
            csv.push_str(&line);
            csv.push('\n');
        }
    }
    let manifest = write(dir.path(), "import.csv", csv.as_bytes());
    let mut import = against(&server, dir.path(), &["upload-many", "--manifest"]);
    import.arg(&manifest);
    run(import).await.expect(0);

    for (index, ((old, new), held)) in RECORDS.iter().zip(&before).enumerate() {
        assert_eq!(&holdings(&server, new), held, "{old} -> {new}");
        // The originals are what was seeded, so the comparison is against the source.
        let seed = u8::try_from(index).unwrap_or(0) * 16;
        assert_eq!(held.get("photo"), Some(&sha(&png(seed + 2))));
        assert_eq!(
            held.get("field/Resume/cv.pdf"),
            Some(&sha(&content(seed + 3, 900)))
        );
    }
}
