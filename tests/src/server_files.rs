//! What a [`LoopbackServer`] offers tests about files beyond the Attachments list: seeding
//! and reading record photos ([`crate::photos`]), the file store ([`crate::file_store`]) and
//! file-upload fields ([`crate::file_fields`]), and their switches.

use crate::LoopbackServer;
use crate::file_state::{
    Blob, DEFAULT_FIELD_MAX_FILES, FieldEntry, Photo, StoredFieldFile, StoredFile, StoredPhoto,
};
use crate::image;
use crate::responses;

impl LoopbackServer {
    /// Locks (`true`) or unlocks `module`'s record `record_id`: photo uploads to a locked
    /// record are refused with Zoho's `RECORD_LOCKED` (see [`crate::photos`]).
    pub fn set_locked(&self, module: &str, record_id: &str, locked: bool) {
        self.shared().files.set_locked(module, record_id, locked);
    }

    /// The photo of `module`'s record `record_id`, with its bytes; `None` if it has none.
    pub fn photo(&self, module: &str, record_id: &str) -> Option<StoredPhoto> {
        self.shared().files.photo_report(module, record_id)
    }

    /// Sets the photo of `module`'s record `record_id` to `bytes` without a request (nothing
    /// is checked; a file that is no PNG, JPEG, GIF or BMP is served as
    /// `application/octet-stream`), replacing any photo it had. The bytes go to disk like an
    /// upload's (they stay in memory only if writing fails).
    pub fn insert_photo(&self, module: &str, record_id: &str, bytes: &[u8]) {
        let shared = self.shared();
        let path = shared.storage.write_now(bytes).ok();
        let photo = Photo {
            blob: Blob::of("", bytes, path),
            info: image::read_header(bytes),
        };
        let replaced = shared.files.lock().set_photo(module, record_id, photo);
        if let Some(path) = replaced.and_then(|photo| photo.blob.path) {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Whether photo downloads carry `Content-Disposition` with the uploaded file name (off
    /// by default, as at Zoho, whose photos have no file name).
    pub fn set_photo_disposition(&self, on: bool) {
        self.shared().files.set_photo_disposition(on);
    }

    /// Declares the file-upload field `api_name` of `module`, holding at most `max_files`
    /// files (Zoho: up to 5 for a file-upload field, up to 10 for an image-upload field;
    /// see [`DEFAULT_FIELD_MAX_FILES`]). Declaring it again changes its maximum.
    pub fn add_file_field(&self, module: &str, api_name: &str, max_files: usize) {
        self.shared().files.add_field(module, api_name, max_files);
    }

    /// The files of the field `field` of `module`'s record `record_id`, oldest first.
    pub fn file_field(&self, module: &str, record_id: &str, field: &str) -> Vec<StoredFieldFile> {
        self.shared().files.field_report(module, record_id, field)
    }

    /// Adds a file named `name` with content `bytes` to the field `field` of `module`'s
    /// record `record_id` without a request, as if uploaded to the file store and attached
    /// (its file-store id is consumed), and returns the entry id. Declares the field (with
    /// [`DEFAULT_FIELD_MAX_FILES`]) if it isn't; the maximum is not checked.
    pub fn insert_field_file(
        &self,
        module: &str,
        record_id: &str,
        field: &str,
        name: &str,
        bytes: &[u8],
    ) -> String {
        let shared = self.shared();
        let path = shared.storage.write_now(bytes).ok();
        let blob = Blob::of(name, bytes, path);
        let entry_id = shared.next_attachment_id();
        let mut files = shared.files.lock();
        files.declare_field(module, field, DEFAULT_FIELD_MAX_FILES);
        let file_id = files.add_file(blob.clone(), false, true);
        let mut entries = files.entries(module, record_id, field).to_vec();
        entries.push(FieldEntry {
            entry_id: entry_id.clone(),
            file_id,
            blob,
            created_time: responses::zoho_now(),
        });
        files.set_entries(module, record_id, field, entries);
        entry_id
    }

    /// The file-store file with the encrypted id `id` (consumed or not); `None` if unknown.
    pub fn stored_file(&self, id: &str) -> Option<StoredFile> {
        self.shared().files.file_report(id)
    }

    /// The content of the file-store file `id`, read from disk; `None` if unknown.
    pub fn stored_file_content(&self, id: &str) -> Option<Vec<u8>> {
        self.shared().files.file_content(id)
    }

    /// How many files the file store holds (consumed ones included).
    pub fn stored_file_count(&self) -> usize {
        self.shared().files.file_count()
    }
}
