//! Building the client: the `ZOHO_*` variables first (as `ClientBuilder::from_env` reads
//! them), then the command-line options on top (options win), plus the CLI's default token
//! file, `$HOME/.config/zoho-crm/tokens.json`.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use zoho_crm::EnvSettings;
use zoho_crm::{Client, ClientBuilder, ConfigError};

use crate::args::Global;
use crate::failure::Failure;

/// The token file under `$HOME` used when neither `--token-file` nor `ZOHO_TOKEN_FILE` names one.
pub const DEFAULT_TOKEN_FILE: &str = ".config/zoho-crm/tokens.json";

/// What the process environment says: the `ZOHO_*` settings and the home directory.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// The `ZOHO_*` variables.
    pub zoho: EnvSettings,
    /// `$HOME`.
    pub home: Option<PathBuf>,
}

impl Env {
    /// Reads the process environment.
    pub fn from_process() -> Self {
        Env {
            zoho: EnvSettings::from_env(),
            home: std::env::var_os("HOME")
                .filter(|home| !home.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Where a setting came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A command-line option.
    Option,
    /// A `ZOHO_*` variable.
    Variable,
    /// The built-in default.
    Default,
}

/// The token file to use and where its path came from: `--token-file`, `ZOHO_TOKEN_FILE`, or
/// the default under `$HOME` (whether or not it exists).
pub fn token_file(global: &Global, env: &Env) -> Option<(PathBuf, Origin)> {
    if let Some(path) = &global.token_file {
        return Some((path.clone(), Origin::Option));
    }
    if let Some(path) = &env.zoho.token_file {
        return Some((path.clone(), Origin::Variable));
    }
    env.home
        .as_ref()
        .map(|home| (home.join(DEFAULT_TOKEN_FILE), Origin::Default))
}

/// The settings a client is built from: the environment's, with the options applied. A
/// default token file counts only if it exists; `--token` replaces every credential.
pub fn settings(global: &Global, env: &Env) -> EnvSettings {
    let mut settings = env.zoho.clone();
    settings.token_file = match token_file(global, env) {
        Some((path, Origin::Default)) => path.is_file().then_some(path),
        Some((path, _)) => Some(path),
        None => None,
    };
    if let Some(id) = &global.client_id {
        settings.client_id = Some(id.clone());
    }
    if let Some(secret) = &global.client_secret {
        settings.client_secret = Some(SecretString::from(secret.clone()));
    }
    if global.token.is_some() {
        settings.client_id = None;
        settings.client_secret = None;
        settings.refresh_token = None;
        settings.access_token = None;
    }
    settings
}

/// A builder with the environment's settings and the options on top.
pub fn builder(global: &Global, env: &Env) -> ClientBuilder {
    let mut builder = Client::builder().env_settings(settings(global, env));
    if let Some(token) = &global.token {
        builder = builder.access_token(token);
    }
    builder = endpoints(builder, global);
    if let Some(version) = global.api_version {
        builder = builder.api_version(version);
    }
    builder
        .connect_timeout(Duration::from_secs(global.connect_timeout))
        .response_timeout(Duration::from_secs(global.response_timeout))
        .total_timeout(Duration::from_secs(global.timeout))
        .max_pages(global.max_pages)
}

/// Applies the data centre, environment and URL options.
pub fn endpoints(mut builder: ClientBuilder, global: &Global) -> ClientBuilder {
    if let Some(dc) = global.dc {
        builder = builder.data_center(dc);
    }
    if let Some(environment) = global.environment {
        builder = builder.environment(environment);
    }
    if let Some(url) = &global.api_base {
        builder = builder.base_url(url);
    }
    if let Some(url) = &global.accounts_url {
        builder = builder.accounts_url(url);
    }
    builder
}

/// Builds the client (`tune` sets what a command needs, e.g. concurrency); a configuration
/// that cannot work is a failure with a hint.
pub fn client(
    global: &Global,
    env: &Env,
    tune: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<Client, Failure> {
    tune(builder(global, env)).build().map_err(|error| {
        let failure = Failure::config(&error);
        match error {
            ConfigError::MissingToken => failure.with_resolution(missing_token_hint(global, env)),
            _ => failure,
        }
    })
}

fn missing_token_hint(global: &Global, env: &Env) -> String {
    match token_file(global, env) {
        Some((path, _)) if path.is_file() => format!(
            "the token file {} holds tokens: set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET (or --client-id and --client-secret) to use them",
            path.display()
        ),
        _ => "pass --token, set ZOHO_ACCESS_TOKEN, or set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET and run `zoho-crm auth exchange --code CODE` once".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn global(args: &[&str]) -> Global {
        let mut all = vec!["zoho-crm"];
        all.extend_from_slice(args);
        all.push("scopes");
        all.extend_from_slice(&["--ops", "list"]);
        match crate::args::Cli::try_parse_from(all) {
            Ok(cli) => cli.global,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_token_option_replaces_every_credential_from_the_environment() {
        let env = Env {
            zoho: EnvSettings::from_lookup(|name| {
                (name == "ZOHO_CLIENT_ID").then(|| "1000.ID".to_owned())
            }),
            home: None,
        };
        // A client id alone is incomplete...
        assert!(client(&global(&[]), &env, |b| b).is_err());
        // ...but --token wins over it.
        assert!(client(&global(&["--token", "t"]), &env, |b| b).is_ok());
    }

    #[test]
    fn the_token_file_comes_from_the_option_the_variable_or_home() {
        let env = Env {
            zoho: EnvSettings::from_lookup(|name| {
                (name == "ZOHO_TOKEN_FILE").then(|| "/v/t.json".to_owned())
            }),
            home: Some(PathBuf::from("/home/u")),
        };
        assert_eq!(
            token_file(&global(&["--token-file", "/o/t.json"]), &env),
            Some((PathBuf::from("/o/t.json"), Origin::Option))
        );
        assert_eq!(
            token_file(&global(&[]), &env),
            Some((PathBuf::from("/v/t.json"), Origin::Variable))
        );
        let home_only = Env {
            home: Some(PathBuf::from("/home/u")),
            ..Env::default()
        };
        assert_eq!(
            token_file(&global(&[]), &home_only),
            Some((
                PathBuf::from("/home/u/.config/zoho-crm/tokens.json"),
                Origin::Default
            ))
        );
        // A default file that does not exist is not used.
        assert!(settings(&global(&[]), &home_only).token_file.is_none());
    }
}
