//! The command that shows whether an upload (or a deletion) of unknown result happened: `zoho-crm
//! list` of the record, with the global options of this run that say where the record is and
//! how to reach it. Secrets (`--token`, `--client-secret`) are left out: they are given again
//! the way they were given (options, variables or the token file).

use std::fmt::Write as _;

use crate::args::Global;

/// Builds `zoho-crm list` commands for records, with this run's global options.
#[derive(Clone, Debug)]
pub struct Recheck {
    /// The global options to repeat, ready to append (each with a leading space).
    options: String,
}

impl Recheck {
    /// Keeps the options of `global` that select the server, the API version and the
    /// non-secret credentials.
    pub fn new(global: &Global) -> Self {
        let mut options = String::new();
        let mut add = |name: &str, value: &str| {
            let _ = write!(options, " --{name} {}", quote(value));
        };
        if let Some(profile) = &global.profile {
            add("profile", profile);
        }
        if let Some(dc) = global.dc {
            add("dc", dc.as_str());
        }
        if let Some(environment) = global.environment {
            add("environment", environment.as_str());
        }
        if let Some(url) = &global.api_base {
            add("api-base", url);
        }
        if let Some(url) = &global.accounts_url {
            add("accounts-url", url);
        }
        if let Some(version) = global.api_version {
            add("api-version", version.as_str());
        }
        if let Some(path) = &global.token_file {
            add("token-file", &path.to_string_lossy());
        }
        if let Some(id) = &global.client_id {
            add("client-id", id);
        }
        Recheck { options }
    }

    /// `zoho-crm upload-many --manifest M --journal J` plus the kept options: how to resume a
    /// run.
    pub fn upload_many(&self, manifest: &std::path::Path, journal: &std::path::Path) -> String {
        format!(
            "zoho-crm upload-many --manifest {} --journal {}{}",
            quote(&manifest.to_string_lossy()),
            quote(&journal.to_string_lossy()),
            self.options
        )
    }

    /// `zoho-crm download-many --manifest M --output DIR --journal J` plus the kept options:
    /// how to resume an export.
    pub fn download_many(
        &self,
        manifest: &std::path::Path,
        output: &std::path::Path,
        journal: &std::path::Path,
    ) -> String {
        format!(
            "zoho-crm download-many --manifest {} --output {} --journal {}{}",
            quote(&manifest.to_string_lossy()),
            quote(&output.to_string_lossy()),
            quote(&journal.to_string_lossy()),
            self.options
        )
    }

    /// `zoho-crm list --module M --record ID` plus the kept options.
    pub fn list(&self, module: &str, record: &str) -> String {
        format!(
            "zoho-crm list --module {} --record {}{}",
            quote(module),
            quote(record),
            self.options
        )
    }
}

/// `value` as one shell word: as it is when it holds only characters no shell treats
/// specially, else in single quotes.
pub(crate) fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn global(args: &[&str]) -> Global {
        let mut all = vec!["zoho-crm"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["scopes", "--ops", "list"]);
        match crate::args::Cli::try_parse_from(all) {
            Ok(cli) => cli.global,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_command_keeps_where_and_how_but_no_secret() {
        let recheck = Recheck::new(&global(&[
            "--dc",
            "eu",
            "--api-version",
            "v2.1",
            "--token",
            "secret-token",
            "--client-secret",
            "secret-2",
            "--token-file",
            "/home/a b/t.json",
        ]));
        assert_eq!(
            recheck.list("Leads", "123"),
            "zoho-crm list --module Leads --record 123 --dc eu --api-version v2.1 --token-file '/home/a b/t.json'"
        );
    }

    #[test]
    fn words_with_special_characters_are_quoted() {
        assert_eq!(quote("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
