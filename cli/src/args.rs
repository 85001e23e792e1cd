//! The command line: global connection and output options, and one struct per subcommand
//! (clap derive). Values that can be checked without the network (module names, record ids,
//! data centres, API versions, concurrency) are checked here, so a bad one is a usage error
//! (exit code 2) before anything is sent.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use zoho_crm::limits;
use zoho_crm::{ApiVersion, DataCenter, Environment, HttpVersion, Module};

/// The fields `list` asks for unless `--fields` says otherwise (API v3 and later need some).
pub const DEFAULT_LIST_FIELDS: &str = "id,File_Name,Size,Created_Time,$type,$link_url";

/// Upload, list, download and delete Zoho CRM record attachments.
///
/// Credentials come from the ZOHO_* environment variables (ZOHO_ACCESS_TOKEN, or
/// ZOHO_REFRESH_TOKEN with ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET, or the refresh token a
/// `zoho-crm auth exchange` saved in the token file), with the options below taking
/// precedence; `--profile NAME` (or ZOHO_PROFILE) adds the data centre, environment, client id,
/// API version and token file of a profile in config.toml in the configuration folder
/// (~/.config/zoho-crm on Linux; no secrets there), below the variables and options:
/// `[profiles.acme]` then `dc = "eu"`, `client_id = "1000.X"`, `api_version = "v8"`. Exit codes: 0 success; 1 an API, auth or transport error; 2 bad input (nothing
/// was sent); 3 a run of several items finished with some failures; 4 the budget of
/// --max-credits or --max-credits-per-day is spent; 5 upload-many or download-many stopped
/// because the organisation's API credits are spent (Zoho refused every call for longer than
/// --patience); 6 they stopped because Zoho's concurrency cap refused every call for longer
/// than --patience (its code said a rate limit). After 4, 5 or 6, run the printed command later.
#[derive(Debug, Parser)]
#[command(name = "zoho-crm", version, about, long_about)]
pub struct Cli {
    /// Connection and output options, accepted before or after the subcommand.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, listed in each one's help after its own options.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The profile of the configuration file to use (see `zoho-crm config list`) [default:
    /// the profile named `default`, if there is one].
    #[arg(long, global = true, value_name = "NAME", env = "ZOHO_PROFILE")]
    pub profile: Option<String>,
    /// Data centre: us, eu, in, au, jp, cn, ca, sa or uk [env: ZOHO_DC; default: us].
    #[arg(long, global = true, value_name = "DC", value_parser = parse_data_center)]
    pub dc: Option<DataCenter>,
    /// Environment: production, sandbox or developer [env: ZOHO_ENVIRONMENT].
    #[arg(long, global = true, value_name = "ENV", value_parser = parse_environment)]
    pub environment: Option<Environment>,
    /// API base URL, replacing the data centre's [env: ZOHO_API_BASE].
    #[arg(long, global = true, value_name = "URL")]
    pub api_base: Option<String>,
    /// Accounts (OAuth) server URL, replacing the data centre's [env: ZOHO_ACCOUNTS_URL].
    #[arg(long, global = true, value_name = "URL")]
    pub accounts_url: Option<String>,
    /// API version: v2, v2.1, v3 ... v8 [default: v2].
    #[arg(long, global = true, value_name = "VERSION", value_parser = parse_version)]
    pub api_version: Option<ApiVersion>,
    /// A fixed OAuth access token, used instead of any credentials from the environment.
    #[arg(long, global = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The JSON token file that keeps refreshed tokens [env: ZOHO_TOKEN_FILE; default: the
    /// profile's, else tokens.json in the platform's configuration folder, e.g.
    /// ~/.config/zoho-crm/tokens.json].
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// OAuth client id, for refresh tokens and `auth exchange` [env: ZOHO_CLIENT_ID].
    #[arg(long, global = true, value_name = "ID")]
    pub client_id: Option<String>,
    /// OAuth client secret [env: ZOHO_CLIENT_SECRET; prefer the variable: options show in
    /// process lists].
    #[arg(long, global = true, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// Print one JSON object per result line on standard output.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress bars and no notes on standard error (results and errors still print).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Seconds to wait for a connection.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = limits::DEFAULT_CONNECT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub connect_timeout: u64,
    /// Seconds an attempt may wait, once its request is sent, for Zoho's whole answer (a
    /// download's headers).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = limits::DEFAULT_RESPONSE_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub response_timeout: u64,
    /// Seconds a whole call may take, its retries, uploads and downloads included: no call
    /// runs longer, whatever the server does. Transfers slower than 1 KiB/s for 30 s are
    /// aborted before that.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = limits::DEFAULT_TOTAL_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// The most pages `list --all` (or each listing of `download-many`) fetches (each one API
    /// call), to protect the organisation's API credits from a server that never says it is
    /// done.
    #[arg(long, global = true, value_name = "N", default_value_t = limits::DEFAULT_MAX_PAGES, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pages: u32,
    /// The most API credits this run may spend (every call, retries included, costs what the
    /// spec says, 1 for each call here): no call starts that would pass it, calls already
    /// sent finish, and the run stops with exit 4 (what is done is kept; run it again later).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_credits: Option<u64>,
    /// The most calls (retries included) this run starts in any one second, so that other
    /// integrations keep room (as rclone's --tpslimit).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate: Option<u32>,
    /// The bytes a second all uploads and downloads of this run share: 2M, 500K, 1.5M or plain
    /// bytes (K, M, G are powers of 1024), as rclone's --bwlimit.
    #[arg(long, global = true, value_name = "RATE", value_parser = crate::byte_rate::parse_byte_rate)]
    pub bwlimit: Option<u64>,
    /// The most API credits the runs on this machine may spend together in any 24 hours
    /// (also a profile setting, `max_credits_per_day`): each run reserves what is left in
    /// the ledger beside the token file when it starts and settles when it ends; with nothing
    /// left it exits 4 before sending anything. See `zoho-crm credits`.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_credits_per_day: Option<u64>,
    /// HTTP versions to offer Zoho: 1.1, 2 (HTTP/2 only) or auto (HTTP/2 when the server
    /// offers it in the TLS handshake, else 1.1).
    #[arg(long, global = true, value_name = "VERSION", default_value_t = HttpVersion::default(), value_parser = parse_http_version)]
    pub http_version: HttpVersion,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Attach files (or a link) to a record.
    Upload(UploadArgs),
    /// List a record's attachments.
    List(ListArgs),
    /// Download an attachment.
    Download(DownloadArgs),
    /// Delete one or several attachments of a record.
    Delete(DeleteArgs),
    /// Upload every file a CSV manifest names, resumably (a journal records what is done).
    UploadMany(UploadManyArgs),
    /// Set, download or delete a record's photo (Leads, Contacts, Accounts, Products, Vendors
    /// and custom modules; Deals take an upload only).
    #[command(subcommand)]
    Photo(PhotoCommand),
    /// Upload, list and download the files of a record's file-upload field.
    ///
    /// Files go to Zoho's file store first (at most 10 a call), then the record's field is
    /// updated with their ids in one call; the files the field holds already are kept unless
    /// `upload --replace`.
    #[command(subcommand)]
    FieldFile(FieldFileCommand),
    /// Download every attachment of the records a CSV manifest names, resumably.
    ///
    /// Each record's attachments are listed (every page) and each file is saved as
    /// DIR/<module>/<record_id>/<file name>: the server's name, made safe, and made unique
    /// within the record's directory (`name (2).ext`, `name (3).ext`...), the same name on
    /// every re-run. Links cannot be downloaded: each is written once to DIR/links.csv
    /// (`module,record_id,attachment_id,title,url`); DIR/index.csv lists every file saved
    /// (path, size, SHA-256, Zoho's name and times). A journal makes re-runs download only
    /// what is missing (and again a file missing or changed on disk); a file is never left
    /// partial under its final name. Exit codes: 0 all done, 2 bad manifest (nothing sent), 3
    /// some records or files failed, 4/5/6 out of calls (its own budget, Zoho's credits, Zoho's
    /// concurrency cap: run the printed command later), 130/143 stopped by a signal.
    DownloadMany(DownloadManyArgs),
    /// Check that Zoho holds the files of an upload manifest, or that a download-many export
    /// is whole and still what Zoho holds.
    ///
    /// One line per file, marked as rclone check --combined marks them: `=` the same on both
    /// sides; `-` Zoho lists it but the backup lacks it (--export: no index row, or the file is
    /// missing on disk), or the manifest's file is not on its record (--manifest); `+` the
    /// index has it but Zoho no longer lists it; `*` on disk but not as the index says (another
    /// size or SHA-256: truncated or changed); `?` not checked (a photo: Zoho gives it no name
    /// or size to compare); `!` its record could not be read. Then a summary (files and bytes
    /// hashed, calls made). Each record is listed once (every page, one call per 200
    /// attachments), under --max-credits. Exit codes: 0 all `=`, 2 bad input (no index, a bad
    /// manifest; nothing sent), 3 something differs or could not be read, 4 the budget of
    /// --max-credits refused a listing (5: Zoho said the day's credits are spent).
    Verify(VerifyArgs),
    /// Print the narrowest OAuth scopes that allow the given operations.
    Scopes(ScopesArgs),
    /// Exchange a grant code for tokens, or show the configured credentials.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Show the profiles of the configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Show what this machine's runs spent of the organisation's API credits: the last 24
    /// hours, and the last 7 days by command and by day (from the ledger; nothing is sent).
    Credits,
    /// Print a shell completion script, e.g. `zoho-crm completions bash > ~/.local/share/bash-completion/completions/zoho-crm`.
    Completions(CompletionsArgs),
    /// Write the man pages (zoho-crm.1 and one per subcommand) into a directory; `cargo xtask man` runs it.
    #[command(hide = true)]
    Man(ManArgs),
}

/// `config`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// List the profiles, the one in use marked, and where the file is.
    List,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The directory to write the pages into (made if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: std::path::PathBuf,
}

/// The record a command works on.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Module API name, e.g. Leads, Price_Books or a custom module's API name.
    #[arg(long, value_name = "MODULE", value_parser = parse_module)]
    pub module: Module,
    /// Record id (a positive integer).
    #[arg(long, value_name = "ID", value_parser = parse_record_id)]
    pub record: String,
}

/// `upload`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The record to attach to.
    #[command(flatten)]
    pub target: RecordArgs,
    /// Attach this link instead of files.
    #[arg(
        long,
        value_name = "LINK",
        conflicts_with = "files",
        required_unless_present = "files"
    )]
    pub url: Option<String>,
    /// The link's title (API v2.1 and later).
    #[arg(long, value_name = "TITLE", requires = "url")]
    pub title: Option<String>,
    /// The files to upload, each one result line; `-` reads standard input (give --name).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The file name to upload standard input (`-`) under.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Check everything and print what would be sent, but send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The record whose attachments to list.
    #[command(flatten)]
    pub target: RecordArgs,
    /// Page number, from 1.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub page: Option<i64>,
    /// Attachments per page, 1 to 200.
    #[arg(long, value_name = "N")]
    pub per_page: Option<i64>,
    /// Every attachment, following the pages to the end.
    #[arg(long)]
    pub all: bool,
    /// Fields to ask for, comma-separated.
    #[arg(long, value_name = "FIELDS", value_delimiter = ',', default_value = DEFAULT_LIST_FIELDS)]
    pub fields: Vec<String>,
}

/// `download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The record the attachment belongs to.
    #[command(flatten)]
    pub target: RecordArgs,
    /// The attachment id.
    #[arg(long, value_name = "AID")]
    pub id: String,
    /// A file to write (replaced if it exists, as `curl -o` does), a directory to save in
    /// under the server's file name (an existing file there is not replaced: the download is
    /// refused, unless --clobber or --skip-existing), or `-` for standard output.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "PATH_OR_DIR",
        default_value = "."
    )]
    pub output: PathBuf,
    /// With -o DIR: replace a file of the server's name already there (once the new one is
    /// complete).
    #[arg(long, conflicts_with = "skip_existing")]
    pub clobber: bool,
    /// Leave an existing file as it is and exit 0: with -o FILE, nothing is asked of Zoho;
    /// with -o DIR the call is made (only its answer names the file) but its body is not read.
    #[arg(long)]
    pub skip_existing: bool,
}

/// `delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The record the attachments belong to.
    #[command(flatten)]
    pub target: RecordArgs,
    /// Attachment ids (several: `--id A1 A2`, `--id A1,A2` or `--id A1 --id A2`).
    #[arg(long = "id", value_name = "AID", required = true, num_args = 1.., value_delimiter = ',', value_parser = parse_attachment_id)]
    pub ids: Vec<String>,
    /// Check everything and print what would be sent, but send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `photo` subcommands.
#[derive(Debug, Subcommand)]
pub enum PhotoCommand {
    /// Set the record's photo (replacing any it has): a PNG, JPEG, GIF or BMP image of at most
    /// 10 MB and 10 megapixels, checked before anything is sent.
    Upload(PhotoUploadArgs),
    /// Download the record's photo. A record without one is not an error: exit code 0, a
    /// note on standard error, and nothing written.
    Download(PhotoDownloadArgs),
    /// Delete the record's photo.
    Delete(PhotoDeleteArgs),
}

/// `photo upload`.
#[derive(Debug, Args)]
pub struct PhotoUploadArgs {
    /// The record whose photo to set.
    #[command(flatten)]
    pub target: RecordArgs,
    /// The image.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Check everything and print what would be sent, but send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `photo download`.
#[derive(Debug, Args)]
pub struct PhotoDownloadArgs {
    /// The record whose photo to download.
    #[command(flatten)]
    pub target: RecordArgs,
    /// A file to write (replaced if it exists, only once the download is complete), a
    /// directory to save in as `photo.<ext>` from the image's type (an existing file there is
    /// never replaced), or `-` for standard output.
    #[arg(short = 'o', long = "output", value_name = "PATH_OR_DIR")]
    pub output: PathBuf,
}

/// `photo delete`.
#[derive(Debug, Args)]
pub struct PhotoDeleteArgs {
    /// The record whose photo to delete.
    #[command(flatten)]
    pub target: RecordArgs,
    /// Check everything and print what would be sent, but send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `field-file` subcommands.
#[derive(Debug, Subcommand)]
pub enum FieldFileCommand {
    /// Add files to a file-upload field: every file is checked first (it exists, is a regular
    /// file of at most 20 MB) and the field is read (it must be a file-upload field of the
    /// module), then the files are stored and the field updated.
    Upload(FieldFileUploadArgs),
    /// List the files of one or more file-upload fields: name, size, entry id and file id.
    List(FieldFileListArgs),
    /// Download the files of a file-upload field (or one of them) into a directory, each
    /// under its own name made safe and unique (`name (2).ext`...); existing files are never
    /// replaced.
    Download(FieldFileDownloadArgs),
}

/// `field-file upload`.
#[derive(Debug, Args)]
pub struct FieldFileUploadArgs {
    /// The record whose field to add to.
    #[command(flatten)]
    pub target: RecordArgs,
    /// The field's API name.
    #[arg(long, value_name = "API_NAME", value_parser = parse_field)]
    pub field: String,
    /// The files to add.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Remove the files the field holds now, in the same update that adds the new ones.
    #[arg(long)]
    pub replace: bool,
    /// Check the files and the field and print what would be sent, but send nothing else
    /// (the field is still read).
    #[arg(long)]
    pub dry_run: bool,
}

/// `field-file list`.
#[derive(Debug, Args)]
pub struct FieldFileListArgs {
    /// The record whose fields to list.
    #[command(flatten)]
    pub target: RecordArgs,
    /// The fields' API names: required, since Zoho reads only the fields it is asked for
    /// (several: `--field A --field B` or `--field A,B`).
    #[arg(long = "field", value_name = "API_NAME", required = true, num_args = 1.., value_delimiter = ',', value_parser = parse_field)]
    pub fields: Vec<String>,
}

/// `field-file download`.
#[derive(Debug, Args)]
pub struct FieldFileDownloadArgs {
    /// The record that holds the field.
    #[command(flatten)]
    pub target: RecordArgs,
    /// The field's API name.
    #[arg(long, value_name = "API_NAME", value_parser = parse_field)]
    pub field: String,
    /// Only this entry of the field (its entry id, as `field-file list` shows it).
    #[arg(long, value_name = "ENTRY_ID", value_parser = parse_entry_id)]
    pub id: Option<String>,
    /// The directory to save into (made if missing).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
}

/// `verify`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["manifest", "export"])))]
pub struct VerifyArgs {
    /// An upload-many manifest: each attachment line must be an attachment of its record with
    /// the file's upload name and size (an attachment matches one line at most), each
    /// `field:` line a file of that name and size in the record's field.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "export")]
    pub manifest: Option<PathBuf>,
    /// A download-many output directory: its index.csv is compared with what Zoho lists for
    /// each record it names (by id), and each file on disk with the size and SHA-256 the index
    /// recorded (hashed streaming, a few files at once).
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,
    /// As upload-many's: accept manifest files outside the manifest's directory.
    #[arg(long, requires = "manifest")]
    pub allow_outside: bool,
    /// As upload-many's: each further line naming the same file for the same record is one
    /// more copy to find (without this, such lines are checked once, as upload-many uploads
    /// them once).
    #[arg(long, requires = "manifest")]
    pub allow_duplicates: bool,
}

/// `upload-many`.
#[derive(Debug, Args)]
pub struct UploadManyArgs {
    /// CSV file with the header `module,record_id,path` and optionally `title` (the name to
    /// upload the file under) and `target`: `attachment` (the default), `photo` (set the
    /// record's photo) or `field:<API name>` (add the file to a file-upload field, keeping its
    /// files); paths are relative to the manifest's directory, and the files
    /// must be inside it (symbolic links resolved) unless --allow-outside.
    #[arg(long, value_name = "FILE.csv")]
    pub manifest: PathBuf,
    /// Accept files outside the manifest's directory: absolute paths, `..` and symbolic links
    /// that lead out of it.
    #[arg(long)]
    pub allow_outside: bool,
    /// Upload a file again for each further line that names it for the same record (without
    /// this, such lines are reported as duplicates and the file is uploaded once).
    #[arg(long)]
    pub allow_duplicates: bool,
    /// Uploads in flight at most, 1 to 25 (lowered by itself while Zoho answers 429).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=25))]
    pub concurrency: u16,
    /// The journal of completed uploads [default: the manifest's path + `.journal`].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Upload the valid lines even if some are invalid (those count as failures).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Upload again the files whose earlier result is unknown (after checking that the
    /// record does not have them already).
    #[arg(long)]
    pub retry_unknown: bool,
    /// Before uploading, look at what Zoho holds and skip the lines already there (reported
    /// and journaled as `already_in_zoho`): an attachment line whose file name and size an
    /// attachment of its record has (each record listed once, one call per 200 attachments);
    /// a `field:` line whose name and size a file of that field has (each record read once);
    /// a `photo` line when the record has a photo (asked for with one photo download a
    /// record, the image not read; Zoho gives a photo no name or size to compare). These
    /// calls cost credits, count toward --max-credits and in the run's account.
    #[arg(long)]
    pub skip_existing: bool,
    /// With --skip-existing: set the photo of `photo` lines even when the record has one
    /// (the record's photo is then not asked for; without it, such lines are skipped when
    /// the record has a photo).
    #[arg(long, requires = "skip_existing")]
    pub replace: bool,
    /// Stop sending when Zoho has refused every call (HTTP 429) for this many seconds without
    /// a success: the day's API credits are spent (exit code 5), or, when Zoho's code says a
    /// rate limit, its concurrency cap is held by other integrations (exit code 6); the rest
    /// is left for a later run. Refusals that a success ends were the cap, and the run goes on.
    #[arg(long, value_name = "SECONDS", default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..))]
    pub patience: u64,
    /// Check the manifest, the files and the journal and print what would be uploaded, and
    /// an estimate of the calls, credits, bytes and time the run needs, but send nothing (and
    /// write no journal).
    #[arg(long)]
    pub dry_run: bool,
    /// The round trip per call that --dry-run's estimate of the time assumes, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 300)]
    pub assume_rtt: u64,
}

/// `download-many`.
#[derive(Debug, Args)]
pub struct DownloadManyArgs {
    /// CSV file with the header `module,record_id`, one record a line.
    #[arg(long, value_name = "FILE.csv")]
    pub manifest: PathBuf,
    /// The directory to save into (made if missing).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    /// Calls in flight at most, listings and downloads together, 1 to 25 (lowered by itself
    /// while Zoho answers 429).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=25))]
    pub concurrency: u16,
    /// The journal of completed downloads [default: DIR/.zoho-crm-export.journal].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Export the valid lines even if some are invalid (those count as failures).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Only attachments created or modified at or after this time: RFC 3339
    /// (2024-05-01T12:00:00Z) or a date (2024-05-01, midnight UTC).
    #[arg(long, value_name = "DATETIME", value_parser = parse_since)]
    pub since: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Stop calling when Zoho has refused every call (HTTP 429) for this many seconds without
    /// a success: the day's API credits are spent (exit code 5), or, when Zoho's code says a
    /// rate limit, its concurrency cap is held by other integrations (exit code 6); the rest
    /// is left for a later run. Refusals that a success ends were the cap, and the run goes on.
    #[arg(long, value_name = "SECONDS", default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..))]
    pub patience: u64,
    /// List the records and print what would be downloaded, with an estimate of the calls,
    /// credits, bytes and time the run needs, but download nothing and write nothing (no
    /// directory, journal, links file or index). The listings and record reads are spent.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: send nothing at all, and give what can be known without the listings
    /// (a lower bound of the calls and credits, and what the listings themselves cost).
    #[arg(long, requires = "dry_run")]
    pub no_listing: bool,
    /// The round trip per call that --dry-run's estimate of the time assumes, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 300)]
    pub assume_rtt: u64,
    /// What to export of each record, comma-separated, each at most once: `attachments`
    /// (to DIR/<module>/<record_id>/), `photo` (DIR/<module>/<record_id>/photo.<ext>) and
    /// `fields`, the files of the file-upload fields named with --field or --fields
    /// (DIR/<module>/<record_id>/fields/<field>/) [default: attachments,photo,fields].
    #[arg(long, value_name = "KINDS", value_delimiter = ',')]
    pub include: Vec<ExportKind>,
    /// A file-upload or image-upload field to export the files of, by API name (repeat for
    /// more); Zoho's field metadata is not read, so file fields are only those named.
    #[arg(long = "field", value_name = "API_NAME")]
    pub field: Vec<String>,
    /// File fields to export, comma-separated API names (added to --field).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Export only files (and links) whose name matches this glob (`*`, `?`, `[abc]`,
    /// `{a,b}`; case-sensitive), matched against Zoho's file name or a link's title; repeat
    /// for more (any one matching is enough). Items left out are counted as filtered_out and
    /// not journaled, so a later run without the filter exports them.
    #[arg(long, value_name = "GLOB")]
    pub include_name: Vec<String>,
    /// Leave out files (and links) whose name matches this glob; repeat for more. Wins over
    /// --include-name.
    #[arg(long, value_name = "GLOB")]
    pub exclude_name: Vec<String>,
    /// Leave out files smaller than this: bytes, or with K, M or G (powers of 1024), e.g.
    /// 500K. Applied where the size is known before the download (not to photos).
    #[arg(long, value_name = "SIZE", value_parser = crate::byte_rate::parse_byte_size)]
    pub min_size: Option<u64>,
    /// Leave out files larger than this (as --min-size).
    #[arg(long, value_name = "SIZE", value_parser = crate::byte_rate::parse_byte_size)]
    pub max_size: Option<u64>,
    /// Among attachments, export only files (`file`) or only links to links.csv (`link`);
    /// photos and field files are chosen with --include.
    #[arg(long = "type", value_name = "TYPE", value_enum)]
    pub r#type: Option<AttachmentType>,
    /// The name a new file takes in its folder [default: {name}]: fields {name} (Zoho's file
    /// name), {stem} and {ext} (before and after its last dot), {id}, {created} and
    /// {modified} (RFC 3339, or with a date format: {created:%Y-%m-%d}; `undated` when Zoho
    /// gives none); {{ and }} for braces. The result is made safe and unique like any name;
    /// a file the journal already named keeps its name, and a photo is photo.<ext>.
    #[arg(long, value_name = "TEMPLATE")]
    pub name_template: Option<String>,
}

/// What `download-many --type` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AttachmentType {
    /// Attachments that are files.
    File,
    /// Attachments that are links.
    Link,
}

/// What `download-many --include` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    /// Every attachment of the record (files, and links to links.csv).
    Attachments,
    /// The record's photo.
    Photo,
    /// The files of the file-upload fields named with --field or --fields.
    Fields,
}

/// `scopes`.
#[derive(Debug, Args)]
pub struct ScopesArgs {
    /// Operations, comma-separated.
    #[arg(long, value_name = "OPS", required = true, value_delimiter = ',')]
    pub ops: Vec<ScopeOp>,
    /// Modules (repeat, or comma-separated) [default: Leads].
    #[arg(long, value_name = "MODULE", value_delimiter = ',', value_parser = parse_module)]
    pub module: Vec<Module>,
}

/// The operations `scopes` knows by short name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScopeOp {
    /// Upload a file or a link.
    Upload,
    /// List attachments.
    List,
    /// Download an attachment.
    Download,
    /// Delete attachments.
    Delete,
    /// Set a record's photo (`photo upload`).
    PhotoUpload,
    /// Download a record's photo (`photo download`).
    PhotoDownload,
    /// Delete a record's photo (`photo delete`).
    PhotoDelete,
    /// Store files and put them in a file field (`field-file upload`).
    FieldUpload,
    /// Read a record's file fields and download their files (`field-file list`, `field-file
    /// download`).
    FieldDownload,
    /// Everything `download-many` does: attachments, photos and file fields.
    Backup,
}

/// `auth` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Exchange a grant code (Zoho API console, "Self Client") for a refresh token and an
    /// access token, saved in the token file (mode 0600).
    Exchange(ExchangeArgs),
    /// Show which credentials, data centre, URLs and token file are configured (never a
    /// secret), then try to obtain an access token.
    Status,
}

/// `auth exchange`.
#[derive(Debug, Args)]
pub struct ExchangeArgs {
    /// The single-use grant code.
    #[arg(long, value_name = "CODE")]
    pub code: String,
    /// The redirect URI registered for the client, if it has one.
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
}

fn parse_module(value: &str) -> Result<Module, String> {
    value.parse::<Module>().map_err(|e| e.to_string())
}

fn parse_record_id(value: &str) -> Result<String, String> {
    zoho_crm::check_record_id(value)
        .map(|()| value.to_owned())
        .map_err(|e| e.to_string())
}

fn parse_attachment_id(value: &str) -> Result<String, String> {
    zoho_crm::check_record_id(value)
        .map(|()| value.to_owned())
        .map_err(|_| format!("attachment id {value:?} is invalid: it must be a positive integer"))
}

/// `--since`: an RFC 3339 time, or a date meaning its midnight UTC.
fn parse_since(value: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(value) {
        return Ok(time);
    }
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc().fixed_offset())
        .ok_or_else(|| {
            format!(
                "{value:?} is neither an RFC 3339 time (2024-05-01T12:00:00Z) nor a date (2024-05-01)"
            )
        })
}

/// A field's API name: not empty, without commas, spaces or control characters.
fn parse_field(value: &str) -> Result<String, String> {
    if value.is_empty()
        || value
            .chars()
            .any(|c| c == ',' || c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "field {value:?} is not an API name: it must be non-empty, without commas, spaces or control characters"
        ));
    }
    Ok(value.to_owned())
}

fn parse_entry_id(value: &str) -> Result<String, String> {
    zoho_crm::check_record_id(value)
        .map(|()| value.to_owned())
        .map_err(|_| format!("entry id {value:?} is invalid: it must be a positive integer"))
}

fn parse_data_center(value: &str) -> Result<DataCenter, String> {
    value.parse::<DataCenter>().map_err(|e| e.to_string())
}

fn parse_environment(value: &str) -> Result<Environment, String> {
    value.parse::<Environment>().map_err(|e| e.to_string())
}

fn parse_version(value: &str) -> Result<ApiVersion, String> {
    value.parse::<ApiVersion>().map_err(|e| e.to_string())
}

fn parse_http_version(value: &str) -> Result<HttpVersion, String> {
    value.parse::<HttpVersion>().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_before_or_after_the_subcommand() {
        let parsed = Cli::try_parse_from([
            "zoho-crm", "--json", "list", "--module", "Leads", "--record", "1", "--dc", "eu",
        ]);
        assert!(
            matches!(&parsed, Ok(cli) if cli.global.json && cli.global.dc == Some(DataCenter::Eu)),
            "{parsed:?}"
        );
    }

    #[test]
    fn since_takes_a_time_or_a_date_at_midnight_utc() {
        assert_eq!(
            parse_since("2024-05-01").map(|t| t.to_rfc3339()),
            Ok("2024-05-01T00:00:00+00:00".to_owned())
        );
        assert_eq!(
            parse_since("2024-05-01T12:30:00+02:00").map(|t| t.timestamp()),
            Ok(1_714_559_400)
        );
        for bad in ["2024-13-01", "yesterday", "2024-05-01 12:00"] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_modules_and_record_ids_are_usage_errors() {
        for args in [
            ["zoho-crm", "list", "--module", "Le ads", "--record", "1"],
            ["zoho-crm", "list", "--module", "Leads", "--record", "x1"],
        ] {
            assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
        }
    }
}
