//! `--name-template`: the name a new file takes in its folder, from its fields: `{name}` (Zoho's
//! file name, the default), `{stem}` and `{ext}` (that name before and after its last dot),
//! `{id}`, and `{created}` / `{modified}` (RFC 3339, or `{created:%Y-%m-%d}` with any chrono
//! format; `undated` when Zoho gives no time); `{{` and `}}` are braces. What it gives is made
//! safe and unique like any name (see [`super::names`]); a photo keeps `photo.<ext>`.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset};

/// Written for a time Zoho does not give.
const UNDATED: &str = "undated";

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Name,
    Stem,
    Ext,
    Id,
    /// A time, with its chrono format (RFC 3339 when none).
    Created(Option<String>),
    Modified(Option<String>),
}

/// A parsed `--name-template`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct NameTemplate {
    pieces: Vec<Piece>,
}

/// What a file's name is made of.
#[derive(Clone, Copy, Debug)]
pub(super) struct NameFields<'a> {
    /// Zoho's file name (or the download's, or the fallback `attachment-ID`).
    pub(super) name: &'a str,
    /// The attachment's or file's id.
    pub(super) id: &'a str,
    /// When Zoho says it was created and last modified (RFC 3339), if it says.
    pub(super) created: Option<&'a str>,
    pub(super) modified: Option<&'a str>,
}

impl Default for NameTemplate {
    fn default() -> Self {
        NameTemplate {
            pieces: vec![Piece::Name],
        }
    }
}

impl NameTemplate {
    /// Parses `text`, or says what is wrong with it.
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("{{") {
                literal.push('{');
                rest = after;
            } else if let Some(after) = rest.strip_prefix("}}") {
                literal.push('}');
                rest = after;
            } else if c == '{' {
                let Some(end) = rest.find('}') else {
                    return Err(format!(
                        "--name-template {text:?}: a `{{` is not closed (write `{{{{` for a brace)"
                    ));
                };
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                pieces.push(field(&rest[1..end], text)?);
                rest = &rest[end + 1..];
            } else if c == '}' {
                return Err(format!(
                    "--name-template {text:?}: a `}}` closes nothing (write `}}}}` for a brace)"
                ));
            } else {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        if !pieces.iter().any(|piece| !matches!(piece, Piece::Text(_))) {
            return Err(format!(
                "--name-template {text:?} has no field, so every file would get the same name: use {{name}} or {{id}}"
            ));
        }
        Ok(NameTemplate { pieces })
    }

    /// The name for a file of these fields (not yet made safe or unique).
    pub(super) fn render(&self, fields: &NameFields<'_>) -> String {
        let (stem, ext) = match fields.name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem, ext),
            _ => (fields.name, ""),
        };
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Name => out.push_str(fields.name),
                Piece::Stem => out.push_str(stem),
                Piece::Ext => out.push_str(ext),
                Piece::Id => out.push_str(fields.id),
                Piece::Created(format) => out.push_str(&time(fields.created, format.as_deref())),
                Piece::Modified(format) => {
                    out.push_str(&time(fields.modified, format.as_deref()));
                }
            }
        }
        out
    }
}

/// The piece `{inner}` of `template`.
fn field(inner: &str, template: &str) -> Result<Piece, String> {
    let (key, format) = match inner.split_once(':') {
        Some((key, format)) => (key, Some(format)),
        None => (inner, None),
    };
    let checked = |format: Option<&str>| -> Result<Option<String>, String> {
        match format {
            None => Ok(None),
            Some(format)
                if format.is_empty()
                    || StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) =>
            {
                Err(format!(
                    "--name-template {template:?}: {format:?} is not a date format (e.g. %Y-%m-%d)"
                ))
            }
            Some(format) => Ok(Some(format.to_owned())),
        }
    };
    let no_format = |piece: Piece| match format {
        None => Ok(piece),
        Some(_) => Err(format!(
            "--name-template {template:?}: {{{key}}} takes no format (only created and modified do)"
        )),
    };
    match key {
        "name" => no_format(Piece::Name),
        "stem" => no_format(Piece::Stem),
        "ext" => no_format(Piece::Ext),
        "id" => no_format(Piece::Id),
        "created" => Ok(Piece::Created(checked(format)?)),
        "modified" => Ok(Piece::Modified(checked(format)?)),
        other => Err(format!(
            "--name-template {template:?}: unknown field {{{other}}}; the fields are name, stem, ext, id, created and modified"
        )),
    }
}

/// A time given as RFC 3339 in `format` (RFC 3339 when none), or `undated`.
fn time(value: Option<&str>, format: Option<&str>) -> String {
    let Some(parsed) =
        value.and_then(|value| DateTime::<FixedOffset>::parse_from_rfc3339(value).ok())
    else {
        return UNDATED.to_owned();
    };
    match format {
        Some(format) => parsed.format(format).to_string(),
        None => parsed.to_rfc3339(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> NameFields<'static> {
        NameFields {
            name: "report.final.pdf",
            id: "738964000002118002",
            created: Some("2024-05-01T12:30:00+02:00"),
            modified: None,
        }
    }

    fn render(template: &str) -> String {
        match NameTemplate::parse(template) {
            Ok(template) => template.render(&fields()),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn fields_are_filled_and_braces_escaped() {
        assert_eq!(render("{name}"), "report.final.pdf");
        assert_eq!(
            render("{created:%Y-%m-%d} {stem} ({id}).{ext}"),
            "2024-05-01 report.final (738964000002118002).pdf"
        );
        assert_eq!(render("{{{id}}}"), "{738964000002118002}");
        assert_eq!(render("{modified:%Y}-{name}"), "undated-report.final.pdf");
        assert_eq!(render("{created}"), "2024-05-01T12:30:00+02:00");
        assert_eq!(NameTemplate::parse("{name}"), Ok(NameTemplate::default()));
    }

    #[test]
    fn a_name_without_an_extension_has_an_empty_one() {
        let template = NameTemplate::parse("{stem}.{ext}").unwrap_or_default();
        let fields = NameFields {
            name: ".profile",
            ..fields()
        };
        assert_eq!(template.render(&fields), ".profile.");
    }

    #[test]
    fn bad_templates_say_what_is_wrong() {
        for (template, says) in [
            ("{nme}", "unknown field {nme}"),
            ("{name", "is not closed"),
            ("name}", "closes nothing"),
            ("fixed.txt", "has no field"),
            ("{id:%Y}", "takes no format"),
            ("{created:%Q}", "is not a date format"),
            ("{created:}", "is not a date format"),
        ] {
            match NameTemplate::parse(template) {
                Ok(parsed) => panic!("{template} parsed as {parsed:?}"),
                Err(e) => assert!(e.contains(says), "{template}: {e}"),
            }
        }
    }
}
