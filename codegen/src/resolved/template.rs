//! An operation's path template, parsed once: literal segments, the version placeholder, and
//! placeholders found among the operation's path parameters.

use crate::model::{Param, ParamIn};
use crate::vocabulary::VERSION_PLACEHOLDER;

/// One segment of a path template, as written between two `/`.
#[derive(Debug, PartialEq, Eq)]
pub enum TemplateSegment {
    /// Literal text (empty between two adjacent `/`).
    Literal(String),
    /// The version placeholder.
    Version,
    /// Another placeholder, with the index of the path parameter of that name, if any.
    Placeholder {
        /// The name between the braces.
        name: String,
        /// The index of the path parameter it names.
        param: Option<usize>,
    },
}

impl TemplateSegment {
    /// The name between the braces, for a placeholder.
    pub fn placeholder(&self) -> Option<&str> {
        match self {
            TemplateSegment::Literal(_) => None,
            TemplateSegment::Version => Some(VERSION_PLACEHOLDER),
            TemplateSegment::Placeholder { name, .. } => Some(name),
        }
    }
}

/// The segments of `path` after its leading `/`; `None` when it does not start with one.
pub fn parse(path: &str, params: &[Param]) -> Option<Vec<TemplateSegment>> {
    let segments = path.strip_prefix('/')?.split('/').map(|segment| {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(VERSION_PLACEHOLDER) => TemplateSegment::Version,
            Some(name) => TemplateSegment::Placeholder {
                name: name.to_owned(),
                param: params
                    .iter()
                    .position(|p| p.name == name && p.location == ParamIn::Path),
            },
            None => TemplateSegment::Literal(segment.to_owned()),
        }
    });
    Some(segments.collect())
}
