//! A request body described rather than built, so that it can be built again for a retry: a
//! file part is reopened from its path (never held in memory), text parts and JSON are copied.

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _, stream};

use crate::error::ValidationError;
use crate::file_source::{FileSource, UploadLimits};
use crate::multipart::MultipartBody;

/// The body of a request: a multipart form, or a JSON document.
#[derive(Debug)]
pub struct RequestBody(Described);

#[derive(Debug)]
enum Described {
    Form(Vec<(&'static str, Part)>),
    Json(Bytes),
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
        RequestBody(Described::Form(Vec::new()))
    }

    /// A JSON body holding `value`, serialised once.
    pub fn json(value: &serde_json::Value) -> Self {
        RequestBody(Described::Json(Bytes::from(value.to_string())))
    }

    /// Adds a file field, checked against `limits` when the body is built (a JSON body is
    /// left as it is).
    pub fn file(mut self, field: &'static str, source: FileSource, limits: UploadLimits) -> Self {
        if let Described::Form(parts) = &mut self.0 {
            parts.push((field, Part::File { source, limits }));
        }
        self
    }

    /// Adds a text field (already validated by the caller; a JSON body is left as it is).
    pub fn text(mut self, field: &'static str, value: impl Into<String>) -> Self {
        if let Described::Form(parts) = &mut self.0 {
            parts.push((field, Part::Text(value.into())));
        }
        self
    }

    /// Whether it is a form without parts.
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Described::Form(parts) if parts.is_empty())
    }

    /// Whether the body can be built more than once (no part is a one-shot reader).
    pub fn is_replayable(&self) -> bool {
        match &self.0 {
            Described::Form(parts) => parts.iter().all(|(_, part)| match part {
                Part::File { source, .. } => source.is_replayable(),
                Part::Text(_) => true,
            }),
            Described::Json(_) => true,
        }
    }

    /// Builds the body, checking and opening each file.
    pub async fn build(&self) -> Result<BuiltBody, ValidationError> {
        match &self.0 {
            Described::Form(parts) => {
                let mut body = MultipartBody::new();
                for (field, part) in parts {
                    body = match part {
                        Part::File { source, limits } => {
                            body.file(field, source.open(limits).await?)
                        }
                        Part::Text(value) => body.text(field, value.clone()),
                    };
                }
                Ok(BuiltBody::Multipart(body))
            }
            Described::Json(bytes) => Ok(BuiltBody::Json(bytes.clone())),
        }
    }
}

/// A body ready to send once: its files opened, its length known.
#[derive(Debug)]
pub enum BuiltBody {
    /// A multipart/form-data body.
    Multipart(MultipartBody),
    /// A JSON document.
    Json(Bytes),
}

impl BuiltBody {
    /// The Content-Type header value.
    pub fn content_type(&self) -> String {
        match self {
            BuiltBody::Multipart(body) => body.content_type(),
            BuiltBody::Json(_) => "application/json".to_owned(),
        }
    }

    /// Splits the body into its exact length and a stream of its bytes.
    pub(crate) fn into_stream(
        self,
    ) -> (
        u64,
        std::pin::Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
    ) {
        match self {
            BuiltBody::Multipart(body) => {
                let (length, stream) = body.into_stream();
                (length, stream.boxed())
            }
            BuiltBody::Json(bytes) => (
                bytes.len() as u64,
                stream::once(std::future::ready(Ok(bytes))).boxed(),
            ),
        }
    }
}
