//! Developer tasks behind `cargo xtask`. `gen` regenerates `generated/src` from the spec, or with
//! `check` compares without writing, in the manner of rust-analyzer's `ensure_file_contents`;
//! `demo` walks through the CLI against the loopback server; `bench` measures it against curl; `layers` fails on an import cycle between modules.

pub mod bench;
pub mod demo;
pub mod layers;

mod loopback;
pub use loopback::Build;
pub mod man;
mod measure;
pub mod spec_diff;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use zoho_crm_codegen::{GenError, GeneratedFile};

/// The spec, relative to the workspace root; also the name written in every preamble.
pub const SPEC: &str = "spec/zoho-crm.yaml";
/// Where generated sources go, relative to the workspace root.
pub const OUTPUT: &str = "generated/src";

/// Every (spec, output directory) pair `gen` keeps in step: the real crate, and a made-up API
/// whose crate is compiled by the workspace build and snapshotted by `--check`, to prove that
/// the generator holds nothing specific to Zoho's operations.
pub const TARGETS: &[(&str, &str)] = &[
    (SPEC, OUTPUT),
    (
        "codegen/tests/fixtures/good/made_up_api.yaml",
        "codegen/tests/made-up-api/src",
    ),
];

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A file under `generated/src` that does not match the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Generated, but different on disk.
    Changed(PathBuf),
    /// Generated, but absent on disk.
    Missing(PathBuf),
    /// On disk, but not generated from the spec any more.
    Extra(PathBuf),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Changed(p) => write!(f, "stale: {}", p.display()),
            Drift::Missing(p) => write!(f, "missing: {}", p.display()),
            Drift::Extra(p) => write!(f, "not generated from the spec: {}", p.display()),
        }
    }
}

/// Why `gen` failed.
#[derive(Debug, thiserror::Error)]
pub enum GenTaskError {
    /// The generator refused the spec.
    #[error(transparent)]
    Gen(#[from] GenError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> GenTaskError + '_ {
    move |source| GenTaskError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Generates every target of [`TARGETS`] under `root` and compares it with its output
/// directory. Writes the differences (and removes files no longer generated) unless `check` is
/// set. Returns the drift found before writing, with paths relative to `root`.
pub fn gen_crate(root: &Path, check: bool) -> Result<Vec<Drift>, GenTaskError> {
    let mut drift = Vec::new();
    for (spec, output) in TARGETS {
        let found = gen_target(root, spec, output, check)?;
        drift.extend(found.into_iter().map(|item| match item {
            Drift::Changed(p) => Drift::Changed(Path::new(output).join(p)),
            Drift::Missing(p) => Drift::Missing(Path::new(output).join(p)),
            Drift::Extra(p) => Drift::Extra(Path::new(output).join(p)),
        }));
    }
    Ok(drift)
}

fn gen_target(
    root: &Path,
    spec: &str,
    output: &str,
    check: bool,
) -> Result<Vec<Drift>, GenTaskError> {
    let files = zoho_crm_codegen::generate(&root.join(spec), spec)?;
    let output = root.join(output);
    let drift = compare(&output, &files)?;
    if !check {
        for item in &drift {
            match item {
                Drift::Changed(relative) | Drift::Missing(relative) => {
                    let path = output.join(relative);
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
                    }
                    let contents = files
                        .iter()
                        .find(|f| Path::new(&f.path) == relative)
                        .map(|f| f.contents.as_str())
                        .unwrap_or_default();
                    std::fs::write(&path, contents).map_err(io_error(&path))?;
                }
                Drift::Extra(relative) => {
                    let path = output.join(relative);
                    std::fs::remove_file(&path).map_err(io_error(&path))?;
                }
            }
        }
    }
    Ok(drift)
}

fn compare(output: &Path, files: &[GeneratedFile]) -> Result<Vec<Drift>, GenTaskError> {
    let mut drift = Vec::new();
    let mut expected = BTreeSet::new();
    for file in files {
        let relative = PathBuf::from(&file.path);
        let path = output.join(&relative);
        expected.insert(relative.clone());
        match std::fs::read_to_string(&path) {
            Ok(current) if current == file.contents => {}
            Ok(_) => drift.push(Drift::Changed(relative)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                drift.push(Drift::Missing(relative))
            }
            Err(e) => return Err(io_error(&path)(e)),
        }
    }
    for relative in files_below(output)? {
        if !expected.contains(&relative) {
            drift.push(Drift::Extra(relative));
        }
    }
    Ok(drift)
}

/// Every file below `dir`, relative to it, sorted.
fn files_below(dir: &Path) -> Result<BTreeSet<PathBuf>, GenTaskError> {
    let mut found = BTreeSet::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(&current)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error(&current))?;
            let path = entry.path();
            if entry.file_type().map_err(io_error(&path))?.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                found.insert(relative.to_owned());
            }
        }
    }
    Ok(found)
}
