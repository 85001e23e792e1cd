//! What to do with each attachment of a listed record (and, by [`decide`], with each photo and
//! field file): a link goes to `links.csv`; one older than `--since` is left out; a file the
//! journal says is saved, and is on disk with the size saved, is done; one saved but missing
//! or of another size is downloaded again under its name; one the journal gave a name (an
//! earlier run stopped) is downloaded under that name; any other is new, and gets its name
//! when its download answers. A new file whose name (Zoho's, made safe as a download's is) is
//! already taken on disk by a file no journal line wrote is kept, not downloaded, when its
//! size is the listing's, and is otherwise saved beside it under a name of its own.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use zoho_crm::types::Attachment;

use super::filters::Filters;
use super::journal::{History, ItemKey, ItemKind};
use super::links::Link;
use super::name_template::{NameFields, NameTemplate};
use super::names::TEMP_PREFIX;

/// The fields each listing asks for.
pub(super) const LIST_FIELDS: [&str; 7] = [
    "id",
    "File_Name",
    "Size",
    "Created_Time",
    "Modified_Time",
    "$type",
    "$link_url",
];

/// A file to download.
#[derive(Clone, Debug)]
pub(super) struct Fetch {
    /// The attachment id.
    pub(super) id: String,
    /// Its name in the listing, Zoho's file name (printed before the download names it, and
    /// the index's `name`; a photo's is only what is printed).
    pub(super) listed_name: Option<String>,
    /// Its size in the listing.
    pub(super) size: Option<u64>,
    /// The name the journal gave it, if any: it is saved under that name again.
    pub(super) name: Option<String>,
    /// Why a file the journal says is saved is downloaded again.
    pub(super) again: Option<String>,
    /// When Zoho says it was created and last modified (RFC 3339), if it says.
    pub(super) created_time: Option<String>,
    pub(super) modified_time: Option<String>,
    /// A file already in the folder under the name this one would take, of the listing's
    /// size, that no journal line wrote: it is kept as this one, and nothing is downloaded.
    pub(super) on_disk: Option<String>,
    /// Why this one is saved beside a file of its name that is not Zoho's.
    pub(super) beside: Option<String>,
}

/// A file already saved.
#[derive(Clone, Debug)]
pub(super) struct Done {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) bytes: u64,
}

/// What to do with one record's attachments.
#[derive(Debug, Default)]
pub(super) struct RecordPlan {
    pub(super) fetch: Vec<Fetch>,
    pub(super) links: Vec<Link>,
    pub(super) done: Vec<Done>,
    /// Left out by `--since`.
    pub(super) older: usize,
    /// Left out by the filters.
    pub(super) filtered_out: usize,
}

/// What is in a record's directory.
#[derive(Debug, Default)]
pub(super) struct DirScan {
    /// Each file's name and length.
    pub(super) files: HashMap<String, u64>,
    /// Temporary files left by a download that was stopped.
    pub(super) stale: Vec<PathBuf>,
}

/// Looks at `dir` (nothing there when it does not exist). Blocking.
pub(super) fn scan(dir: &Path) -> std::io::Result<DirScan> {
    let mut scan = DirScan::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(scan),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(TEMP_PREFIX) {
            scan.stale.push(entry.path());
            continue;
        }
        let length = entry.metadata().map(|meta| meta.len()).unwrap_or(u64::MAX);
        scan.files.insert(name, length);
    }
    Ok(scan)
}

/// Done, or to fetch.
#[derive(Debug)]
pub(super) enum Decision {
    Done(Done),
    Fetch(Fetch),
}

/// Decides for the file item `key` (listed as `listed_name`, of `size` bytes, that would be
/// named `would_be` if new) of a folder whose content is `scan`.
pub(super) fn decide(
    history: &History,
    key: &ItemKey,
    (listed_name, size, would_be): (Option<String>, Option<u64>, Option<String>),
    scan: &DirScan,
) -> Decision {
    let known = history.known(key);
    let name = known.and_then(|known| known.name.clone());
    let again = match (known.and_then(|known| known.done_bytes), &name) {
        (Some(bytes), Some(name)) => match scan.files.get(name) {
            Some(&length) if length == bytes => {
                return Decision::Done(Done {
                    id: key.id.clone(),
                    name: name.clone(),
                    bytes,
                });
            }
            Some(&length) => Some(format!(
                "it is {length} bytes on disk, not the {bytes} saved"
            )),
            None => Some("it is missing on disk".to_owned()),
        },
        _ => None,
    };
    let (on_disk, beside) = match &name {
        None => not_ours(history, key, (would_be.as_deref(), size), scan),
        Some(_) => (None, None),
    };
    Decision::Fetch(Fetch {
        id: key.id.clone(),
        listed_name,
        size,
        name,
        again,
        created_time: None,
        modified_time: None,
        on_disk,
        beside,
    })
}

/// For a new file that would be named `would_be`, of `size` bytes: the file of that name
/// (made safe by `sanitize_file_name`, as a download's own name is), when one is on disk and no
/// journal line of the folder gave it: kept as this one when its size is the listing's, else
/// the reason this one goes beside it.
fn not_ours(
    history: &History,
    key: &ItemKey,
    (would_be, size): (Option<&str>, Option<u64>),
    scan: &DirScan,
) -> (Option<String>, Option<String>) {
    let Some(name) = would_be.and_then(zoho_crm::sanitize_file_name) else {
        return (None, None);
    };
    let Some(&length) = scan.files.get(&name) else {
        return (None, None);
    };
    if history
        .names_in(&key.module, &key.record_id, key.folder())
        .any(|(_, journaled)| journaled == name)
    {
        return (None, None);
    }
    match size {
        Some(size) if size == length => (Some(name), None),
        Some(size) => (
            None,
            Some(format!(
                "{name} is there already, {length} bytes, not Zoho's {size}: kept, and this one saved beside it"
            )),
        ),
        None => (
            None,
            Some(format!(
                "{name} is there already and Zoho gives no size to compare: kept, and this one saved beside it"
            )),
        ),
    }
}

/// Whether an attachment is a link rather than a file.
fn is_link(item: &Attachment) -> bool {
    match item.kind.as_deref() {
        Some(kind) => kind.eq_ignore_ascii_case("Link URL"),
        None => item.link_url.as_deref().is_some_and(|url| !url.is_empty()),
    }
}

/// Whether an attachment was created or modified at or after `since` (kept when the listing
/// gives neither time: it cannot be told apart).
fn is_recent(item: &Attachment, since: DateTime<FixedOffset>) -> bool {
    match (item.created_time, item.modified_time) {
        (None, None) => true,
        (created, modified) => created
            .into_iter()
            .chain(modified)
            .any(|time| time >= since),
    }
}

impl RecordPlan {
    /// Decides for each listed attachment of `module`'s record `record_id`.
    pub(super) fn new(
        (module, record_id): (&str, &str),
        items: Vec<Attachment>,
        history: &History,
        (since, filters, template): (Option<DateTime<FixedOffset>>, &Filters, &NameTemplate),
        scan: &DirScan,
    ) -> Self {
        let mut plan = RecordPlan::default();
        for item in items {
            if since.is_some_and(|since| !is_recent(&item, since)) {
                plan.older += 1;
                continue;
            }
            if is_link(&item) {
                if !filters.keeps_link(item.file_name.as_deref()) {
                    plan.filtered_out += 1;
                    continue;
                }
                let url = item.link_url.clone().unwrap_or_default();
                plan.links.push(Link {
                    module: module.to_owned(),
                    record_id: record_id.to_owned(),
                    title: item.file_name.clone().unwrap_or_default(),
                    id: item.id,
                    url,
                });
                continue;
            }
            if !filters.keeps_file(item.file_name.as_deref(), item.size) {
                plan.filtered_out += 1;
                continue;
            }
            let key = ItemKey {
                kind: ItemKind::Attachment,
                module: module.to_owned(),
                record_id: record_id.to_owned(),
                field: None,
                id: item.id,
            };
            let created = item.created_time.map(|time| time.to_rfc3339());
            let modified = item.modified_time.map(|time| time.to_rfc3339());
            let would_be = item.file_name.as_deref().map(|name| {
                template.render(&NameFields {
                    name,
                    id: &key.id,
                    created: created.as_deref(),
                    modified: modified.as_deref(),
                })
            });
            match decide(history, &key, (item.file_name, item.size, would_be), scan) {
                Decision::Done(done) => plan.done.push(done),
                Decision::Fetch(mut fetch) => {
                    fetch.created_time = created;
                    fetch.modified_time = modified;
                    plan.fetch.push(fetch);
                }
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(json: serde_json::Value) -> Attachment {
        match serde_json::from_value(json) {
            Ok(item) => item,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn links_recent_items_and_files_on_disk_are_told_apart() {
        let since = match DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z") {
            Ok(time) => time,
            Err(e) => panic!("{e}"),
        };
        let items = vec![
            item(
                serde_json::json!({"id": "1", "File_Name": "old.txt", "Size": "3",
                "Created_Time": "2024-04-01T00:00:00+00:00", "Modified_Time": "2024-04-02T00:00:00+00:00"}),
            ),
            item(
                serde_json::json!({"id": "2", "File_Name": "edited.txt", "Size": "3",
                "Created_Time": "2024-04-01T00:00:00+00:00", "Modified_Time": "2024-05-01T02:00:00+02:00"}),
            ),
            item(
                serde_json::json!({"id": "3", "File_Name": "t", "$type": "Link URL",
                "$link_url": "https://example.com", "Created_Time": "2024-06-01T00:00:00Z"}),
            ),
            item(serde_json::json!({"id": "4", "File_Name": "done.txt", "Size": "5"})),
            item(serde_json::json!({"id": "5", "File_Name": "gone.txt", "Size": "5"})),
        ];
        let journal = [
            r#"{"id":"4","module":"Leads","record_id":"9","status":"ok","at":"t","name":"done.txt","bytes":5}"#,
            r#"{"id":"5","module":"Leads","record_id":"9","status":"ok","at":"t","name":"gone (2).txt","bytes":5}"#,
        ];
        let mut history = History::default();
        let read = crate::journal::for_each_record(journal.join("\n").as_bytes(), |record| {
            history.apply(record);
        });
        assert_eq!(read.ok(), Some(0));
        let scan = DirScan {
            files: [("done.txt".to_owned(), 5)].into_iter().collect(),
            stale: Vec::new(),
        };
        let filters = Filters::default();
        let plan = RecordPlan::new(
            ("Leads", "9"),
            items,
            &history,
            (Some(since), &filters, &NameTemplate::default()),
            &scan,
        );
        assert_eq!(plan.older, 1);
        assert_eq!(plan.links.len(), 1);
        assert_eq!(plan.links[0].url, "https://example.com");
        let done: Vec<&str> = plan.done.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(done, ["4"]);
        let fetch: Vec<(&str, Option<&str>, bool)> = plan
            .fetch
            .iter()
            .map(|f| (f.id.as_str(), f.name.as_deref(), f.again.is_some()))
            .collect();
        assert_eq!(
            fetch,
            [("2", None, false), ("5", Some("gone (2).txt"), true)]
        );
    }
}
