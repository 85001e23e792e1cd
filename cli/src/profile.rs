//! Profiles: named sets of settings in a TOML file in the platform's configuration directory
//! (`$XDG_CONFIG_HOME/zoho-crm/config.toml` or `~/.config/zoho-crm/config.toml` on Linux,
//! `~/Library/Application Support/zoho-crm/config.toml` on macOS, `%APPDATA%\zoho-crm\config.toml`
//! on Windows), so that someone who serves several organisations switches with `--profile`.
//!
//! ```toml
//! [profiles.acme]
//! dc = "eu"
//! environment = "production"
//! client_id = "1000.ABC"
//! api_version = "v8"
//! token_file = "/var/lib/acme/zoho-tokens.json"   # default: tokens-acme.json beside this file
//! max_credits_per_day = 5000                      # shared by this machine's runs
//! ```
//!
//! Secrets never go in this file: a client secret, refresh token or access token there is an
//! error that says where they belong. A profile's values come after the command-line options
//! and the `ZOHO_*` variables, and before the built-in defaults. Without `--profile` (or
//! `ZOHO_PROFILE`), the profile named `default` is used when there is one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::regular_file::{self, Refused};
use zoho_crm::{ApiVersion, DataCenter, Environment};

/// The folder of the CLI's files under the platform's configuration directory.
const FOLDER: &str = "zoho-crm";
/// The configuration file's name.
const FILE: &str = "config.toml";
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";
/// The most bytes a configuration file may have.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Keys that would hold a secret, and where the secret belongs instead.
const SECRET_KEYS: &[(&str, &str)] = &[
    ("client_secret", "ZOHO_CLIENT_SECRET or --client-secret"),
    (
        "refresh_token",
        "the token file (zoho-crm auth exchange writes it)",
    ),
    ("access_token", "ZOHO_ACCESS_TOKEN or --token"),
    ("token", "ZOHO_ACCESS_TOKEN or --token"),
];

/// One profile's settings; each may be absent.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The data centre.
    #[serde(default, deserialize_with = "parsed")]
    pub dc: Option<DataCenter>,
    /// The environment.
    #[serde(default, deserialize_with = "parsed")]
    pub environment: Option<Environment>,
    /// The OAuth client id.
    pub client_id: Option<String>,
    /// The API version.
    #[serde(default, deserialize_with = "parsed")]
    pub api_version: Option<ApiVersion>,
    /// The token file (relative paths are relative to the configuration file's folder).
    pub token_file: Option<PathBuf>,
    /// The most API credits this machine's runs may spend in any 24 hours (as
    /// `--max-credits-per-day`, which wins).
    pub max_credits_per_day: Option<u64>,
}

/// The configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profiles, by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// A profile in use: its name and settings, and its token file (the profile's, or the default
/// for its name).
#[derive(Clone, Debug, PartialEq)]
pub struct Selected {
    /// The profile's name.
    pub name: String,
    /// Its settings.
    pub profile: Profile,
    /// The token file it uses unless an option or variable names another.
    pub token_file: PathBuf,
}

/// Parses a value with its type's `FromStr` (data centres, environments and versions).
fn parsed<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text = String::deserialize(deserializer)?;
    text.parse().map(Some).map_err(serde::de::Error::custom)
}

/// The CLI's folder in the platform's configuration directory, if the platform has one.
pub fn folder() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join(FOLDER))
}

/// The configuration file's path in `folder`.
pub fn config_path(folder: &Path) -> PathBuf {
    folder.join(FILE)
}

/// The default token file: `tokens.json`, or `tokens-NAME.json` for profile NAME.
pub fn default_token_file(folder: &Path, profile: Option<&str>) -> PathBuf {
    match profile {
        None => folder.join("tokens.json"),
        Some(name) => folder.join(format!("tokens-{name}.json")),
    }
}

/// Reads the configuration file; a missing file is an empty configuration. Only a regular
/// file of at most 1 MiB is read, so a FIFO or a huge file cannot stall or swamp the program.
pub fn load(path: &Path) -> Result<Config, String> {
    let bytes = match regular_file::read(path, MAX_CONFIG_BYTES) {
        Ok(bytes) => bytes,
        Err(Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Config::default());
        }
        Err(Refused::Io(e)) => return Err(format!("cannot read {}: {e}", path.display())),
        Err(Refused::NotRegular) => {
            return Err(format!("{} is not a regular file", path.display()));
        }
        Err(Refused::TooBig(length)) => {
            return Err(format!(
                "{} is {length} bytes, over the {MAX_CONFIG_BYTES} a configuration file may have",
                path.display()
            ));
        }
    };
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses a configuration; a secret in it is refused with where it belongs.
pub fn parse(text: &str) -> Result<Config, String> {
    let value: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    if let Some(toml::Value::Table(profiles)) = value.get("profiles") {
        for (name, profile) in profiles {
            // The name becomes part of a file name (`tokens-NAME.json`): no separators.
            let plain = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !plain {
                return Err(format!(
                    "profile name {name:?} may hold only letters, digits, `-` and `_`"
                ));
            }
            for (key, home) in SECRET_KEYS {
                if profile.get(*key).is_some() {
                    return Err(format!(
                        "profile {name:?} holds `{key}`: secrets never go in the configuration file; give it through {home}"
                    ));
                }
            }
        }
    }
    toml::from_str(text).map_err(|e| e.to_string())
}

/// The profile to use: the one `requested` names (an unknown name is an error that lists the
/// known ones), else `default` if the file has it, else none.
pub fn select(
    config: &Config,
    requested: Option<&str>,
    folder: &Path,
) -> Result<Option<Selected>, String> {
    let name = match requested {
        Some(name) => name,
        None if config.profiles.contains_key(DEFAULT_PROFILE) => DEFAULT_PROFILE,
        None => return Ok(None),
    };
    let Some(profile) = config.profiles.get(name) else {
        let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
        return Err(format!(
            "no profile {name:?} in {} (known: {})",
            config_path(folder).display(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    };
    let token_file = match &profile.token_file {
        Some(path) => folder.join(path),
        None => default_token_file(folder, Some(name)),
    };
    Ok(Some(Selected {
        name: name.to_owned(),
        profile: profile.clone(),
        token_file,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: &str = r#"
[profiles.acme]
dc = "eu"
environment = "sandbox"
client_id = "1000.ABC"
api_version = "v8"
max_credits_per_day = 500

[profiles.default]
dc = "in"
token_file = "other.json"
"#;

    #[test]
    fn profiles_are_read_and_typed() {
        let Ok(config) = parse(ACME) else {
            panic!("the sample did not parse");
        };
        let acme = &config.profiles["acme"];
        assert_eq!(acme.dc, Some(DataCenter::Eu));
        assert_eq!(acme.environment, Some(Environment::Sandbox));
        assert_eq!(acme.client_id.as_deref(), Some("1000.ABC"));
        assert_eq!(acme.api_version, Some(ApiVersion::V8));
        assert_eq!(acme.max_credits_per_day, Some(500));
        let folder = Path::new("/c/zoho-crm");
        let Ok(Some(selected)) = select(&config, Some("acme"), folder) else {
            panic!("acme was not selected");
        };
        assert_eq!(selected.token_file, folder.join("tokens-acme.json"));
        let Ok(Some(default)) = select(&config, None, folder) else {
            panic!("the default profile was not selected");
        };
        assert_eq!(default.name, "default");
        assert_eq!(default.token_file, folder.join("other.json"));
    }

    #[test]
    fn secrets_unknown_keys_bad_values_and_unknown_profiles_are_refused() {
        let secret = parse("[profiles.a]\nclient_secret = \"s3cr3t\"\n");
        let Err(message) = secret else {
            panic!("a secret was accepted");
        };
        assert!(message.contains("ZOHO_CLIENT_SECRET"), "{message}");
        assert!(!message.contains("s3cr3t"), "{message}");
        assert!(parse("[profiles.a]\nregion = \"eu\"\n").is_err());
        assert!(parse("[profiles.a]\ndc = \"mars\"\n").is_err());
        assert!(parse("[profiles.a\n").is_err());
        for name in ["\"../x\"", "\"a/b\"", "\"\""] {
            let refused = parse(&format!("[profiles.{name}]\ndc = \"eu\"\n"));
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.contains("letters, digits")),
                "{name}: {refused:?}"
            );
        }
        let Ok(config) = parse(ACME) else {
            panic!("the sample did not parse");
        };
        let Err(message) = select(&config, Some("nope"), Path::new("/c")) else {
            panic!("an unknown profile was selected");
        };
        assert!(message.contains("acme, default"), "{message}");
        assert_eq!(select(&Config::default(), None, Path::new("/c")), Ok(None));
    }
}
