//! What `download-many` exports of each record, from `--include`, `--field` and `--fields`:
//! each kind at most once (all three when none is given), and file fields by API name, since
//! Zoho's field metadata is not read. Checked before anything is sent.

use crate::args::ExportKind;

/// The longest field API name taken.
const MAX_FIELD_NAME: usize = 100;

/// What to export of each record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Selection {
    /// Attachments (and links).
    pub(super) attachments: bool,
    /// The photo.
    pub(super) photo: bool,
    /// `fields` was included.
    pub(super) fields_included: bool,
    /// The file fields to export, each once, in the order given (empty: none).
    pub(super) fields: Vec<String>,
}

impl Selection {
    /// `fields` was included but no field named: the part is skipped, with a note.
    pub(super) fn fields_unnamed(&self) -> bool {
        self.fields_included && self.fields.is_empty()
    }

    /// The options that select the same again, for the command that resumes a run (empty
    /// for the default).
    pub(super) fn options(&self) -> String {
        let mut kinds = Vec::new();
        for (on, kind) in [
            (self.attachments, "attachments"),
            (self.photo, "photo"),
            (self.fields_included, "fields"),
        ] {
            if on {
                kinds.push(kind);
            }
        }
        let mut text = String::new();
        if kinds.len() < 3 {
            text.push_str(&format!(" --include {}", kinds.join(",")));
        }
        if !self.fields.is_empty() {
            text.push_str(&format!(" --fields {}", self.fields.join(",")));
        }
        text
    }
}

/// Whether `name` can be a field's API name: letters, digits and `_`, at most 100 bytes
/// (it names a folder, so nothing else is taken).
fn is_api_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_FIELD_NAME
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Checks the options; the error says what is wrong.
pub(super) fn select(
    include: &[ExportKind],
    field: &[String],
    fields: &[String],
) -> Result<Selection, String> {
    let mut selection = Selection::default();
    if include.is_empty() {
        selection.attachments = true;
        selection.photo = true;
        selection.fields_included = true;
    }
    for kind in include {
        let (flag, name) = match kind {
            ExportKind::Attachments => (&mut selection.attachments, "attachments"),
            ExportKind::Photo => (&mut selection.photo, "photo"),
            ExportKind::Fields => (&mut selection.fields_included, "fields"),
        };
        if *flag {
            return Err(format!(
                "--include names `{name}` twice; name each kind once"
            ));
        }
        *flag = true;
    }
    for name in field.iter().chain(fields) {
        let name = name.trim();
        if !is_api_name(name) {
            return Err(format!(
                "`{name}` is not a field API name (letters, digits and _, e.g. Contract_Files); give the API names of file-upload fields to --field or --fields"
            ));
        }
        if !selection.fields.iter().any(|known| known == name) {
            selection.fields.push(name.to_owned());
        }
    }
    if !selection.fields.is_empty() && !selection.fields_included {
        return Err(
            "--field and --fields name file fields, but --include leaves `fields` out; add it to --include"
                .to_owned(),
        );
    }
    Ok(selection)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn everything_by_default_each_kind_once_and_fields_by_api_name() {
        let all = select(&[], &[], &[]);
        assert_eq!(
            all.as_ref()
                .map(|s| (s.attachments, s.photo, s.fields_unnamed())),
            Ok((true, true, true))
        );
        assert_eq!(all.map(|s| s.options()), Ok(String::new()));
        let some = select(
            &[ExportKind::Photo, ExportKind::Fields],
            &names(&["Docs"]),
            &names(&["Scans", "Docs"]),
        );
        assert_eq!(
            some.as_ref().map(|s| (s.attachments, s.fields.clone())),
            Ok((false, names(&["Docs", "Scans"])))
        );
        assert_eq!(
            some.map(|s| s.options()),
            Ok(" --include photo,fields --fields Docs,Scans".to_owned())
        );
        let twice = select(&[ExportKind::Photo, ExportKind::Photo], &[], &[]);
        assert!(twice.is_err_and(|e| e.contains("`photo` twice")));
        let bad = select(&[], &names(&["../x"]), &[]);
        assert!(bad.is_err_and(|e| e.contains("not a field API name")));
        let left_out = select(&[ExportKind::Attachments], &names(&["Docs"]), &[]);
        assert!(left_out.is_err_and(|e| e.contains("leaves `fields` out")));
    }
}
