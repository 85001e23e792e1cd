//! A record's file-upload fields, for the commands that read or change them: reading fields
//! into typed entries ([`read_fields`]), storing files in Zoho's file store in calls of as
//! many as it takes ([`store`]), and putting stored files into a field, keeping or removing
//! the entries it holds ([`attach`]). Zoho keeps the entries an update does not mention, so
//! keeping them means sending only the new ones; removing them means sending `_delete` for
//! each.

use zoho_crm::operations::{
    GetRecordRequest, UpdateRecordRequest, UploadFilesError, UploadFilesRequest, upload_files,
    upload_photo,
};
use zoho_crm::types::FileFieldValue;
use zoho_crm::{Client, Error, FileSource, JsonValue, Module};

use crate::failure::{Failure, Kind};

/// The files of one field, as the record holds them.
#[derive(Clone, Debug)]
pub struct FieldFiles {
    /// The field's API name.
    pub field: String,
    /// Its entries, oldest first (none when the field is empty).
    pub entries: Vec<FileFieldValue>,
}

/// Reads the fields `fields` of `module`'s record `record`, each a file-upload field. A field
/// the module does not have, or one whose value is not a list of files (nor empty), is bad
/// input ([`Kind::InvalidInput`]) naming the field.
pub async fn read_fields(
    client: &Client,
    module: &Module,
    record: &str,
    fields: &[String],
) -> Result<Vec<FieldFiles>, Failure> {
    let request = GetRecordRequest::new(module.clone(), record).fields(fields.iter().cloned());
    let page = match client.get_record(request).await {
        Ok(page) => page,
        Err(Error::Api(error)) if error.is_invalid_data() => {
            return Err(unknown_field(module, fields, &Failure::from_api(&error)));
        }
        Err(error) => return Err(Failure::from_call(&error)),
    };
    let Some(found) = page.data.into_iter().find(|found| found.id == record) else {
        return Err(Failure::new(
            Kind::Api,
            "NOT_FOUND",
            format!("Zoho's answer has no {} record {record}", module.api_name()),
        )
        .with_resolution("check the module and the record id"));
    };
    fields
        .iter()
        .map(|field| {
            let value = found.extra.get(field).unwrap_or(&JsonValue::Null);
            entries(field, value).map(|entries| FieldFiles {
                field: field.clone(),
                entries,
            })
        })
        .collect()
}

/// The failure for a field Zoho does not know.
fn unknown_field(module: &Module, fields: &[String], cause: &Failure) -> Failure {
    let which = match fields {
        [one] => format!("field {one:?} is"),
        _ => format!("one of the fields {} is", fields.join(", ")),
    };
    Failure::invalid(format!(
        "{which} not a field of {} (Zoho: {})",
        module.api_name(),
        cause.describe()
    ))
    .with_resolution("give the field's API name (Setup > Developer Hub > APIs > API names)")
}

/// A field's value as entries: a list of files, or null for an empty field.
fn entries(field: &str, value: &JsonValue) -> Result<Vec<FileFieldValue>, Failure> {
    let not_files = |what: String| {
        Failure::invalid(format!(
            "field {field:?} is not a file-upload field: {what}"
        ))
    };
    match value {
        JsonValue::Null => Ok(Vec::new()),
        JsonValue::Array(items) => items
            .iter()
            .map(|item| {
                serde_json::from_value::<FileFieldValue>(item.clone())
                    .map_err(|e| not_files(format!("an entry cannot be read ({e})")))
            })
            .collect(),
        other => Err(not_files(format!("its value is {other}"))),
    }
}

/// The most files one file-store call takes, from the operation's description (its one
/// bounded parameter is the file list).
pub fn files_per_call() -> usize {
    upload_files::OPERATION
        .params
        .iter()
        .find_map(|param| param.max)
        .and_then(|max| usize::try_from(max).ok())
        .filter(|max| *max > 0)
        .unwrap_or(1)
}

/// The extension a record's photo is saved with: its media type's (see
/// [`zoho_crm::Download::extension`]) when that is one of the image formats a photo may be
/// (the spec's, for `upload_photo`), `bin` otherwise, so that a server answering
/// `application/x-msdownload` cannot make the CLI save `photo.exe`.
pub fn photo_extension(extension: Option<&'static str>) -> &'static str {
    let Some(extension) = extension else {
        return "bin";
    };
    let formats = upload_photo::LIMITS
        .image
        .map_or(&[][..], |image| image.formats);
    let is_photo = formats.iter().any(|format| {
        let name = format.name();
        name.eq_ignore_ascii_case(extension) || (name == "JPEG" && extension == "jpg")
    });
    if is_photo { extension } else { "bin" }
}

/// Stores `files` in Zoho's file store, [`files_per_call`] a call, and gives each file's
/// file-store id or why it has none, in the order given. A call that fails fails each file
/// it carried; a file its answer says nothing of may have been stored.
pub async fn store(
    client: &Client,
    files: Vec<FileSource>,
    mut progress: impl FnMut(usize),
) -> Vec<Result<String, Failure>> {
    let mut results = Vec::with_capacity(files.len());
    let mut files = files.into_iter().peekable();
    while files.peek().is_some() {
        let batch: Vec<FileSource> = files.by_ref().take(files_per_call()).collect();
        let count = batch.len();
        match client.upload_files(UploadFilesRequest::new(batch)).await {
            Ok(answers) => {
                let mut answers = answers.into_iter();
                for _ in 0..count {
                    results.push(match answers.next() {
                        Some(Ok(stored)) => Ok(stored.details.id),
                        Some(Err(error)) => Err(Failure::from_api(&error)),
                        None => Err(no_result()),
                    });
                }
            }
            Err(error) => {
                let failure = Failure::from_call::<UploadFilesError>(&error);
                results.extend((0..count).map(|_| Err(failure.clone())));
            }
        }
        progress(results.len());
    }
    results
}

/// A file the file store's answer says nothing of.
fn no_result() -> Failure {
    Failure {
        may_have_been_processed: true,
        ..Failure::new(
            Kind::Decode,
            "NO_RESULT",
            "the file store's answer has no result for this file",
        )
    }
}

/// The update that adds the file-store files `file_ids` to `field` and removes the entries
/// `remove` (by their entry ids): `[{field: [entries]}]`.
pub fn update_data(field: &str, file_ids: &[String], remove: &[FileFieldValue]) -> JsonValue {
    let added = file_ids.iter().map(|id| {
        let mut entry = FileFieldValue::default();
        entry.file_id = Some(id.clone());
        entry
    });
    let removed = remove.iter().filter_map(|old| {
        let mut entry = FileFieldValue::default();
        entry.id = Some(old.id.clone()?);
        entry.delete = Some(JsonValue::Null);
        Some(entry)
    });
    let entries: Vec<JsonValue> = added
        .chain(removed)
        .filter_map(|entry| serde_json::to_value(entry).ok())
        .collect();
    let mut object = serde_json::Map::new();
    object.insert(field.to_owned(), JsonValue::Array(entries));
    JsonValue::Array(vec![JsonValue::Object(object)])
}

/// Puts the file-store files `file_ids` into `module`'s record `record`'s field `field` in one
/// update, removing the entries `remove` (the field's other entries are kept). An answer that
/// says SUCCESS but cannot be read is a success.
pub async fn attach(
    client: &Client,
    module: &Module,
    record: &str,
    field: &str,
    file_ids: &[String],
    remove: &[FileFieldValue],
) -> Result<(), Failure> {
    let data = update_data(field, file_ids, remove);
    let request = UpdateRecordRequest::new(module.clone(), record, data);
    match client.update_record(request).await {
        Ok(_) | Err(Error::UnreadableSuccess(_)) => Ok(()),
        Err(error) => Err(Failure::from_call(&error)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_photo_is_saved_under_an_image_extension_whatever_the_server_says() {
        for (given, saved) in [
            (Some("png"), "png"),
            (Some("jpg"), "jpg"),
            (Some("gif"), "gif"),
            (Some("bmp"), "bmp"),
            (Some("exe"), "bin"),
            (Some("sh"), "bin"),
            (Some("svg"), "bin"),
            (None, "bin"),
        ] {
            assert_eq!(photo_extension(given), saved, "{given:?}");
        }
    }

    use super::*;

    #[test]
    fn an_update_adds_by_file_id_and_removes_by_entry_id() {
        let mut old = FileFieldValue::default();
        old.id = Some("7".to_owned());
        old.file_name = Some("old.pdf".to_owned());
        let data = update_data("PO", &["f1".to_owned()], &[old]);
        assert_eq!(
            data,
            serde_json::json!([{"PO": [{"File_Id__s": "f1"}, {"id": "7", "_delete": null}]}])
        );
    }

    #[test]
    fn a_field_is_a_list_of_files_or_null() {
        let list = serde_json::json!([{"id": "5", "File_Name__s": "a.txt", "Size__s": "3"}]);
        let read = entries("PO", &list).ok().unwrap_or_default();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].size, Some(3));
        assert!(entries("PO", &JsonValue::Null).is_ok_and(|e| e.is_empty()));
        let text = entries("Company", &serde_json::json!("Acme"));
        assert!(text.is_err_and(|f| f.kind == Kind::InvalidInput && f.message.contains("Company")));
    }

    #[test]
    fn the_file_store_takes_ten_files_a_call() {
        assert_eq!(files_per_call(), 10);
    }
}
