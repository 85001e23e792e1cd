//! What the examples share: connection flags, building the client, printing results as JSON,
//! and printing typed errors with Zoho's resolution.

// Each example uses the part it needs.
#![allow(dead_code)]

use std::process::ExitCode;

use zoho_crm::{ApiVersion, Client, Error, Module, OperationError};

/// Where and as whom to connect, and which record.
#[derive(clap::Args)]
pub struct Target {
    /// API base URL (default: that of the data centre and environment).
    #[arg(long)]
    pub api_base: Option<String>,
    /// OAuth access token (default: from the ZOHO_* environment variables).
    #[arg(long)]
    pub token: Option<String>,
    /// API version, e.g. v2 or v8 (default: the client's).
    #[arg(long)]
    pub api_version: Option<ApiVersion>,
    /// Module API name, e.g. Leads, Price_Books or a custom module's API name.
    #[arg(long)]
    pub module: String,
    /// Record id.
    #[arg(long)]
    pub record: String,
}

/// A client and module from the flags, or the exit code for bad input.
pub fn connect(target: &Target) -> Result<(Client, Module), ExitCode> {
    let mut builder = Client::builder().from_env();
    if let Some(token) = &target.token {
        builder = builder.access_token(token);
    }
    if let Some(base) = &target.api_base {
        builder = builder.base_url(base);
    }
    if let Some(version) = &target.api_version {
        builder = builder.api_version(*version);
    }
    let client = builder.build().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let module = target.module.parse().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    Ok((client, module))
}

/// Runs `main`'s future on a single-threaded runtime.
pub fn run(future: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(future),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a value as pretty JSON.
pub fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: the response could not be printed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints an API error's code, status, message, details and resolution.
pub fn print_api_error(api: &impl OperationError) {
    let info = api.info();
    eprintln!("  code:       {}", info.code);
    eprintln!("  HTTP:       {}", info.status);
    eprintln!("  message:    {}", info.message);
    if !info.details.is_empty() {
        eprintln!(
            "  details:    {}",
            serde_json::Value::Object(info.details.clone())
        );
    }
    if let Some(resolution) = api.resolution() {
        eprintln!("  resolution: {resolution}");
    }
}

/// Prints a failed call; the exit code is 2 for bad input (nothing was sent), else 1.
pub fn report<E: OperationError>(what: &str, error: &Error<E>) -> ExitCode {
    match error {
        Error::Api(api) => {
            eprintln!("error: Zoho CRM refused to {what}");
            print_api_error(api);
            ExitCode::FAILURE
        }
        Error::Validation(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        // Zoho said SUCCESS: the call was carried out, so this is no failure to repeat.
        Error::UnreadableSuccess(e) => {
            eprintln!("warning: {what}: {e}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::FAILURE
        }
    }
}
