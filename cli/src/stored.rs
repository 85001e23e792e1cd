//! What an upload call ended in, as the CLI reports it: stored (with the attachment's id when
//! Zoho's answer could be read), or failed. An answer that says SUCCESS but cannot be read is a
//! stored upload, never a failure: uploading it again would attach the file twice.

use zoho_crm::types::AttachmentDetails;
use zoho_crm::{ActionResponse, Error, OperationError};

/// An upload Zoho stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The new attachment's id, when Zoho's answer gave one.
    pub id: Option<String>,
    /// Why the answer could not be verified, when it could not be read whole.
    pub unverified: Option<String>,
}

impl Stored {
    /// The id as text for a result line (`?` when Zoho's answer gave none).
    pub fn id_text(&self) -> &str {
        self.id.as_deref().unwrap_or("?")
    }

    /// The word for the result: `ok`, or `stored-unverified` when the answer was unreadable.
    pub fn status(&self) -> &'static str {
        if self.unverified.is_some() {
            "stored-unverified"
        } else {
            "ok"
        }
    }
}

/// Splits an upload's result into stored or failed.
pub fn stored<E: OperationError>(
    result: Result<ActionResponse<AttachmentDetails>, Error<E>>,
) -> Result<Stored, Error<E>> {
    match result {
        Ok(response) => Ok(Stored {
            id: Some(response.details.id),
            unverified: None,
        }),
        Err(Error::UnreadableSuccess(unreadable)) => Ok(Stored {
            id: unreadable.id.clone(),
            unverified: Some(unreadable.to_string()),
        }),
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zoho_crm::UnreadableSuccess;
    use zoho_crm::operations::UploadAttachmentError;

    #[test]
    fn an_unreadable_success_is_stored_with_its_id() {
        let result: Result<_, Error<UploadAttachmentError>> = Err(Error::UnreadableSuccess(
            UnreadableSuccess::new(200, Some("42".into()), "unexpected shape"),
        ));
        let stored = stored(result).ok();
        assert_eq!(stored.as_ref().and_then(|s| s.id.as_deref()), Some("42"));
        assert_eq!(stored.map(|s| s.status()), Some("stored-unverified"));
    }

    #[test]
    fn other_errors_stay_errors() {
        let result: Result<_, Error<UploadAttachmentError>> = Err(Error::Transport {
            message: "reset".into(),
            may_have_been_processed: false,
            source: None,
        });
        assert!(stored(result).is_err());
    }
}
