//! `field-file list`: the files of one or more file-upload fields, one line each.

use serde::Serialize;

use crate::args::{FieldFileListArgs, Global};
use crate::commands::client_or_exit;
use crate::connect::Env;
use crate::exit::Exit;
use crate::output::{Output, table};
use crate::record_files::read_fields;

/// One file's line in JSON.
#[derive(Serialize)]
struct Line<'a> {
    field: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_id: Option<&'a str>,
}

/// Runs `field-file list`.
pub async fn run(global: &Global, env: &Env, output: &Output, args: FieldFileListArgs) -> Exit {
    let client = match client_or_exit(global, env, output, |b| b) {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let target = &args.target;
    let fields = match read_fields(&client, &target.module, &target.record, &args.fields).await {
        Ok(fields) => fields,
        Err(failure) => {
            output.fail("cannot list the field's files", &failure);
            return failure.exit();
        }
    };
    let mut rows = vec![
        ["FIELD", "NAME", "SIZE", "ENTRY_ID", "FILE_ID"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for files in &fields {
        for entry in &files.entries {
            output.json_line(&Line {
                field: &files.field,
                file_name: entry.file_name.as_deref(),
                size: entry.size,
                id: entry.id.as_deref(),
                file_id: entry.file_id.as_deref(),
            });
            let text = |value: Option<&str>| value.unwrap_or("-").to_owned();
            rows.push(vec![
                files.field.clone(),
                text(entry.file_name.as_deref()),
                entry
                    .size
                    .map_or_else(|| "-".to_owned(), |size| size.to_string()),
                text(entry.id.as_deref()),
                text(entry.file_id.as_deref()),
            ]);
        }
    }
    if rows.len() > 1 {
        for line in table(&rows) {
            output.text(line);
        }
    }
    let count = rows.len() - 1;
    output.note(format!(
        "{count} file(s) in {} field(s) of {} record {}",
        fields.len(),
        target.module.api_name(),
        target.record
    ));
    Exit::Success
}
