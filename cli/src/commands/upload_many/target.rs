//! Where an `upload-many` line's file goes, from the manifest's optional `target` column:
//! `attachment` (the default), `photo` (the record's photo) or `field:<API name>` (a
//! file-upload field, through the file store). Each target has the SDK's limits of its own
//! operation.

use zoho_crm::UploadLimits;
use zoho_crm::operations::{upload_attachment, upload_files, upload_photo};

/// Where a line's file goes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Target {
    /// An attachment of the record.
    #[default]
    Attachment,
    /// The record's photo.
    Photo,
    /// A file of the record's file-upload field with this API name.
    Field(String),
}

impl Target {
    /// The fields `targets` name, each once, sorted.
    pub(crate) fn fields_of<'a>(targets: impl Iterator<Item = &'a Target>) -> Vec<String> {
        let mut names: Vec<String> = targets
            .filter_map(|target| match target {
                Target::Field(field) => Some(field.clone()),
                _ => None,
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Reads a `target` cell; empty is an attachment.
    pub fn parse(cell: &str) -> Result<Self, String> {
        match cell.trim() {
            "" | "attachment" => Ok(Target::Attachment),
            "photo" => Ok(Target::Photo),
            other => match other.strip_prefix("field:") {
                Some(field)
                    if !field.is_empty()
                        && !field.chars().any(|c| c.is_whitespace() || c.is_control()) =>
                {
                    Ok(Target::Field(field.to_owned()))
                }
                _ => Err(format!(
                    "the target {other:?} is none of attachment, photo or field:<API name>"
                )),
            },
        }
    }

    /// The target as the journal and the results name it; `None` for an attachment, so the
    /// records of journals written before targets existed still match.
    pub fn label(&self) -> Option<String> {
        match self {
            Target::Attachment => None,
            Target::Photo => Some("photo".to_owned()),
            Target::Field(field) => Some(format!("field:{field}")),
        }
    }

    /// The limits of the operation that takes the file.
    pub fn limits(&self) -> &'static UploadLimits {
        match self {
            Target::Attachment => &upload_attachment::LIMITS,
            Target::Photo => &upload_photo::LIMITS,
            Target::Field(_) => &upload_files::LIMITS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_and_labelled() {
        assert_eq!(Target::parse(""), Ok(Target::Attachment));
        assert_eq!(Target::parse("attachment").map(|t| t.label()), Ok(None));
        assert_eq!(Target::parse("photo"), Ok(Target::Photo));
        let field = Target::parse("field:PO");
        assert_eq!(field, Ok(Target::Field("PO".to_owned())));
        assert_eq!(field.map(|t| t.label()), Ok(Some("field:PO".to_owned())));
        for bad in ["field:", "field:A B", "Photo", "attach"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
