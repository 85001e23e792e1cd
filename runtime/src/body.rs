//! A request body described rather than built, so that it can be built again for a retry: a
//! file part is reopened from its path (never held in memory), text parts are copied.

use crate::error::ValidationError;
use crate::file_source::{FileSource, UploadLimits};
use crate::multipart::MultipartBody;

/// The body of a request.
#[derive(Debug)]
pub struct RequestBody {
    parts: Vec<(&'static str, Part)>,
}

#[derive(Debug)]
enum Part {
    File {
        source: FileSource,
        limits: UploadLimits,
    },
    Text(String),
}

impl RequestBody {
    /// An empty multipart/form-data body.
    pub fn multipart() -> Self {
        RequestBody { parts: Vec::new() }
    }

    /// Adds a file field, checked against `limits` when the body is built.
    pub fn file(mut self, field: &'static str, source: FileSource, limits: UploadLimits) -> Self {
        self.parts.push((field, Part::File { source, limits }));
        self
    }

    /// Adds a text field (already validated by the caller).
    pub fn text(mut self, field: &'static str, value: impl Into<String>) -> Self {
        self.parts.push((field, Part::Text(value.into())));
        self
    }

    /// Whether no part was added.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Whether the body can be built more than once (no part is a one-shot reader).
    pub fn is_replayable(&self) -> bool {
        self.parts.iter().all(|(_, part)| match part {
            Part::File { source, .. } => source.is_replayable(),
            Part::Text(_) => true,
        })
    }

    /// Builds the body, checking and opening each file.
    pub async fn build(&self) -> Result<MultipartBody, ValidationError> {
        let mut body = MultipartBody::new();
        for (field, part) in &self.parts {
            body = match part {
                Part::File { source, limits } => body.file(field, source.open(limits).await?),
                Part::Text(value) => body.text(field, value.clone()),
            };
        }
        Ok(body)
    }
}
