//! What the server keeps of files beyond the Attachments list: record photos (one per
//! record), Zoho's file store (files uploaded to `/files`, each with an encrypted id that
//! can be attached to a record once) and the entries of records' file-upload fields. The
//! contents are on disk in the server's storage directory, like attachments'.
//!
//! One lock guards all three, so an update that consumes file-store ids and changes a
//! field's entries is all or nothing.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};

use crate::image::ImageInfo;

/// The most files a file-upload field holds unless declared otherwise (Zoho: a file-upload
/// field holds up to 5 files, an image-upload field up to 10).
pub const DEFAULT_FIELD_MAX_FILES: usize = 5;

/// A record's photo, as [`crate::LoopbackServer::photo`] reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPhoto {
    /// The uploaded part's file name (empty for [`crate::LoopbackServer::insert_photo`]).
    pub file_name: String,
    /// The media type served with it (`image/png`, ...), from its magic bytes;
    /// `application/octet-stream` for an inserted file that is no image.
    pub media_type: String,
    /// Its length in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes.
    pub sha256: [u8; 32],
    /// Its width and height in pixels, when its header could be read.
    pub dimensions: Option<(u64, u64)>,
    /// Its bytes, read from disk (empty if they can't be read).
    pub bytes: Vec<u8>,
}

/// A file in the server's file store, as [`crate::LoopbackServer::stored_file`] reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    /// Its encrypted id: 40 lowercase hex digits.
    pub id: String,
    /// The uploaded part's file name.
    pub file_name: String,
    /// Its length in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes.
    pub sha256: [u8; 32],
    /// Whether it was attached to a record (its id can't be attached again).
    pub consumed: bool,
    /// Whether it was uploaded with `type=inline`.
    pub inline: bool,
}

/// One file of a record's file-upload field, as [`crate::LoopbackServer::file_field`]
/// reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFieldFile {
    /// The entry's id (18 digits): its `id` in the record, the `fields_attachment_id` of its
    /// download, the `id` to send with `_delete`.
    pub entry_id: String,
    /// The file's name (`File_Name__s`).
    pub file_name: String,
    /// Its length in bytes (`Size__s`).
    pub size: u64,
    /// The SHA-256 of its bytes.
    pub sha256: [u8; 32],
    /// The file-store id it was attached with (`File_Id__s`).
    pub file_id: String,
    /// When it was attached, as Zoho writes times (`Created_Time__s`).
    pub created_time: String,
}

/// Stored content: a name, a size and hash, and where the bytes are.
#[derive(Clone, Debug)]
pub(crate) struct Blob {
    pub(crate) file_name: String,
    pub(crate) size: u64,
    pub(crate) sha256: [u8; 32],
    /// The file on disk.
    pub(crate) path: Option<PathBuf>,
    /// The bytes, when they are not on disk.
    pub(crate) bytes: Option<Vec<u8>>,
}

impl Blob {
    /// A blob of `bytes`, on disk at `path` if it was written there (else in memory).
    pub(crate) fn of(file_name: &str, bytes: &[u8], path: Option<PathBuf>) -> Self {
        Self {
            file_name: file_name.to_owned(),
            size: bytes.len() as u64,
            sha256: Sha256::digest(bytes).into(),
            bytes: path.is_none().then(|| bytes.to_vec()),
            path,
        }
    }

    /// The content, from disk or memory (empty if it can't be read).
    pub(crate) fn read(&self) -> Vec<u8> {
        match (&self.path, &self.bytes) {
            (Some(path), _) => std::fs::read(path).unwrap_or_default(),
            (None, Some(bytes)) => bytes.clone(),
            (None, None) => Vec::new(),
        }
    }
}

/// A stored photo.
#[derive(Clone, Debug)]
pub(crate) struct Photo {
    pub(crate) blob: Blob,
    /// The header read from it; `None` for an inserted file that is no image.
    pub(crate) info: Option<ImageInfo>,
}

impl Photo {
    /// The media type it is served with.
    pub(crate) fn media_type(&self) -> &'static str {
        self.info
            .map_or("application/octet-stream", |info| info.format.media_type())
    }
}

/// A file in the file store.
#[derive(Clone, Debug)]
pub(crate) struct ZfsFile {
    pub(crate) id: String,
    pub(crate) blob: Blob,
    pub(crate) consumed: bool,
    pub(crate) inline: bool,
}

/// One entry of a file-upload field.
#[derive(Clone, Debug)]
pub(crate) struct FieldEntry {
    pub(crate) entry_id: String,
    pub(crate) file_id: String,
    pub(crate) blob: Blob,
    pub(crate) created_time: String,
}

impl FieldEntry {
    fn report(&self) -> StoredFieldFile {
        StoredFieldFile {
            entry_id: self.entry_id.clone(),
            file_name: self.blob.file_name.clone(),
            size: self.blob.size,
            sha256: self.blob.sha256,
            file_id: self.file_id.clone(),
            created_time: self.created_time.clone(),
        }
    }
}

/// A (module, record id) pair.
type RecordKey = (String, String);

fn record_key(module: &str, record_id: &str) -> RecordKey {
    (module.to_owned(), record_id.to_owned())
}

/// Everything behind the one lock.
#[derive(Debug, Default)]
pub(crate) struct Files {
    photos: HashMap<RecordKey, Photo>,
    locked: HashSet<RecordKey>,
    store: Vec<ZfsFile>,
    next_file: u64,
    /// Declared file-upload fields: (module, api name) -> most files.
    fields: HashMap<RecordKey, usize>,
    /// Entries per (module, record id), then per field, oldest first.
    entries: HashMap<RecordKey, HashMap<String, Vec<FieldEntry>>>,
}

impl Files {
    /// The photo of a record.
    pub(crate) fn photo(&self, module: &str, record_id: &str) -> Option<&Photo> {
        self.photos.get(&record_key(module, record_id))
    }

    /// Sets a record's photo; returns the one it replaces.
    pub(crate) fn set_photo(
        &mut self,
        module: &str,
        record_id: &str,
        photo: Photo,
    ) -> Option<Photo> {
        self.photos.insert(record_key(module, record_id), photo)
    }

    /// Removes a record's photo.
    pub(crate) fn remove_photo(&mut self, module: &str, record_id: &str) -> Option<Photo> {
        self.photos.remove(&record_key(module, record_id))
    }

    /// Whether a record is locked.
    pub(crate) fn is_locked(&self, module: &str, record_id: &str) -> bool {
        self.locked.contains(&record_key(module, record_id))
    }

    /// Adds a file to the store under a new encrypted id, which it returns.
    pub(crate) fn add_file(&mut self, blob: Blob, inline: bool, consumed: bool) -> String {
        self.next_file += 1;
        let digest = Sha256::digest(format!("zfs-file:{}:{}", self.next_file, blob.file_name));
        let id: String = digest.iter().take(20).map(|b| format!("{b:02x}")).collect();
        self.store.push(ZfsFile {
            id: id.clone(),
            blob,
            consumed,
            inline,
        });
        id
    }

    /// The stored file `id`.
    pub(crate) fn file(&self, id: &str) -> Option<&ZfsFile> {
        self.store.iter().find(|file| file.id == id)
    }

    /// Marks the stored file `id` consumed.
    pub(crate) fn consume(&mut self, id: &str) {
        if let Some(file) = self.store.iter_mut().find(|file| file.id == id) {
            file.consumed = true;
        }
    }

    /// The most files the declared field `module`.`field` holds; `None` if undeclared.
    pub(crate) fn field_max(&self, module: &str, field: &str) -> Option<usize> {
        self.fields.get(&record_key(module, field)).copied()
    }

    /// Declares the field `module`.`field` with `max_files` unless it is declared.
    pub(crate) fn declare_field(&mut self, module: &str, field: &str, max_files: usize) {
        self.fields
            .entry(record_key(module, field))
            .or_insert(max_files);
    }

    /// The declared fields of `module`, by name.
    pub(crate) fn fields_of(&self, module: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .fields
            .keys()
            .filter(|(m, _)| m == module)
            .map(|(_, field)| field.clone())
            .collect();
        names.sort();
        names
    }

    /// The entries of a record's field, oldest first.
    pub(crate) fn entries(&self, module: &str, record_id: &str, field: &str) -> &[FieldEntry] {
        self.entries
            .get(&record_key(module, record_id))
            .and_then(|fields| fields.get(field))
            .map_or(&[], Vec::as_slice)
    }

    /// Replaces the entries of a record's field.
    pub(crate) fn set_entries(
        &mut self,
        module: &str,
        record_id: &str,
        field: &str,
        entries: Vec<FieldEntry>,
    ) {
        self.entries
            .entry(record_key(module, record_id))
            .or_default()
            .insert(field.to_owned(), entries);
    }

    /// The entry `entry_id` among all fields of a record.
    pub(crate) fn find_entry(
        &self,
        module: &str,
        record_id: &str,
        entry_id: &str,
    ) -> Option<&FieldEntry> {
        self.entries
            .get(&record_key(module, record_id))?
            .values()
            .flatten()
            .find(|entry| entry.entry_id == entry_id)
    }
}

/// The state of photos, the file store and file fields, shared by a server's handlers.
#[derive(Debug, Default)]
pub(crate) struct FileState {
    files: Mutex<Files>,
    /// Whether photo downloads carry a `Content-Disposition`.
    photo_disposition: AtomicBool,
}

impl FileState {
    /// The lock over everything.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Files> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether photo downloads carry a `Content-Disposition`.
    pub(crate) fn photo_disposition(&self) -> bool {
        self.photo_disposition.load(Ordering::Relaxed)
    }

    /// Sets whether photo downloads carry a `Content-Disposition`.
    pub(crate) fn set_photo_disposition(&self, on: bool) {
        self.photo_disposition.store(on, Ordering::Relaxed);
    }

    /// Locks or unlocks a record against photo uploads.
    pub(crate) fn set_locked(&self, module: &str, record_id: &str, locked: bool) {
        let key = record_key(module, record_id);
        let mut files = self.lock();
        if locked {
            files.locked.insert(key);
        } else {
            files.locked.remove(&key);
        }
    }

    /// Declares (or redeclares) a file-upload field.
    pub(crate) fn add_field(&self, module: &str, field: &str, max_files: usize) {
        self.lock()
            .fields
            .insert(record_key(module, field), max_files);
    }

    /// A record's photo, with its bytes.
    pub(crate) fn photo_report(&self, module: &str, record_id: &str) -> Option<StoredPhoto> {
        let photo = self.lock().photo(module, record_id)?.clone();
        Some(StoredPhoto {
            file_name: photo.blob.file_name.clone(),
            media_type: photo.media_type().to_owned(),
            size: photo.blob.size,
            sha256: photo.blob.sha256,
            dimensions: photo.info.map(|info| (info.width, info.height)),
            bytes: photo.blob.read(),
        })
    }

    /// The stored file `id`.
    pub(crate) fn file_report(&self, id: &str) -> Option<StoredFile> {
        self.lock().file(id).map(|file| StoredFile {
            id: file.id.clone(),
            file_name: file.blob.file_name.clone(),
            size: file.blob.size,
            sha256: file.blob.sha256,
            consumed: file.consumed,
            inline: file.inline,
        })
    }

    /// The content of the stored file `id`.
    pub(crate) fn file_content(&self, id: &str) -> Option<Vec<u8>> {
        let blob = self.lock().file(id)?.blob.clone();
        Some(blob.read())
    }

    /// How many files the store holds.
    pub(crate) fn file_count(&self) -> usize {
        self.lock().store.len()
    }

    /// The files of a record's field, oldest first.
    pub(crate) fn field_report(
        &self,
        module: &str,
        record_id: &str,
        field: &str,
    ) -> Vec<StoredFieldFile> {
        self.lock()
            .entries(module, record_id, field)
            .iter()
            .map(FieldEntry::report)
            .collect()
    }
}
