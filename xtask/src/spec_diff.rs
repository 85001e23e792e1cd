//! `cargo xtask spec-diff [--spec PATH] [--version VERSION] OPENAPI_FILE`: what an OpenAPI
//! description of the API (JSON or YAML, such as Zoho's `v8.0/attachments.json`) says that
//! `spec/zoho-crm.yaml` does not, and the reverse, so a maintainer knows what to change in the
//! YAML before `cargo xtask gen`. The OpenAPI file describes one API version (`info.version`,
//! or `--version`); the spec is seen as it is in that version. Exits 0 when they agree, 1 when
//! they differ and 2 on bad usage or unreadable input.
//!
//! [`openapi`] and [`ours`] reduce each side to [`facts`]; [`compare`] diffs them into a
//! [`Report`]. All three are pure functions of parsed values. Paths match whether the OpenAPI
//! file writes them below a server URL (`https://zohoapis.{dc}/crm/{version}` and
//! `/{module}/{record}/photo`) or whole with the version in them (`/crm/v8/{module}/...`),
//! and whatever it names the path parameters.

pub mod compare;
pub mod facts;
pub mod openapi;
pub mod ours;
pub mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use zoho_crm_codegen::GenError;

pub use report::Report;

/// How the command is called.
pub const USAGE: &str = "cargo xtask spec-diff [--spec PATH] [--version VERSION] OPENAPI_FILE";

/// What to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The OpenAPI description (JSON when its name ends in `.json`, YAML otherwise).
    pub openapi: PathBuf,
    /// Our spec.
    pub spec: PathBuf,
    /// The API version to compare in, as given (`v8` or `8.0`); `info.version` when absent.
    pub version: Option<String>,
}

impl Options {
    /// Reads the arguments that follow `spec-diff`; `default_spec` is compared unless
    /// `--spec` names another file.
    pub fn parse(args: &[&str], default_spec: &Path) -> Result<Options, SpecDiffError> {
        let mut openapi = None;
        let mut spec = None;
        let mut version = None;
        let mut rest = args.iter();
        while let Some(&arg) = rest.next() {
            let (slot, value) = match arg {
                "--spec" | "--version" => {
                    let slot = if arg == "--spec" {
                        &mut spec
                    } else {
                        &mut version
                    };
                    let value = rest
                        .next()
                        .ok_or_else(|| SpecDiffError::Usage(format!("{arg} needs a value")))?;
                    (slot, *value)
                }
                option if option.starts_with('-') => {
                    return Err(SpecDiffError::Usage(format!("unknown option {option}")));
                }
                file => (&mut openapi, file),
            };
            if slot.replace(value.to_owned()).is_some() {
                let what = if arg.starts_with("--") {
                    arg
                } else {
                    "the OpenAPI file"
                };
                return Err(SpecDiffError::Usage(format!("{what} is given twice")));
            }
        }
        Ok(Options {
            openapi: openapi
                .map(PathBuf::from)
                .ok_or_else(|| SpecDiffError::Usage("no OpenAPI file given".to_owned()))?,
            spec: spec.map_or_else(|| default_spec.to_owned(), PathBuf::from),
            version,
        })
    }
}

/// Why `spec-diff` could not compare.
#[derive(Debug, thiserror::Error)]
pub enum SpecDiffError {
    /// The command line is wrong.
    #[error("{0}\nusage: {USAGE}")]
    Usage(String),
    /// The OpenAPI file could not be read.
    #[error("cannot read {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The OpenAPI file is not JSON or YAML.
    #[error("{} is not valid {format}: {message}", file.display())]
    Parse {
        /// The file.
        file: PathBuf,
        /// `JSON` or `YAML`.
        format: &'static str,
        /// The parser's message, with the line and column.
        message: String,
    },
    /// The OpenAPI file parses but cannot be read as an OpenAPI description.
    #[error("{}: {source}", file.display())]
    OpenApi {
        /// The file.
        file: PathBuf,
        /// What is wrong, and where.
        #[source]
        source: openapi::OpenApiError,
    },
    /// No version was given and the OpenAPI file does not say which it describes.
    #[error("{}: no `info.version` says which API version it describes; pass --version", file.display())]
    NoVersion {
        /// The OpenAPI file.
        file: PathBuf,
    },
    /// The version compared in is not one the spec knows.
    #[error(
        "API version {version} ({origin}) is not in the spec's versions ({known}); pass --version"
    )]
    UnknownVersion {
        /// The version, as the spec would write it.
        version: String,
        /// Where it came from.
        origin: String,
        /// The spec's versions.
        known: String,
    },
    /// The spec could not be loaded or is invalid.
    #[error(transparent)]
    Spec(#[from] GenError),
}

/// The outcome of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The spec version the OpenAPI description was compared with (e.g. `v8`).
    pub version: String,
    /// What differs.
    pub report: Report,
}

/// Runs the command with the arguments after `spec-diff`: prints the report and returns the
/// exit status (0 agree, 1 differ, 2 bad usage or input, with the reason on stderr).
pub fn command(args: &[&str], default_spec: &Path) -> ExitCode {
    let result = Options::parse(args, default_spec)
        .and_then(|options| run(&options).map(|comparison| (options, comparison)));
    match result {
        Ok((options, comparison)) => {
            println!(
                "{} ({}) vs {}",
                options.openapi.display(),
                comparison.version,
                options.spec.display()
            );
            print!("{}", comparison.report);
            if comparison.report.difference_count() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Loads both files and compares them.
pub fn run(options: &Options) -> Result<Comparison, SpecDiffError> {
    let doc = read_openapi(&options.openapi)?;
    let spec = zoho_crm_codegen::load::load_file(&options.spec)?;
    zoho_crm_codegen::validate(&options.spec, &spec).map_err(GenError::Spec)?;
    let (version, origin) = match &options.version {
        Some(given) => (facts::version_name(given), "from --version".to_owned()),
        None => {
            let info = openapi::info_version(&doc).ok_or_else(|| SpecDiffError::NoVersion {
                file: options.openapi.clone(),
            })?;
            (
                facts::version_name(info),
                format!("from info.version {info:?}"),
            )
        }
    };
    if !spec.api.versions.contains(&version) {
        return Err(SpecDiffError::UnknownVersion {
            version,
            origin,
            known: spec.api.versions.join(", "),
        });
    }
    let mut theirs = openapi::operations(&doc).map_err(|source| SpecDiffError::OpenApi {
        file: options.openapi.clone(),
        source,
    })?;
    for operation in &mut theirs {
        operation.shape = facts::version_as_placeholder(&operation.shape, &version);
    }
    let ours = ours::operations(&spec, &version);
    Ok(Comparison {
        report: compare::compare(&theirs, &ours),
        version,
    })
}

/// The largest OpenAPI file read (Zoho's attachments file is about 45 KB, its records file
/// about 110 KB).
pub const MAX_OPENAPI_BYTES: u64 = 16 * 1024 * 1024;

/// Reads an OpenAPI file: JSON when its name ends in `.json`, YAML otherwise. Only a regular
/// file of at most [`MAX_OPENAPI_BYTES`] is read (a FIFO would block, a device never end).
pub fn read_openapi(path: &Path) -> Result<Value, SpecDiffError> {
    let read_error = |source| SpecDiffError::Read {
        file: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if !meta.is_file() || meta.len() > MAX_OPENAPI_BYTES {
        return Err(read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "it is not a regular file of at most {MAX_OPENAPI_BYTES} bytes; give the path of an OpenAPI JSON or YAML file"
            ),
        )));
    }
    let text = std::fs::read_to_string(path).map_err(read_error)?;
    let is_json = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("json"));
    let parse_error = |format, message: String| SpecDiffError::Parse {
        file: path.to_owned(),
        format,
        message,
    };
    if is_json {
        serde_json::from_str(&text).map_err(|e| parse_error("JSON", e.to_string()))
    } else {
        serde_yaml::from_str(&text).map_err(|e| parse_error("YAML", e.to_string()))
    }
}
