//! The URLs the server answers, matched before any other check but the token:
//!
//! - `/crm/{version}/{module}/{record_id}/Attachments[/{attachment_id}]` (attachments),
//! - `/crm/{version}/{module}/{record_id}/photo` (the record's photo),
//! - `/crm/{version}/{module}/{record_id}` (the record's file-upload fields),
//! - `/crm/{version}/{module}/{record_id}/actions/download_fields_attachment` (a field's file),
//! - `/crm/{version}/files` (the file store),
//!
//! with a version from [`crate::SUPPORTED_VERSIONS`] and non-empty segments; the module,
//! record id and attachment id are percent-decoded. Anything else is Zoho's
//! `INVALID_URL_PATTERN`; a method a route doesn't serve, its `INVALID_REQUEST_METHOD`.

use axum::http::Method;

use crate::operations::Record;
use crate::query::percent_decode;

/// What under a record a URL names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    /// The Attachments list, or one attachment.
    Attachments(Option<String>),
    /// The record's photo.
    Photo,
    /// The record itself.
    Record,
    /// `actions/download_fields_attachment`.
    FieldDownload,
}

/// A URL naming a record or something under it.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) version: String,
    pub(crate) module: String,
    pub(crate) record_id: String,
    pub(crate) resource: Resource,
}

impl Target {
    /// The URL's record.
    pub(crate) fn record(&self) -> Record<'_> {
        Record {
            version: &self.version,
            module: &self.module,
            record_id: &self.record_id,
        }
    }
}

/// A URL the server answers.
#[derive(Debug)]
pub(crate) enum Route {
    /// A record or something under it.
    Record(Target),
    /// The file store (the same in every version).
    Files,
}

impl Route {
    /// Whether the route serves `method`.
    pub(crate) fn allows(&self, method: &Method) -> bool {
        let allowed: &[Method] = match self {
            Self::Record(target) => match target.resource {
                Resource::Attachments(None) | Resource::Photo => {
                    &[Method::GET, Method::POST, Method::DELETE]
                }
                Resource::Attachments(Some(_)) => &[Method::GET, Method::DELETE],
                Resource::Record => &[Method::GET, Method::PUT],
                Resource::FieldDownload => &[Method::GET],
            },
            Self::Files => &[Method::GET, Method::POST],
        };
        allowed.contains(method)
    }
}

/// Matches a request path against the routes.
pub(crate) fn parse_path(path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/crm/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    let version = *segments.first()?;
    if !crate::SUPPORTED_VERSIONS.contains(&version) {
        return None;
    }
    let resource = match segments[1..] {
        ["files"] => return Some(Route::Files),
        [_, _] => Resource::Record,
        [_, _, "photo"] => Resource::Photo,
        [_, _, "Attachments"] => Resource::Attachments(None),
        [_, _, "Attachments", id] if !id.is_empty() => {
            Resource::Attachments(Some(percent_decode(id)))
        }
        [_, _, "actions", "download_fields_attachment"] => Resource::FieldDownload,
        _ => return None,
    };
    let (module, record_id) = (segments[1], segments[2]);
    if module.is_empty() || record_id.is_empty() {
        return None;
    }
    Some(Route::Record(Target {
        version: version.to_owned(),
        module: percent_decode(module),
        record_id: percent_decode(record_id),
        resource,
    }))
}

/// Whether a record id looks like a Zoho id: ASCII digits, not starting with 0.
pub(crate) fn is_valid_record_id(record_id: &str) -> bool {
    !record_id.is_empty()
        && !record_id.starts_with('0')
        && record_id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod unit {
    use super::*;

    fn target(path: &str) -> Option<Target> {
        match parse_path(path)? {
            Route::Record(target) => Some(target),
            Route::Files => None,
        }
    }

    #[test]
    fn paths() {
        let t = target("/crm/v2.1/Price_Books/123/Attachments");
        assert!(t.is_some_and(|t| t.version == "v2.1" && t.module == "Price_Books"));
        assert!(parse_path("/crm/v9/Leads/1/Attachments").is_none());
        assert!(parse_path("/crm/v2/Leads/1/Attachments/").is_none());
        assert!(parse_path("/crm/v2/Leads/1/attachments").is_none());
        assert!(parse_path("/crm/v2//1/Attachments").is_none());
        let item = target("/crm/v2/Leads/1/Attachments/5%36");
        assert!(item.is_some_and(|t| t.resource == Resource::Attachments(Some("56".into()))));
        assert!(parse_path("/crm/v2/Leads/1/Attachments/5/").is_none());
        assert!(parse_path("/crm/v2/Leads/1/Attachments/5/x").is_none());
        assert!(
            target("/crm/v2/Leads/1/Attachments")
                .is_some_and(|t| t.resource == Resource::Attachments(None))
        );
        assert!(target("/crm/v8/Leads/1/photo").is_some_and(|t| t.resource == Resource::Photo));
        assert!(parse_path("/crm/v8/Leads/1/Photo").is_none());
        assert!(target("/crm/v8/Leads/1").is_some_and(|t| t.resource == Resource::Record));
        assert!(parse_path("/crm/v8/Leads/1/").is_none());
        assert!(parse_path("/crm/v8/Leads").is_none());
        assert!(
            target("/crm/v7/Leads/1/actions/download_fields_attachment")
                .is_some_and(|t| t.resource == Resource::FieldDownload)
        );
        assert!(matches!(parse_path("/crm/v2/files"), Some(Route::Files)));
        assert!(parse_path("/crm/v8/files/").is_none());
        assert_eq!(crate::query::percent_decode("a%20b%zz%4"), "a b%zz%4");
        assert!(is_valid_record_id("1000000231009"));
        assert!(!is_valid_record_id("0123"));
        assert!(!is_valid_record_id("12a"));
        assert!(!is_valid_record_id("１２"));
    }
}
