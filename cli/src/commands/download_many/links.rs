//! `DIR/links.csv`: the attachments that are links (URLs, nothing to download), one CSV line
//! each (`module,record_id,attachment_id,title,url`, the header once). The ids already in the
//! file are read first, so a re-run adds no line twice; each line is written whole with one
//! write, and a line cut short by a crash is ended before the next is added.

use std::collections::HashSet;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::regular_file::{self, Refused};

/// The header of the file.
pub(super) const HEADER: [&str; 5] = ["module", "record_id", "attachment_id", "title", "url"];

/// A link to write.
#[derive(Clone, Debug)]
pub(super) struct Link {
    pub(super) module: String,
    pub(super) record_id: String,
    pub(super) id: String,
    pub(super) title: String,
    pub(super) url: String,
}

/// The links file, open for appending.
#[derive(Debug)]
pub(super) struct LinksFile {
    path: PathBuf,
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    file: std::fs::File,
    /// The attachment ids in the file.
    ids: HashSet<String>,
}

/// The ids of the links in the file at `path` (none when it does not exist). Only a regular
/// file is read (a FIFO there would block the run, and then its appends).
fn existing_ids(path: &Path) -> std::io::Result<HashSet<String>> {
    let file = match regular_file::open(path) {
        Ok((file, _)) => file,
        Err(Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(HashSet::new());
        }
        Err(Refused::Io(e)) => return Err(e),
        Err(Refused::NotRegular | Refused::TooBig(_)) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} is not a regular file (a directory, a FIFO or a device); move it away",
                    path.display()
                ),
            ));
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let column = reader
        .headers()
        .ok()
        .and_then(|header| header.iter().position(|name| name == HEADER[2]))
        .unwrap_or(2);
    // A line a crash cut short is not counted (its link is written again).
    Ok(reader
        .records()
        .filter_map(Result::ok)
        .filter(|record| record.len() >= HEADER.len())
        .filter_map(|record| record.get(column).map(str::to_owned))
        .filter(|id| !id.is_empty())
        .collect())
}

impl LinksFile {
    /// Opens (creating) the file at `path`, writing the header if it is empty.
    pub(super) fn open(path: &Path) -> std::io::Result<LinksFile> {
        let ids = existing_ids(path)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let length = file.metadata()?.len();
        if length == 0 {
            file.write_all(&csv_line(&HEADER)?)?;
        } else {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(length - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
            }
        }
        Ok(LinksFile {
            path: path.to_owned(),
            state: Arc::new(Mutex::new(State { file, ids })),
        })
    }

    /// Where the file is.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the links not in the file yet (on the blocking pool); returns those written.
    pub(super) async fn append(&self, links: Vec<Link>) -> std::io::Result<Vec<Link>> {
        let state = Arc::clone(&self.state);
        tokio::task::spawn_blocking(move || {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            let mut written = Vec::new();
            for link in links {
                if state.ids.contains(&link.id) {
                    continue;
                }
                let line = csv_line(&[
                    &link.module,
                    &link.record_id,
                    &link.id,
                    &link.title,
                    &link.url,
                ])?;
                state.file.write_all(&line)?;
                state.ids.insert(link.id.clone());
                written.push(link);
            }
            Ok(written)
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

/// One CSV line, quoted where needed, ended by `\n` (links.csv's and index.csv's).
pub(super) fn csv_line(fields: &[&str]) -> std::io::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(fields).map_err(std::io::Error::other)?;
    writer
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(id: &str, title: &str) -> Link {
        Link {
            module: "Leads".into(),
            record_id: "1".into(),
            id: id.into(),
            title: title.into(),
            url: "https://example.com/a?b=1,2".into(),
        }
    }

    #[tokio::test]
    async fn links_are_quoted_and_written_once_across_runs() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("links.csv");
        let first = match LinksFile::open(&path) {
            Ok(file) => file,
            Err(e) => panic!("{e}"),
        };
        let written = first
            .append(vec![link("5", "say \"hi\""), link("5", "again")])
            .await;
        assert_eq!(written.map(|w| w.len()).ok(), Some(1));
        drop(first);
        // A crash cut a line short.
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str("Leads,1,6,tit");
        assert!(std::fs::write(&path, &text).is_ok());
        let second = match LinksFile::open(&path) {
            Ok(file) => file,
            Err(e) => panic!("{e}"),
        };
        let written = second
            .append(vec![link("5", "x"), link("6", "tit"), link("7", "")])
            .await;
        assert_eq!(written.map(|w| w.len()).ok(), Some(2));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            "module,record_id,attachment_id,title,url\n\
             Leads,1,5,\"say \"\"hi\"\"\",\"https://example.com/a?b=1,2\"\n\
             Leads,1,6,tit\n\
             Leads,1,6,tit,\"https://example.com/a?b=1,2\"\n\
             Leads,1,7,,\"https://example.com/a?b=1,2\"\n"
        );
    }

    #[test]
    fn a_links_file_that_is_not_a_regular_file_is_refused_without_blocking() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("links.csv");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.is_ok_and(|status| status.success()), "mkfifo failed");
        let opened = LinksFile::open(&path);
        let Err(error) = opened else {
            panic!("a FIFO was opened as links.csv");
        };
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert!(
            error.to_string().contains("is not a regular file"),
            "{error}"
        );
    }
}
