//! The `download-many` journal: one JSON line per event of an item (an attachment, keyed by
//! its id; a record's photo, keyed by the record id; a file of a file-upload field, keyed by
//! its entry id and naming its field), written with the shared [`crate::journal::Writer`]
//! (group commit, locked against a second run). `started` is written once the item's file name
//! is chosen, before its content is saved, so a re-run gives it the same name; `ok` (with the
//! bytes saved, their SHA-256 computed as they streamed to disk, Zoho's file name and times) is
//! fsync'd once the file is in place; `error` when it failed. An attachment's line has no
//! `kind` (journals written before photos and fields are read as they were); an `ok` line
//! written before the index has no `sha256`, file name or times (read as unknown).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::names::is_plain_name;
use crate::journal::{for_each_record, now, open_regular};

/// The folder of a record's file fields, in its directory (a name the record's other files
/// do not take while fields are exported).
pub(crate) const FIELDS_DIR: &str = "fields";

/// What kind of item a journal line is of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ItemKind {
    /// An attachment of the record.
    #[default]
    Attachment,
    /// The record's photo.
    Photo,
    /// A file of one of the record's file-upload fields.
    FieldFile,
}

impl ItemKind {
    /// Whether this is an attachment (whose lines carry no `kind`).
    fn is_attachment(&self) -> bool {
        *self == ItemKind::Attachment
    }

    /// The kind's name in JSON lines.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            ItemKind::Attachment => "attachment",
            ItemKind::Photo => "photo",
            ItemKind::FieldFile => "field_file",
        }
    }
}

/// What happened to an item's download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Status {
    /// Its file name was chosen; its content was about to be saved.
    Started,
    /// It was saved whole under its name.
    Ok,
    /// It failed.
    Error,
}

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Record {
    /// The item's kind.
    #[serde(default, skip_serializing_if = "ItemKind::is_attachment")]
    pub(super) kind: ItemKind,
    /// The attachment id, the record id of a photo, or a field file's entry id.
    pub(super) id: String,
    /// A field file's field (API name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) field: Option<String>,
    /// The module's API name.
    pub(super) module: String,
    /// The record id.
    pub(super) record_id: String,
    /// What happened.
    pub(super) status: Status,
    /// When (RFC 3339, UTC).
    pub(super) at: String,
    /// The file name chosen in the record's directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<String>,
    /// The bytes saved (status `ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) bytes: Option<u64>,
    /// The SHA-256 of the bytes saved, lowercase hex (status `ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) sha256: Option<String>,
    /// Zoho's file name (status `ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) file_name: Option<String>,
    /// When Zoho says the item was created and last modified, as it gave them (status `ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) created_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) modified_time: Option<String>,
    /// The error code (status `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) code: Option<String>,
    /// The error message (status `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) message: Option<String>,
}

impl Record {
    /// A record of `status` for attachment `id` of a record, stamped now.
    pub(super) fn new(id: &str, module: &str, record_id: &str, status: Status) -> Self {
        Record {
            kind: ItemKind::Attachment,
            id: id.to_owned(),
            field: None,
            module: module.to_owned(),
            record_id: record_id.to_owned(),
            status,
            at: now(),
            name: None,
            bytes: None,
            sha256: None,
            file_name: None,
            created_time: None,
            modified_time: None,
            code: None,
            message: None,
        }
    }
}

/// Which item of a record a key names: its kind, its field (field files) and its id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct ItemKey {
    pub(super) kind: ItemKind,
    pub(super) module: String,
    pub(super) record_id: String,
    pub(super) field: Option<String>,
    pub(super) id: String,
}

/// Where in a record's directory an item's file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Folder<'a> {
    /// The record's directory (attachments and the photo).
    Record,
    /// `fields/<field>/`.
    Field(&'a str),
}

impl ItemKey {
    /// The folder its file is in.
    pub(super) fn folder(&self) -> Folder<'_> {
        match (self.kind, &self.field) {
            (ItemKind::FieldFile, Some(field)) => Folder::Field(field),
            _ => Folder::Record,
        }
    }
}

/// What the journal says of one item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Known {
    /// The file name it was given, if one was.
    pub(super) name: Option<String>,
    /// The bytes saved, when its last record is `ok`.
    pub(super) done_bytes: Option<u64>,
    /// What the last record says of the file saved, when it is `ok`.
    pub(super) saved: Option<SavedFile>,
}

/// What an `ok` record says of the file saved, beyond its name and size (each unknown in a
/// journal written before the index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct SavedFile {
    pub(super) sha256: Option<String>,
    pub(super) file_name: Option<String>,
    pub(super) created_time: Option<String>,
    pub(super) modified_time: Option<String>,
}

/// What earlier runs did.
#[derive(Debug, Default)]
pub(super) struct History {
    by_key: HashMap<ItemKey, Known>,
    /// The items of each record, by (module, record id).
    by_record: HashMap<(String, String), Vec<ItemKey>>,
    /// Lines that are not journal records (e.g. cut short by a crash).
    pub(super) unreadable_lines: usize,
}

impl History {
    /// What the journal says of an item.
    pub(super) fn known(&self, key: &ItemKey) -> Option<&Known> {
        self.by_key.get(key)
    }

    /// The file names given to the items of a record whose files are in `folder`, with
    /// their ids.
    pub(super) fn names_in<'a>(
        &'a self,
        module: &str,
        record_id: &str,
        folder: Folder<'a>,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.by_record
            .get(&(module.to_owned(), record_id.to_owned()))
            .into_iter()
            .flatten()
            .filter(move |key| key.folder() == folder)
            .filter_map(|key| {
                let name = self.by_key.get(key)?.name.as_deref()?;
                Some((key.id.as_str(), name))
            })
    }

    /// Takes a record into account (the journal is replayed in order).
    pub(super) fn apply(&mut self, record: Record) {
        let key = ItemKey {
            kind: record.kind,
            module: record.module.clone(),
            record_id: record.record_id.clone(),
            field: record.field.clone(),
            id: record.id.clone(),
        };
        let known = match self.by_key.get_mut(&key) {
            Some(known) => known,
            None => {
                self.by_record
                    .entry((record.module.clone(), record.record_id.clone()))
                    .or_default()
                    .push(key.clone());
                self.by_key.entry(key).or_default()
            }
        };
        // A name is joined to the record's directory: one from an edited or damaged journal
        // that is not a plain file name (`../x`, `a/b`, a temporary file's) is not used; the
        // file then gets a new name as if it had none.
        if let Some(name) = record.name.filter(|name| is_plain_name(name)) {
            known.name = Some(name);
        }
        known.done_bytes = match record.status {
            Status::Ok => record.bytes,
            Status::Started | Status::Error => None,
        };
        known.saved = (record.status == Status::Ok).then_some(SavedFile {
            sha256: record.sha256,
            file_name: record.file_name,
            created_time: record.created_time,
            modified_time: record.modified_time,
        });
    }

    /// Every item whose last record is `ok`, with a name: what earlier runs saved.
    pub(super) fn completed(&self) -> impl Iterator<Item = (&ItemKey, &Known)> {
        self.by_key
            .iter()
            .filter(|(_, known)| known.done_bytes.is_some() && known.name.is_some())
    }
}

/// Reads the journal at `path`; none yet is an empty history.
pub(super) fn load(path: &Path) -> std::io::Result<History> {
    let mut history = History::default();
    if let Some(file) = open_regular(path)? {
        history.unreadable_lines = for_each_record(file, |record| history.apply(record))?;
    }
    Ok(history)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_record_says_whether_it_is_done_and_the_name_stays() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("j");
        let lines = [
            r#"{"id":"7","module":"Leads","record_id":"1","status":"started","at":"t","name":"a (2).pdf"}"#,
            r#"{"id":"7","module":"Leads","record_id":"1","status":"ok","at":"t","name":"a (2).pdf","bytes":3}"#,
            r#"{"id":"8","module":"Leads","record_id":"1","status":"started","at":"t","name":"b.pdf"}"#,
            r#"{"id":"8","module":"Leads","record_id":"1","status":"error","at":"t","code":"X"}"#,
            r#"{"id":"9","module":"Deals","record_id":"1","status":"ok","at":"t","name":"c","bytes":0}"#,
            r#"{"id":"10","module":"Leads","record_id""#,
        ];
        assert!(std::fs::write(&path, lines.join("\n")).is_ok());
        let history = match load(&path) {
            Ok(history) => history,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(history.unreadable_lines, 1);
        let key = |id: &str| ItemKey {
            kind: ItemKind::Attachment,
            module: "Leads".into(),
            record_id: "1".into(),
            field: None,
            id: id.into(),
        };
        assert_eq!(
            history.known(&key("7")),
            Some(&Known {
                name: Some("a (2).pdf".into()),
                done_bytes: Some(3),
                saved: Some(SavedFile::default()),
            })
        );
        assert_eq!(
            history.known(&key("8")),
            Some(&Known {
                name: Some("b.pdf".into()),
                done_bytes: None,
                saved: None,
            })
        );
        let mut names: Vec<(&str, &str)> = history.names_in("Leads", "1", Folder::Record).collect();
        names.sort_unstable();
        assert_eq!(names, [("7", "a (2).pdf"), ("8", "b.pdf")]);
        assert!(history.known(&key("10")).is_none());
    }

    #[test]
    fn a_name_that_is_not_a_plain_file_name_is_not_taken_from_the_journal() {
        let text = [
            r#"{"id":"1","module":"Leads","record_id":"1","status":"started","at":"t","name":"../../outside.txt"}"#,
            r#"{"id":"2","module":"Leads","record_id":"1","status":"started","at":"t","name":"a/b"}"#,
            r#"{"id":"3","module":"Leads","record_id":"1","status":"started","at":"t","name":".."}"#,
            r#"{"id":"4","module":"Leads","record_id":"1","status":"started","at":"t","name":".zoho-crm-download-x"}"#,
            r#"{"id":"5","module":"Leads","record_id":"1","status":"started","at":"t","name":"fine.txt"}"#,
        ]
        .join("\n");
        let mut history = History::default();
        let replayed = for_each_record(text.as_bytes(), |record: Record| history.apply(record));
        assert!(replayed.is_ok());
        let key = |id: &str| ItemKey {
            kind: ItemKind::Attachment,
            module: "Leads".into(),
            record_id: "1".into(),
            field: None,
            id: id.into(),
        };
        for id in ["1", "2", "3", "4"] {
            assert_eq!(
                history.known(&key(id)).map(|k| k.name.clone()),
                Some(None),
                "{id}"
            );
        }
        assert_eq!(
            history.known(&key("5")).and_then(|k| k.name.as_deref()),
            Some("fine.txt")
        );
    }

    #[test]
    fn photos_and_field_files_are_items_of_their_own_kinds_and_folders() {
        let text = [
            r#"{"id":"1","module":"Leads","record_id":"1","status":"ok","at":"t","name":"photo.png","bytes":4}"#,
            r#"{"kind":"photo","id":"1","module":"Leads","record_id":"1","status":"ok","at":"t","name":"photo (2).png","bytes":5}"#,
            r#"{"kind":"field_file","id":"1","field":"Docs","module":"Leads","record_id":"1","status":"started","at":"t","name":"a.txt"}"#,
        ]
        .join("\n");
        let mut history = History::default();
        let replayed = for_each_record(text.as_bytes(), |record: Record| history.apply(record));
        assert!(replayed.is_ok());
        let key = |kind, field: Option<&str>| ItemKey {
            kind,
            module: "Leads".into(),
            record_id: "1".into(),
            field: field.map(str::to_owned),
            id: "1".into(),
        };
        let photo = history.known(&key(ItemKind::Photo, None));
        assert_eq!(photo.and_then(|k| k.done_bytes), Some(5));
        let file = history.known(&key(ItemKind::FieldFile, Some("Docs")));
        assert_eq!(file.and_then(|k| k.name.as_deref()), Some("a.txt"));
        let mut top: Vec<&str> = history
            .names_in("Leads", "1", Folder::Record)
            .map(|(_, name)| name)
            .collect();
        top.sort_unstable();
        assert_eq!(top, ["photo (2).png", "photo.png"]);
        let docs: Vec<&str> = history
            .names_in("Leads", "1", Folder::Field("Docs"))
            .map(|(_, name)| name)
            .collect();
        assert_eq!(docs, ["a.txt"]);
    }
}
