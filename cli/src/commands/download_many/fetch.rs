//! Downloading the files of one folder of a record, whatever their kind (attachments and the
//! photo into the record's directory, a file field's files into `fields/<field>/`): each under
//! a slot of the shared limit, new ones taking their names in turn from the folder's
//! [`Book`], journaled when the name is chosen and when the file is saved (with the SHA-256
//! computed as it streamed to disk, see [`super::stage`]) and then added to the index
//! ([`super::index`]), never left half written under its final name. A signal abandons what
//! is in flight.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::task::JoinSet;
use zoho_crm::operations::{
    DownloadAttachmentRequest, DownloadFieldFileRequest, DownloadPhotoRequest,
};
use zoho_crm::{Download, Error, OperationError, ValidationError};

use crate::failure::{Failure, Kind};
use crate::progress::Tracker;
use crate::slots::Slot;

use super::index::{self, Row};
use super::journal::{ItemKey, ItemKind, Record, Status};
use super::name_template::{NameFields, NameTemplate};
use super::names::{Book, Ticket};
use super::plan::{Done, Fetch};
use super::report::ItemLine;
use super::shared::Shared;
use super::stage;

/// A folder of a record's files, and the kind of item saved in it.
#[derive(Clone, Debug)]
pub(super) struct Place {
    pub(super) module: zoho_crm::Module,
    pub(super) record_id: String,
    /// The folder.
    pub(super) dir: PathBuf,
    pub(super) kind: ItemKind,
    /// A field file's field (API name).
    pub(super) field: Option<String>,
}

impl Place {
    /// The module's API name.
    pub(super) fn module(&self) -> &str {
        self.module.api_name()
    }

    /// The same record's items of another kind, in `dir`.
    pub(super) fn of(&self, kind: ItemKind, field: Option<&str>, dir: PathBuf) -> Place {
        Place {
            module: self.module.clone(),
            record_id: self.record_id.clone(),
            dir,
            kind,
            field: field.map(str::to_owned),
        }
    }

    /// How a file of this folder is named in messages: `module/record/[fields/F/]name`.
    pub(super) fn shown(&self, name: &str) -> String {
        match &self.field {
            Some(field) => format!("{}/{}/fields/{field}/{name}", self.module(), self.record_id),
            None => format!("{}/{}/{name}", self.module(), self.record_id),
        }
    }

    /// The journal's key of item `id`.
    pub(super) fn key(&self, id: &str) -> ItemKey {
        ItemKey {
            kind: self.kind,
            module: self.module().to_owned(),
            record_id: self.record_id.clone(),
            field: self.field.clone(),
            id: id.to_owned(),
        }
    }

    /// A journal line of `status` for item `id`, stamped now.
    fn journal(&self, id: &str, status: Status) -> Record {
        let mut record = Record::new(id, self.module(), &self.record_id, status);
        record.kind = self.kind;
        record.field = self.field.clone();
        record
    }

    /// The kind for JSON lines (none for attachments, whose lines are as before).
    pub(super) fn kind_name(&self) -> Option<&'static str> {
        (self.kind != ItemKind::Attachment).then(|| self.kind.as_str())
    }

    /// A JSON result line about this folder's item `id`.
    pub(super) fn line<'a>(&'a self, status: &'a str, id: &'a str) -> ItemLine<'a> {
        ItemLine {
            status,
            kind: self.kind_name(),
            module: Some(self.module()),
            record_id: Some(&self.record_id),
            field: self.field.as_deref(),
            id: Some(id),
            ..ItemLine::default()
        }
    }
}

/// How a file gets its name.
enum Naming {
    /// The name an earlier run gave it (a file there is this one's, and is replaced).
    Known(String),
    /// A new name, from the download's answer, in its turn.
    New(Ticket),
}

/// Downloads a folder's files, each under a slot of the limit, new ones taking their names
/// in the order given.
pub(super) async fn download_files(
    shared: &Arc<Shared>,
    at: &Arc<Place>,
    book: &Arc<Book>,
    fetch: Vec<Fetch>,
) {
    let bytes = fetch.iter().map(|f| f.size.unwrap_or(0)).sum();
    shared.add_files(fetch.len(), bytes);
    let mut tasks = JoinSet::new();
    let mut fetch = fetch.into_iter();
    while let Some(file) = fetch.next() {
        let permit = if shared.may_start() {
            tokio::select! {
                biased;
                _ = shared.interrupt.first() => None,
                permit = shared.slots.acquire() => Some(permit),
            }
        } else {
            None
        };
        let Some(permit) = permit.filter(|_| shared.may_start()) else {
            let rest: Vec<Fetch> = std::iter::once(file).chain(fetch).collect();
            for file in &rest {
                shared.bar.dec_length(file.size.unwrap_or(0));
                shared.file_finished();
            }
            shared.not_starting(rest.len());
            break;
        };
        if let Some(again) = &file.again {
            shared.output.warn(format!(
                "{}: saved by an earlier run, but {again}: downloading it again",
                at.shown(file.name.as_deref().unwrap_or_default())
            ));
        }
        let naming = match &file.name {
            Some(name) => Naming::Known(name.clone()),
            None => Naming::New(book.next_ticket()),
        };
        tasks.spawn(download_one(
            Arc::clone(shared),
            Arc::clone(at),
            file,
            naming,
            permit,
        ));
    }
    while tasks.join_next().await.is_some() {}
}

/// A file saved.
struct Saved {
    name: String,
    path: PathBuf,
    bytes: u64,
    sha256: String,
    /// Zoho's file name, if known.
    file_name: Option<String>,
    /// Whether it was on disk already and kept (nothing was downloaded).
    kept: bool,
}

/// Why a file was not saved.
pub(super) enum Missed {
    /// A record without a photo (HTTP 204).
    NoPhoto,
    /// The module has no photos: nothing was sent.
    Unsupported,
    /// It failed, after it was given this name, if it got that far.
    Failed(Box<Failure>, Option<String>),
}

/// Downloads one file, holding its slot of the limit until it is saved; journaled with its
/// result. A signal abandons it (nothing is left under its final name).
async fn download_one(
    shared: Arc<Shared>,
    at: Arc<Place>,
    file: Fetch,
    naming: Naming,
    permit: Slot,
) {
    let tracker = Tracker::new(shared.bar.clone());
    let size = file.size.unwrap_or(0);
    let result = tokio::select! {
        biased;
        _ = shared.interrupt.first() => {
            drop(permit);
            tracker.withdraw(size);
            shared.tally().interrupted += 1;
            shared.file_finished();
            return;
        }
        result = fetch_and_save(&shared, &at, &file, naming, &tracker) => result,
    };
    drop(permit);
    match result {
        Ok(saved) => {
            shared.patience.went_through();
            tracker.update(saved.bytes);
            let mut record = at.journal(&file.id, Status::Ok);
            record.name = Some(saved.name.clone());
            record.bytes = Some(saved.bytes);
            record.sha256 = Some(saved.sha256.clone());
            record.file_name = saved.file_name.clone();
            record.created_time = file.created_time.clone();
            record.modified_time = file.modified_time.clone();
            if let Some(writer) = &shared.writer {
                match writer.append(&record, true).await {
                    Ok(()) => add_to_index(&shared, &at, &saved, &file).await,
                    // The file is saved; a re-run saves it again under the same name.
                    Err(e) => shared.journal_failed(&e),
                }
            }
            {
                let mut tally = shared.tally();
                let kind = tally.of(at.kind);
                if saved.kept {
                    kind.kept_existing += 1;
                } else {
                    kind.files += 1;
                    kind.bytes += saved.bytes;
                }
                if file.again.is_some() {
                    kind.downloaded_again += 1;
                }
            }
            if saved.kept {
                shared.output.text(format!(
                    "kept     {} ({} bytes: there already, the size Zoho lists; not downloaded)",
                    saved.path.display(),
                    saved.bytes
                ));
            } else {
                shared.output.text(format!(
                    "saved    {} ({} bytes)",
                    saved.path.display(),
                    saved.bytes
                ));
            }
            if let Some(beside) = &file.beside {
                shared
                    .output
                    .warn(format!("{}: {beside}", at.shown(&saved.name)));
            }
            let status = if saved.kept {
                "kept_existing"
            } else {
                "downloaded"
            };
            shared.output.json_line(&ItemLine {
                ok: true,
                name: Some(&saved.name),
                path: Some(saved.path.display().to_string()),
                bytes: Some(saved.bytes),
                sha256: Some(&saved.sha256),
                downloaded_again: file.again.as_deref(),
                ..at.line(status, &file.id)
            });
        }
        Err(Missed::NoPhoto) => {
            shared.patience.went_through();
            tracker.withdraw(size);
            shared.tally().no_photo += 1;
            shared.output.json_line(&ItemLine {
                ok: true,
                ..at.line("no_photo", &file.id)
            });
        }
        Err(Missed::Unsupported) => {
            tracker.withdraw(size);
            *shared
                .tally()
                .photo_unsupported
                .entry(at.module().to_owned())
                .or_default() += 1;
        }
        Err(Missed::Failed(failure, _)) if failure.kind == Kind::Budget => {
            // Not sent: held back (not journaled), so a later run downloads it.
            tracker.withdraw(size);
            shared.budget_spent();
            shared.not_starting(1);
        }
        Err(Missed::Failed(failure, name)) => {
            tracker.withdraw(size);
            shared.call_failed(&failure);
            let mut record = at.journal(&file.id, Status::Error);
            record.name = name.clone();
            record.code = Some(failure.code.clone());
            record.message = Some(failure.message.clone());
            if let Some(writer) = &shared.writer
                && let Err(e) = writer.append(&record, true).await
            {
                shared.journal_failed(&e);
            }
            report_file_failure(&shared, &at, &file, name.as_deref(), &failure);
            shared.tally().of(at.kind).failed += 1;
        }
    }
    shared.file_finished();
}

/// Counts a call of `kind` that was sent (one refused before sending is not), and turns its
/// error into a [`Missed`].
pub(super) fn counted<T, E: OperationError>(
    shared: &Shared,
    kind: ItemKind,
    result: Result<T, Error<E>>,
) -> Result<T, Missed> {
    match result {
        Err(Error::Validation(ValidationError::ModuleNotSupported { .. })) => {
            Err(Missed::Unsupported)
        }
        Err(error @ Error::Validation(_)) => {
            Err(Missed::Failed(Box::new(Failure::from_call(&error)), None))
        }
        Err(error @ Error::Budget(_)) => {
            Err(Missed::Failed(Box::new(Failure::from_call(&error)), None))
        }
        Err(error) => {
            shared.tally().of(kind).calls += 1;
            Err(Missed::Failed(Box::new(Failure::from_call(&error)), None))
        }
        Ok(value) => {
            shared.tally().of(kind).calls += 1;
            Ok(value)
        }
    }
}

/// The download call of the item `id` of `at`.
async fn call(shared: &Shared, at: &Place, id: &str) -> Result<Option<Download>, Missed> {
    let (module, record_id) = (at.module.clone(), at.record_id.clone());
    match (at.kind, &at.field) {
        (ItemKind::Photo, _) => {
            let request = DownloadPhotoRequest::new(module, record_id);
            counted(shared, at.kind, shared.client.download_photo(request).await)
        }
        (ItemKind::FieldFile, Some(_)) => {
            let request = DownloadFieldFileRequest::new(module, record_id, id);
            counted(
                shared,
                at.kind,
                shared.client.download_field_file(request).await,
            )
        }
        _ => {
            let request = DownloadAttachmentRequest::new(module, record_id, id);
            counted(
                shared,
                at.kind,
                shared.client.download_attachment(request).await,
            )
        }
    }
}

/// The download itself: the answer's head, the name (known, or the next new one in turn,
/// journaled before any byte is saved), then the content through a temporary file.
async fn fetch_and_save(
    shared: &Shared,
    at: &Place,
    file: &Fetch,
    naming: Naming,
    tracker: &Tracker,
) -> Result<Saved, Missed> {
    let failed =
        |failure, name: Option<&str>| Missed::Failed(Box::new(failure), name.map(str::to_owned));
    if let Some(name) = &file.on_disk {
        let path = at.dir.join(name);
        let (bytes, sha256) = stage::hash_file(&path).await.map_err(|e| {
            failed(
                Failure::io(format!("cannot read {}: {e}", path.display())),
                Some(name),
            )
        })?;
        return Ok(Saved {
            name: name.clone(),
            path,
            bytes,
            sha256,
            file_name: file.listed_name.clone(),
            kept: true,
        });
    }
    let download = match call(shared, at, &file.id).await? {
        Some(download) => download,
        None if at.kind == ItemKind::Photo => return Err(Missed::NoPhoto),
        None => {
            let what = match at.kind {
                ItemKind::FieldFile => "field file",
                _ => "attachment",
            };
            let failure = Failure::new(
                Kind::Api,
                "NOT_FOUND",
                format!("Zoho has no content for {what} {}", file.id),
            )
            .with_resolution("it may have been deleted since it was listed; run the export again");
            return Err(failed(failure, None));
        }
    };
    // Made once there is something to save in it: a record without a photo leaves no empty
    // directory.
    if let Err(e) = tokio::fs::create_dir_all(&at.dir).await {
        let failure = Failure::io(format!("cannot create {}: {e}", at.dir.display()));
        return Err(failed(failure, file.name.as_deref()));
    }
    let file_name = match at.kind {
        ItemKind::Photo => download.file_name().map(str::to_owned),
        _ => file
            .listed_name
            .clone()
            .or_else(|| download.file_name().map(str::to_owned)),
    };
    let (name, staged, overwrite) = match naming {
        Naming::Known(name) => {
            let staged = stage::stage(download, &at.dir, |received| tracker.update(received))
                .await
                .map_err(|error| failed(Failure::download(&error), Some(&name)))?;
            (name, staged, true)
        }
        Naming::New(ticket) => {
            let candidate = candidate_name(&shared.name_template, at.kind, &download, file);
            // The content is read before the name is taken: names are handed out in listing
            // order, and an answer held open while an earlier file waits for its turn in the
            // client's concurrency limit could leave that file no place at all.
            let staged =
                match stage::stage(download, &at.dir, |received| tracker.update(received)).await {
                    Ok(staged) => staged,
                    Err(error) => return Err(failed(Failure::download(&error), None)),
                };
            let name = ticket.claim(&candidate).await;
            let mut record = at.journal(&file.id, Status::Started);
            record.name = Some(name.clone());
            if let Some(writer) = &shared.writer
                && let Err(e) = writer.append(&record, false).await
            {
                shared.journal_failed(&e);
                let failure = Failure::new(
                    Kind::Local,
                    "JOURNAL_ERROR",
                    format!("not saved: the journal cannot be written: {e}"),
                );
                return Err(failed(failure, Some(&name)));
            }
            (name, staged, false)
        }
    };
    let path = at.dir.join(&name);
    let (bytes, sha256) = (staged.bytes, staged.sha256.clone());
    match staged.persist(&path, overwrite) {
        Ok(()) => Ok(Saved {
            name,
            path,
            bytes,
            sha256,
            file_name,
            kept: false,
        }),
        Err(error) => Err(failed(Failure::download(&error), Some(&name))),
    }
}

/// Adds a file saved and journaled to the index; a line that cannot be written is said once
/// (the next run writes the index anew from the journal).
async fn add_to_index(shared: &Shared, at: &Place, saved: &Saved, file: &Fetch) {
    let Some(index) = &shared.index else { return };
    let key = at.key(&file.id);
    let row = Row {
        path: index::relative_path(&key, &saved.name),
        key,
        name: saved.file_name.clone().unwrap_or_default(),
        size: saved.bytes,
        sha256: saved.sha256.clone(),
        created_time: file.created_time.clone().unwrap_or_default(),
        modified_time: file.modified_time.clone().unwrap_or_default(),
    };
    if let Err(e) = index.append(row).await
        && index.first_failure()
    {
        shared.output.warn(format!(
            "cannot write to {}: {e}; the files are saved and journaled, and the next run writes the index anew",
            index.path().display()
        ));
    }
}

/// The name a new file asks for: a photo's is `photo.<ext>` by its media type (its answer
/// names no file); another's is `--name-template` filled with the (sanitised) name its answer
/// gives, else `attachment-ID` or `file-ID`, and made safe.
fn candidate_name(
    template: &NameTemplate,
    kind: ItemKind,
    download: &Download,
    file: &Fetch,
) -> String {
    if kind == ItemKind::Photo {
        return format!(
            "photo.{}",
            crate::record_files::photo_extension(download.extension())
        );
    }
    let id = file.id.as_str();
    let name = match download.file_name() {
        Some(name) => name.to_owned(),
        None => {
            let stem = if kind == ItemKind::FieldFile {
                "file"
            } else {
                "attachment"
            };
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                format!("{stem}-{id}")
            } else {
                stem.to_owned()
            }
        }
    };
    let rendered = template.render(&NameFields {
        name: &name,
        id,
        created: file.created_time.as_deref(),
        modified: file.modified_time.as_deref(),
    });
    // What the template gives is made safe as the server's name is; nothing usable left
    // falls back to the name itself.
    zoho_crm::sanitize_file_name(&rendered).unwrap_or(name)
}

/// Files an earlier run saved: a JSON line each (quiet in text).
pub(super) fn report_done(shared: &Shared, at: &Place, done: &[Done]) {
    for file in done {
        shared.output.json_line(&ItemLine {
            ok: true,
            name: Some(&file.name),
            path: Some(at.dir.join(&file.name).display().to_string()),
            bytes: Some(file.bytes),
            ..at.line("already_done", &file.id)
        });
    }
    shared.tally().of(at.kind).already_done += done.len();
}

/// `--dry-run`: the files that would be downloaded.
pub(super) fn report_would_download(shared: &Shared, at: &Place, fetch: &[Fetch]) {
    let (kept, fetch): (Vec<&Fetch>, Vec<&Fetch>) = fetch.iter().partition(|f| f.on_disk.is_some());
    let kept_count = kept.len();
    for file in kept {
        let name = file.on_disk.as_deref().unwrap_or_default();
        shared.output.text(format!(
            "would keep      {} (id {}: there already, the size Zoho lists)",
            at.shown(name),
            file.id
        ));
        shared.output.json_line(&ItemLine {
            ok: true,
            name: Some(name),
            bytes: file.size,
            ..at.line("would_keep", &file.id)
        });
    }
    for file in &fetch {
        let name = file
            .name
            .as_deref()
            .or(file.listed_name.as_deref())
            .unwrap_or_default();
        shared.output.text(format!(
            "would download  {} (id {}, {} bytes)",
            at.shown(name),
            file.id,
            file.size.map_or_else(|| "?".to_owned(), |s| s.to_string())
        ));
        shared.output.json_line(&ItemLine {
            ok: true,
            name: Some(name),
            bytes: file.size,
            downloaded_again: file.again.as_deref(),
            ..at.line("would_download", &file.id)
        });
    }
    let mut tally = shared.tally();
    let kind = tally.of(at.kind);
    kind.would_download += fetch.len();
    kind.kept_existing += kept_count;
    kind.would_download_bytes += fetch.iter().map(|f| f.size.unwrap_or(0)).sum::<u64>();
}

/// A file that was not saved.
pub(super) fn report_file_failure(
    shared: &Shared,
    at: &Place,
    file: &Fetch,
    name: Option<&str>,
    failure: &Failure,
) {
    let shown = name.or(file.listed_name.as_deref()).unwrap_or_default();
    let what = match at.kind {
        ItemKind::Attachment => "attachment",
        ItemKind::Photo => "photo of record",
        ItemKind::FieldFile => "field file",
    };
    shared.output.stderr(&format!(
        "error: {} ({what} {}): not saved: {}",
        at.shown(shown),
        file.id,
        failure.describe()
    ));
    shared.output.json_line(&ItemLine {
        name: Some(shown),
        failure: Some(failure),
        ..at.line("error", &file.id)
    });
}
