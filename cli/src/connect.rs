//! Building the client: the profile's settings first (see [`crate::profile`]), then the
//! `ZOHO_*` variables (as `ClientBuilder::from_env` reads them), then the command-line options
//! on top (options win), plus the CLI's default token file in the platform's configuration
//! folder (`~/.config/zoho-crm/tokens.json` on Linux).

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use zoho_crm::EnvSettings;
use zoho_crm::{Client, ClientBuilder, ConfigError};

use crate::args::Global;
use crate::failure::Failure;
use crate::ledger::{Place, Session};
use crate::output::Output;
use crate::profile::{self, Selected};

/// What the process environment says: the `ZOHO_*` settings, the CLI's configuration folder
/// and the profile in use.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// The `ZOHO_*` variables.
    pub zoho: EnvSettings,
    /// The CLI's folder in the platform's configuration directory.
    pub folder: Option<PathBuf>,
    /// The profile in use, if any.
    pub profile: Option<Selected>,
    /// The run's ledger, which every client built here joins (see [`session`]).
    pub session: Session,
}

impl Env {
    /// Reads the process environment and the profile `--profile` (or `ZOHO_PROFILE`, or
    /// `default`) names; a configuration file that cannot be used, or an unknown profile, is
    /// an error.
    pub fn from_process(global: &Global) -> Result<Self, String> {
        let folder = profile::folder();
        let profile = match &folder {
            Some(folder) => {
                let config = profile::load(&profile::config_path(folder))?;
                profile::select(&config, global.profile.as_deref(), folder)?
            }
            None if global.profile.is_some() => {
                return Err("this platform has no configuration directory for profiles".into());
            }
            None => None,
        };
        Ok(Env {
            zoho: EnvSettings::from_env(),
            folder,
            profile,
            session: Session::default(),
        })
    }

    /// The profile's settings (all absent without a profile).
    fn profile_settings(&self) -> profile::Profile {
        self.profile
            .as_ref()
            .map(|selected| selected.profile.clone())
            .unwrap_or_default()
    }
}

/// Where a setting came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A command-line option.
    Option,
    /// A `ZOHO_*` variable.
    Variable,
    /// The profile in use.
    Profile,
    /// The built-in default.
    Default,
}

/// The token file to use and where its path came from: `--token-file`, `ZOHO_TOKEN_FILE`, the
/// profile's, or the default in the configuration folder (whether or not it exists).
pub fn token_file(global: &Global, env: &Env) -> Option<(PathBuf, Origin)> {
    if let Some(path) = &global.token_file {
        return Some((path.clone(), Origin::Option));
    }
    if let Some(path) = &env.zoho.token_file {
        return Some((path.clone(), Origin::Variable));
    }
    if let Some(selected) = &env.profile {
        return Some((selected.token_file.clone(), Origin::Profile));
    }
    env.folder
        .as_ref()
        .map(|folder| (profile::default_token_file(folder, None), Origin::Default))
}

/// The settings a client is built from: the environment's, with the options applied. A
/// default token file counts only if it exists; `--token` replaces every credential.
pub fn settings(global: &Global, env: &Env) -> EnvSettings {
    let mut settings = env.zoho.clone();
    let profile = env.profile_settings();
    settings.data_center = settings
        .data_center
        .or_else(|| profile.dc.map(|dc| dc.as_str().to_owned()));
    settings.environment = settings
        .environment
        .or_else(|| profile.environment.map(|e| e.as_str().to_owned()));
    settings.client_id = settings.client_id.or(profile.client_id);
    settings.token_file = match token_file(global, env) {
        Some((path, Origin::Default | Origin::Profile)) => path.is_file().then_some(path),
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
    if let Some(version) = global.api_version.or(env.profile_settings().api_version) {
        builder = builder.api_version(version);
    }
    if let Some(credits) = global.max_credits {
        builder = builder.max_credits(credits);
    }
    if let Some(calls) = global.rate {
        builder = builder.max_calls_per_second(calls);
    }
    if let Some(bytes) = global.bwlimit {
        builder = builder.max_bytes_per_second(bytes);
    }
    builder
        .connect_timeout(Duration::from_secs(global.connect_timeout))
        .response_timeout(Duration::from_secs(global.response_timeout))
        .total_timeout(Duration::from_secs(global.timeout))
        .max_pages(global.max_pages)
        .http_version(global.http_version)
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

/// Builds the client (`tune` sets what a command needs, e.g. concurrency), with the budget
/// the run's ledger allows, and adds it to the run's spend; a configuration that cannot work,
/// or a day's budget spent, is a failure with a hint.
pub fn client(
    global: &Global,
    env: &Env,
    tune: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<Client, Failure> {
    let mut builder = tune(builder(global, env));
    if let Some(credits) = env.session.budget(global.max_credits)? {
        builder = builder.max_credits(credits);
    }
    let client = build(builder, global, env)?;
    env.session.register(&client);
    Ok(client)
}

/// Builds a client that makes no API call (`auth status` only gets a token from the accounts
/// server): it reserves nothing of a day's budget and is not in the run's spend.
pub fn client_for_tokens(global: &Global, env: &Env) -> Result<Client, Failure> {
    build(builder(global, env), global, env)
}

/// Builds `builder`, a configuration that cannot work being a failure with a hint.
fn build(builder: ClientBuilder, global: &Global, env: &Env) -> Result<Client, Failure> {
    builder.build().map_err(|error| {
        let failure = Failure::config(&error);
        match error {
            ConfigError::MissingToken => failure.with_resolution(missing_token_hint(global, env)),
            _ => failure,
        }
    })
}

/// The ledger session of a run of `command`: its ledger beside the token file, one per
/// organisation (data centre, environment, URLs, and client id or else token file), and the
/// daily budget of `--max-credits-per-day` or the profile's `max_credits_per_day`.
pub fn session(global: &Global, env: &Env, command: &str, output: &Output) -> Session {
    let per_day = global
        .max_credits_per_day
        .or(env.profile_settings().max_credits_per_day);
    Session::new(ledger_place(global, env), per_day, command, output.clone())
}

/// Where the organisation's ledger is: beside the token file, named by a hash of what
/// identifies the organisation (no secret goes into it).
fn ledger_place(global: &Global, env: &Env) -> Option<Place> {
    let (token_file, _) = token_file(global, env)?;
    let folder = match token_file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let settings = settings(global, env);
    let dc = global
        .dc
        .map(|dc| dc.as_str().to_owned())
        .or(settings.data_center);
    let environment = global
        .environment
        .map(|e| e.as_str().to_owned())
        .or(settings.environment);
    let identity = match settings.client_id {
        Some(id) => format!("client={id}"),
        None => format!("token_file={}", token_file.display()),
    };
    let organisation = format!(
        "dc={};environment={};api_base={};accounts_url={};{identity}",
        dc.as_deref().unwrap_or("us"),
        environment.as_deref().unwrap_or("production"),
        global
            .api_base
            .clone()
            .or(settings.api_base)
            .unwrap_or_default(),
        global
            .accounts_url
            .clone()
            .or(settings.accounts_url)
            .unwrap_or_default(),
    );
    Some(Place::new(&folder, &organisation))
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
            ..Env::default()
        };
        // A client id alone is incomplete...
        assert!(client(&global(&[]), &env, |b| b).is_err());
        // ...but --token wins over it.
        assert!(client(&global(&["--token", "t"]), &env, |b| b).is_ok());
    }

    #[test]
    fn the_token_file_comes_from_the_option_the_variable_the_profile_or_the_config_folder() {
        let env = Env {
            zoho: EnvSettings::from_lookup(|name| {
                (name == "ZOHO_TOKEN_FILE").then(|| "/v/t.json".to_owned())
            }),
            folder: Some(PathBuf::from("/home/u/.config/zoho-crm")),
            ..Env::default()
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
            folder: Some(PathBuf::from("/home/u/.config/zoho-crm")),
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
        let with_profile = Env {
            profile: Some(Selected {
                name: "acme".into(),
                profile: profile::Profile {
                    dc: Some(zoho_crm::DataCenter::Eu),
                    client_id: Some("1000.P".into()),
                    ..profile::Profile::default()
                },
                token_file: PathBuf::from("/c/tokens-acme.json"),
            }),
            ..home_only
        };
        assert_eq!(
            token_file(&global(&[]), &with_profile),
            Some((PathBuf::from("/c/tokens-acme.json"), Origin::Profile))
        );
        let from_profile = settings(&global(&[]), &with_profile);
        assert_eq!(from_profile.data_center.as_deref(), Some("eu"));
        assert_eq!(from_profile.client_id.as_deref(), Some("1000.P"));
    }
}
