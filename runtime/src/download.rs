//! A downloaded file, streamed: to any writer, or to a path through a temporary file that is
//! renamed into place only once every byte has arrived, so a cut connection never leaves a
//! partial file behind. The name the server suggests is sanitised so it cannot leave the
//! target directory. The content must keep to the client's low-speed rule and arrive within
//! the call's total timeout (and its attempt timeout, if one is set), so a server that drips
//! it, or sends it without end, cannot hang the download.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use crate::concurrency::Slot;
use crate::error::error_chain;
use crate::pacing::ByteRate;
use crate::timeouts::{LowSpeed, SpeedCheck};
use crate::usage::Meter;

/// How much a download buffers before writing to its file: each write is a trip to the blocking
/// thread pool, with a copy of this many bytes in flight, for every download at once (8 in
/// flight kept 16 MiB with 1 MiB here); at 256 KiB a 100 MiB file takes 400 trips.
const WRITE_BUFFER_BYTES: usize = 256 * 1024;

/// A failed download. A partial file is never left behind.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The connection ended before the declared length arrived.
    #[error("the download was cut off: {received} of {expected} bytes arrived; nothing was kept")]
    Incomplete {
        /// Content-Length.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
    /// More bytes arrived than the declared length.
    #[error("the server sent more than the {expected} bytes it announced; nothing was kept")]
    TooLong {
        /// Content-Length.
        expected: u64,
    },
    /// The connection failed while receiving.
    #[error("the download failed after {received} bytes: {message}; nothing was kept")]
    Transport {
        /// Bytes received before the failure.
        received: u64,
        /// What failed.
        message: String,
    },
    /// The content did not arrive within the call's total timeout (or the attempt timeout,
    /// when one is set and ends sooner).
    #[error(
        "the download timed out after {received} bytes: its time limit of {limit:?} (the call's total or attempt timeout) passed; nothing was kept"
    )]
    TimedOut {
        /// Bytes received.
        received: u64,
        /// The timeout that ended it.
        limit: Duration,
    },
    /// The content arrived more slowly than the low-speed rule allows.
    #[error(
        "the download was too slow after {received} bytes: only {moved} bytes arrived in {window:?}, under the minimum of {bytes_per_second} bytes per second (the low-speed rule); nothing was kept"
    )]
    TooSlow {
        /// Bytes received.
        received: u64,
        /// Bytes received in the last window.
        moved: u64,
        /// The window.
        window: Duration,
        /// The minimum speed.
        bytes_per_second: u64,
    },
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The target file exists and overwriting was not asked for.
    #[error("{path} exists already; choose another path or remove it")]
    Exists {
        /// The file.
        path: PathBuf,
    },
}

/// A download under way: the response head has arrived, the body has not been read.
#[derive(Debug)]
pub struct Download {
    response: reqwest::Response,
    file_name: Option<String>,
    sync: bool,
    /// When the content must have arrived: the end of the call's total timeout, or of the
    /// attempt timeout if that is sooner.
    deadline: tokio::time::Instant,
    /// The timeout that sets `deadline`.
    limit: Duration,
    low_speed: LowSpeed,
    /// Where the bytes received are counted.
    meter: Arc<Meter>,
    /// The byte rate the content is passed on at, shared with the client's other transfers.
    bandwidth: Option<Arc<ByteRate>>,
    _permit: Slot,
}

impl Download {
    pub(crate) fn new(
        response: reqwest::Response,
        permit: Slot,
        deadline: tokio::time::Instant,
        limit: Duration,
        low_speed: LowSpeed,
        meter: Arc<Meter>,
        bandwidth: Option<Arc<ByteRate>>,
    ) -> Self {
        let file_name = response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|value| content_disposition_file_name(value.as_bytes()))
            .and_then(|name| sanitize_file_name(&name));
        Download {
            response,
            file_name,
            sync: false,
            deadline,
            limit,
            low_speed,
            meter,
            bandwidth,
            _permit: permit,
        }
    }

    /// Makes the save methods flush the file to disk (fsync) before renaming it into place, so
    /// that it survives a power loss too. Off by default, as in curl: the rename alone already
    /// guarantees that a cut-off download never appears as a whole file.
    pub fn sync_to_disk(mut self, sync: bool) -> Self {
        self.sync = sync;
        self
    }

    /// The file name the server gave, sanitised to a plain name (no directories, no `..`, no
    /// control characters); `None` when it gave none that is usable.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The length the server announced.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The content type the server announced.
    pub fn content_type(&self) -> Option<&str> {
        self.response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The usual extension of the announced content type (`png` for `image/png`, `jpg` for
    /// `image/jpeg`), for content that comes without a file name, such as a record's photo:
    /// only letters and digits, `None` when the type is missing or unknown.
    pub fn extension(&self) -> Option<&'static str> {
        self.content_type()
            .and_then(crate::media_type::extension_of)
    }

    /// Streams the content into `writer`, checking it against the announced length. Returns
    /// the bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin>(
        self,
        writer: &mut W,
    ) -> Result<u64, DownloadError> {
        self.write_with_progress(writer, |_| {}).await
    }

    /// Like [`Download::write_to`], calling `progress` with the running total after each chunk.
    pub async fn write_with_progress<W: AsyncWrite + Unpin>(
        self,
        writer: &mut W,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, DownloadError> {
        let expected = self.response.content_length();
        let (deadline, limit) = (self.deadline, self.limit);
        let mut speed = SpeedCheck::start(self.low_speed);
        let mut received = 0u64;
        let meter = Arc::clone(&self.meter);
        let bandwidth = self.bandwidth.clone();
        let mut chunks = self.response.bytes_stream();
        // Ends with the content, an error, the low-speed rule or the deadline, whichever first.
        loop {
            let wake = speed.window_end().map_or(deadline, |end| end.min(deadline));
            let next = tokio::time::timeout_at(wake, chunks.next()).await;
            let now = tokio::time::Instant::now();
            let chunk = match next {
                Ok(None) => break,
                Ok(Some(chunk)) => Some(chunk),
                // Woken to check the time.
                Err(_) => None,
            };
            if now >= deadline {
                return Err(DownloadError::TimedOut { received, limit });
            }
            let Some(chunk) = chunk else {
                speed
                    .check(now)
                    .map_err(|moved| too_slow(received, moved, self.low_speed))?;
                continue;
            };
            let chunk = chunk.map_err(|e| match expected {
                Some(expected) if received < expected && !e.is_timeout() => {
                    DownloadError::Incomplete { expected, received }
                }
                _ => DownloadError::Transport {
                    received,
                    message: error_chain(&e),
                },
            })?;
            // A chunk waits its turn under the byte rate before it is passed on.
            if let Some(rate) = &bandwidth
                && tokio::time::timeout_at(deadline, rate.take(chunk.len() as u64))
                    .await
                    .is_err()
            {
                return Err(DownloadError::TimedOut { received, limit });
            }
            received = received.saturating_add(chunk.len() as u64);
            meter.received(chunk.len() as u64);
            speed.add(chunk.len() as u64);
            if let Some(expected) = expected
                && received > expected
            {
                return Err(DownloadError::TooLong { expected });
            }
            writer
                .write_all(&chunk)
                .await
                .map_err(|source| DownloadError::Io {
                    path: PathBuf::new(),
                    source,
                })?;
            progress(received);
            speed
                .check(tokio::time::Instant::now())
                .map_err(|moved| too_slow(received, moved, self.low_speed))?;
        }
        if let Some(expected) = expected
            && received != expected
        {
            return Err(DownloadError::Incomplete { expected, received });
        }
        writer.flush().await.map_err(|source| DownloadError::Io {
            path: PathBuf::new(),
            source,
        })?;
        Ok(received)
    }

    /// Saves the content at `path`, replacing a file there only once the download is complete.
    pub async fn save_to(self, path: impl AsRef<Path>) -> Result<u64, DownloadError> {
        self.save(path.as_ref(), true, |_| {}).await
    }

    /// Saves the content in `dir` under the server's (sanitised) file name, or `fallback` when
    /// it gave none. An existing file is not replaced. Returns the path written.
    pub async fn save_in_dir(
        self,
        dir: impl AsRef<Path>,
        fallback: &str,
    ) -> Result<PathBuf, DownloadError> {
        let name = self
            .file_name
            .clone()
            .or_else(|| sanitize_file_name(fallback))
            .unwrap_or_else(|| "download".to_owned());
        let path = dir.as_ref().join(name);
        self.save(&path, false, |_| {}).await?;
        Ok(path)
    }

    /// Saves at `path` through a temporary file beside it, calling `progress` as bytes arrive.
    /// With `overwrite` false, an existing file makes it fail instead.
    pub async fn save(
        self,
        path: &Path,
        overwrite: bool,
        progress: impl FnMut(u64),
    ) -> Result<u64, DownloadError> {
        if !overwrite && tokio::fs::try_exists(path).await.unwrap_or(false) {
            return Err(DownloadError::Exists {
                path: path.to_owned(),
            });
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let staged = self.stage_in(&dir, progress).await.map_err(|e| match e {
            DownloadError::Io { source, .. } => DownloadError::Io {
                path: path.to_owned(),
                source,
            },
            other => other,
        })?;
        staged.persist(path, overwrite)
    }

    /// Reads the whole content into a temporary file in `dir` (a `.zoho-crm-download-*` file),
    /// calling `progress` as bytes arrive, and gives it back unnamed: put it under its name with
    /// [`StagedDownload::persist`]. Reading the content ends the call, which frees its place in
    /// the client's concurrency limit, so a program that can name a file only after other
    /// downloads (in a listing's order, say) need not hold a place while it waits.
    pub async fn stage_in(
        self,
        dir: &Path,
        progress: impl FnMut(u64),
    ) -> Result<StagedDownload, DownloadError> {
        let io = |source| DownloadError::Io {
            path: dir.to_owned(),
            source,
        };
        let temp = tempfile::Builder::new()
            .prefix(".zoho-crm-download-")
            .tempfile_in(dir)
            .map_err(io)?;
        let (file, temp_path) = temp.into_parts();
        let sync = self.sync;
        // Large writes: each write to a tokio file is a trip to the blocking pool.
        let mut file = tokio::io::BufWriter::with_capacity(
            WRITE_BUFFER_BYTES,
            tokio::fs::File::from_std(file),
        );
        let written = self.write_with_progress(&mut file, progress).await;
        let written = match written {
            Ok(written) => written,
            Err(DownloadError::Io { source, .. }) => return Err(io(source)),
            Err(e) => return Err(e),
        };
        let file = file.into_inner();
        if sync {
            file.sync_all().await.map_err(io)?;
        }
        drop(file);
        Ok(StagedDownload {
            temp: temp_path,
            bytes: written,
        })
    }
}

/// A download's whole content in a temporary file, not yet under its name (see
/// [`Download::stage_in`]). Dropping it removes the file.
#[derive(Debug)]
pub struct StagedDownload {
    temp: tempfile::TempPath,
    bytes: u64,
}

impl StagedDownload {
    /// How many bytes it holds.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Puts the content at `path` (in the same directory it was staged in, for an atomic
    /// rename). With `overwrite` false, an existing file makes it fail instead, and the staged
    /// file is removed. Returns the bytes.
    pub fn persist(self, path: &Path, overwrite: bool) -> Result<u64, DownloadError> {
        let io = |source| DownloadError::Io {
            path: path.to_owned(),
            source,
        };
        if overwrite {
            self.temp.persist(path).map_err(|e| io(e.error))?;
        } else {
            self.temp.persist_noclobber(path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    DownloadError::Exists {
                        path: path.to_owned(),
                    }
                } else {
                    io(e.error)
                }
            })?;
        }
        Ok(self.bytes)
    }
}

/// The error for a download under the low-speed rule.
fn too_slow(received: u64, moved: u64, rule: LowSpeed) -> DownloadError {
    DownloadError::TooSlow {
        received,
        moved,
        window: rule.window(),
        bytes_per_second: rule.bytes_per_second,
    }
}

/// The file name in a Content-Disposition value: `filename*=UTF-8''…` (percent-decoded) is
/// preferred over `filename="…"` (backslash escapes undone) or a bare `filename=…`.
pub fn content_disposition_file_name(value: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(value);
    let mut plain = None;
    let mut extended = None;
    for part in split_params(&text) {
        let Some((key, raw)) = part.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let raw = raw.trim();
        if key == "filename*" {
            let mut pieces = raw.splitn(3, '\'');
            let charset = pieces.next().unwrap_or_default();
            let _language = pieces.next();
            if let Some(encoded) = pieces.next()
                && charset.eq_ignore_ascii_case("utf-8")
            {
                extended = percent_decode(encoded);
            }
        } else if key == "filename" {
            plain = Some(unquote(raw));
        }
    }
    extended.or(plain).filter(|name| !name.is_empty())
}

/// Splits header parameters at `;` outside quoted strings.
fn split_params(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                current.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

fn unquote(raw: &str) -> String {
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return raw.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes the value of a `filename*` parameter; `None` unless every `%` starts a two-digit
/// hex escape and the bytes are UTF-8.
fn percent_decode(encoded: &str) -> Option<String> {
    let escapes_valid = encoded.split('%').skip(1).all(|escape| {
        escape
            .as_bytes()
            .get(..2)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_valid {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()?;
    Some(decoded.into_owned())
}

/// Reduces a suggested file name to a plain name that stays inside a target directory: the
/// last component after any `/` or `\`, without control characters, not `.` or `..`, at most
/// 255 bytes. `None` when nothing usable is left.
pub fn sanitize_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_end_matches(['.', ' ']).to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return None;
    }
    let mut end = cleaned.len().min(255);
    while !cleaned.is_char_boundary(end) {
        end -= 1;
    }
    Some(cleaned[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_of_content_disposition_are_read() {
        let name = |v: &str| content_disposition_file_name(v.as_bytes());
        assert_eq!(
            name(r#"attachment; filename="a b.txt""#).as_deref(),
            Some("a b.txt")
        );
        assert_eq!(
            name(r#"attachment; filename="say \"hi\".txt""#).as_deref(),
            Some("say \"hi\".txt")
        );
        assert_eq!(
            name("attachment; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf").as_deref(),
            Some("naïve résumé.pdf")
        );
        assert_eq!(
            name("attachment; filename=\"fallback.pdf\"; filename*=utf-8''%E5%A0%B1%E5%91%8A.pdf")
                .as_deref(),
            Some("報告.pdf")
        );
        assert_eq!(
            name("attachment; filename=plain.txt").as_deref(),
            Some("plain.txt")
        );
        assert_eq!(
            name(r#"attachment; filename="a;b.txt""#).as_deref(),
            Some("a;b.txt")
        );
        assert_eq!(name("attachment"), None);
        assert_eq!(name("attachment; filename*=UTF-8''%ZZ"), None);
    }

    #[test]
    fn extended_file_names_need_whole_escapes_and_utf8() {
        let name = |v: &str| content_disposition_file_name(v.as_bytes());
        assert_eq!(
            name("attachment; filename*=utf-8''%c3%a9t%C3%A9%41.txt").as_deref(),
            Some("étéA.txt")
        );
        assert_eq!(name("attachment; filename*=UTF-8''a%4"), None);
        assert_eq!(name("attachment; filename*=UTF-8''a%"), None);
        assert_eq!(name("attachment; filename*=UTF-8''%FF.txt"), None);
        // An extended name that cannot be decoded falls back to the plain one.
        assert_eq!(
            name("attachment; filename=\"plain.txt\"; filename*=UTF-8''%E5%A0").as_deref(),
            Some("plain.txt")
        );
    }

    #[test]
    fn names_cannot_escape_the_target_directory() {
        for (given, expected) in [
            ("../../etc/passwd", Some("passwd")),
            ("..\\..\\windows\\system32\\x.dll", Some("x.dll")),
            ("/etc/shadow", Some("shadow")),
            ("..", None),
            (".", None),
            ("a/..", None),
            ("dir/", None),
            ("evil\r\nname.txt", Some("evilname.txt")),
            ("report.pdf", Some("report.pdf")),
        ] {
            assert_eq!(sanitize_file_name(given).as_deref(), expected, "{given:?}");
        }
        let long = "é".repeat(300);
        assert!(sanitize_file_name(&long).is_some_and(|n| n.len() <= 255));
    }
}
