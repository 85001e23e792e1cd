//! `config list`: the profiles of the configuration file (see [`crate::profile`]), the one in
//! use marked. Nothing is sent, and the file holds no secret to hide.

use serde::Serialize;

use crate::connect::Env;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::Output;
use crate::profile;

/// One profile in JSON.
#[derive(Serialize)]
struct Line<'a> {
    name: &'a str,
    active: bool,
    dc: Option<&'static str>,
    environment: Option<&'static str>,
    client_id: Option<&'a str>,
    api_version: Option<&'static str>,
    token_file: String,
}

/// Runs `config list`.
pub fn list(env: &Env, output: &Output) -> Exit {
    let Some(folder) = &env.folder else {
        output.stderr("error: this platform has no configuration folder for profiles");
        return Exit::BadInput;
    };
    let path = profile::config_path(folder);
    let config = match profile::load(&path) {
        Ok(config) => config,
        Err(e) => {
            output.fail("the configuration cannot be used", &Failure::invalid(e));
            return Exit::BadInput;
        }
    };
    if config.profiles.is_empty() {
        output.note(format!(
            "no profiles: {} does not exist or has none (see `zoho-crm --help` for its form)",
            path.display()
        ));
    } else {
        output.note(format!("profiles in {}:", path.display()));
    }
    let active = env.profile.as_ref().map(|p| p.name.as_str());
    for name in config.profiles.keys() {
        let Ok(Some(selected)) = profile::select(&config, Some(name), folder) else {
            continue;
        };
        let p = &selected.profile;
        let line = Line {
            name,
            active: active == Some(name.as_str()),
            dc: p.dc.map(|dc| dc.as_str()),
            environment: p.environment.map(|e| e.as_str()),
            client_id: p.client_id.as_deref(),
            api_version: p.api_version.map(|v| v.as_str()),
            token_file: selected.token_file.display().to_string(),
        };
        output.text(format!(
            "{} {name}  dc {}  environment {}  client id {}  API version {}  token file {}",
            if line.active { "*" } else { " " },
            line.dc.unwrap_or("-"),
            line.environment.unwrap_or("-"),
            line.client_id.unwrap_or("-"),
            line.api_version.unwrap_or("-"),
            line.token_file,
        ));
        output.json_line(&line);
    }
    Exit::Success
}
