//! Shared helpers for the integration tests: a client pointed at a loopback server, files of
//! pseudo-random bytes, and SHA-256.

#![allow(dead_code)]

pub mod oauth;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use zoho_crm::operations::UploadAttachmentRequest;
use zoho_crm::{Client, FileSource, Module};
use zoho_crm_testkit::LoopbackServer;

/// A record id the loopback server accepts.
pub const RECORD: &str = "3477061000005177002";

/// A client for `server`, with its token.
pub fn client(server: &LoopbackServer) -> Client {
    match Client::builder()
        .base_url(server.base_url())
        .access_token(server.token())
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("client for {}: {e}", server.base_url()),
    }
}

/// Starts a loopback server or fails the test.
pub async fn server() -> LoopbackServer {
    match LoopbackServer::start().await {
        Ok(server) => server,
        Err(e) => panic!("cannot start the loopback server: {e}"),
    }
}

/// A request uploading `source` to the Leads record [`RECORD`].
pub fn upload(source: FileSource) -> UploadAttachmentRequest {
    UploadAttachmentRequest::new(Module::Leads, RECORD, source)
}

/// Writes `len` pseudo-random bytes (xorshift, seeded by `seed`) to `dir/name`, streaming, and
/// returns the path and the SHA-256 of what was written.
pub fn random_file(dir: &Path, name: &str, len: u64, seed: u64) -> (PathBuf, [u8; 32]) {
    let path = dir.join(name);
    let file = match std::fs::File::create(&path) {
        Ok(file) => file,
        Err(e) => panic!("create {}: {e}", path.display()),
    };
    let mut out = std::io::BufWriter::new(file);
    let mut hasher = Sha256::new();
    let mut state = seed | 1;
    let mut remaining = len;
    let mut block = vec![0u8; 64 * 1024];
    while remaining > 0 {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let bytes = state.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        let take = remaining.min(block.len() as u64) as usize;
        hasher.update(&block[..take]);
        if let Err(e) = out.write_all(&block[..take]) {
            panic!("write {}: {e}", path.display());
        }
        remaining -= take as u64;
    }
    if let Err(e) = out.flush() {
        panic!("flush {}: {e}", path.display());
    }
    (path, hasher.finalize().into())
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("temp dir: {e}"),
    }
}
