//! The token file's JSON: writing a token set, and reading whatever a file holds into a token set
//! or into the reason it is not one. A reason never quotes the file, which may hold secrets: it
//! names fields, JSON types and positions only.

use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Map, Value};

use super::StoredToken;
use crate::token::AccessToken;

/// The most bytes a token file may hold. A real one holds a few hundred.
pub(super) const MAX_BYTES: u64 = 64 * 1024;

/// The file's shape, as written.
#[derive(serde::Serialize)]
struct TokenFile<'a> {
    access_token: &'a str,
    expires_at_unix: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
}

/// The file's contents for `token`. An expiry before 1970 is written as 0 (long expired).
pub(super) fn encode(token: &StoredToken) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec_pretty(&TokenFile {
        access_token: token.access_token.expose(),
        expires_at_unix: token
            .expires_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        api_domain: token.api_domain.as_deref(),
        refresh_token: token.refresh_token.as_ref().map(|t| t.expose_secret()),
    })
}

/// The token set in `bytes`, or why they are not one (a reason to follow "it is not a token
/// file: "). Unknown fields are ignored.
pub(super) fn decode(bytes: &[u8]) -> Result<StoredToken, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("it is empty".to_owned());
    }
    // serde_json's messages for values of the wrong type quote the value; parsing into a `Value`
    // can fail only on syntax, and even then only the position is reported.
    let value: Value = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Eof => format!(
            "its JSON stops short at line {}, column {} (the file was cut off)",
            e.line(),
            e.column()
        ),
        _ => format!(
            "it is not valid JSON (the first error is at line {}, column {})",
            e.line(),
            e.column()
        ),
    })?;
    let Value::Object(fields) = value else {
        return Err(format!(
            "it holds {} where a JSON object was expected",
            type_name(&value)
        ));
    };
    let access_token = match fields.get("access_token") {
        Some(Value::String(token)) => AccessToken::new(token.as_str())
            .map_err(|e| format!("its `access_token` cannot be used ({e})"))?,
        other => return Err(wrong_field("access_token", other, "a string")),
    };
    let expires_at = match fields.get("expires_at_unix") {
        Some(Value::Number(n)) => match n.as_u64() {
            Some(secs) => SystemTime::UNIX_EPOCH
                .checked_add(Duration::from_secs(secs))
                .ok_or_else(|| "its `expires_at_unix` lies too far in the future".to_owned())?,
            None => {
                return Err(
                    "its `expires_at_unix` is not a whole number of seconds since 1970".to_owned(),
                );
            }
        },
        other => return Err(wrong_field("expires_at_unix", other, "a number")),
    };
    Ok(StoredToken {
        access_token,
        expires_at,
        api_domain: optional_string(&fields, "api_domain")?,
        refresh_token: optional_string(&fields, "refresh_token")?.map(SecretString::from),
    })
}

/// The string in field `name`, if it is there and not null.
fn optional_string(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        other => Err(wrong_field(name, other, "a string")),
    }
}

/// Why field `name`, holding `found`, is not `expected`.
fn wrong_field(name: &str, found: Option<&Value>, expected: &str) -> String {
    match found {
        None => format!("its `{name}` field is missing"),
        Some(value) => format!("its `{name}` is {}, not {expected}", type_name(value)),
    }
}

/// The JSON type of `value`, with its article.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "1000.s3cr3t";

    fn reason(text: &str) -> String {
        match decode(text.as_bytes()) {
            Ok(_) => panic!("{text:?} was read as a token set"),
            Err(reason) => reason,
        }
    }

    #[test]
    fn a_written_token_set_reads_back() {
        let token = StoredToken {
            access_token: match AccessToken::new("1000.access") {
                Ok(t) => t,
                Err(e) => panic!("{e}"),
            },
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000),
            api_domain: Some("https://www.zohoapis.eu".into()),
            refresh_token: Some(SecretString::from(SECRET)),
        };
        let read = encode(&token)
            .map_err(|e| e.to_string())
            .and_then(|bytes| decode(&bytes));
        let read = match read {
            Ok(read) => read,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(read.access_token.expose(), "1000.access");
        assert_eq!(read.expires_at, token.expires_at);
        assert_eq!(read.api_domain.as_deref(), Some("https://www.zohoapis.eu"));
        assert_eq!(
            read.refresh_token.as_ref().map(|t| t.expose_secret()),
            Some(SECRET)
        );
    }

    #[test]
    fn nulls_and_unknown_fields_are_accepted() {
        let read = decode(
            br#"{"access_token":"1000.a","expires_at_unix":5,"api_domain":null,"refresh_token":null,"scope":"x"}"#,
        );
        assert!(
            read.as_ref()
                .is_ok_and(|t| t.api_domain.is_none() && t.refresh_token.is_none()),
            "{:?}",
            read.err()
        );
    }

    #[test]
    fn empty_contents_say_so() {
        assert_eq!(reason(""), "it is empty");
        assert_eq!(reason(" \n\t"), "it is empty");
    }

    #[test]
    fn truncated_json_gives_its_position_without_the_secret() {
        let text = format!(r#"{{"access_token":"{SECRET}","refresh_tok"#);
        assert_eq!(
            reason(&text),
            "its JSON stops short at line 1, column 42 (the file was cut off)"
        );
    }

    #[test]
    fn binary_contents_are_not_json() {
        let reason = match decode(&[0xff, 0x00, 0x13, 0x37, b'{']) {
            Ok(_) => panic!("binary was read"),
            Err(reason) => reason,
        };
        assert_eq!(
            reason,
            "it is not valid JSON (the first error is at line 1, column 1)"
        );
    }

    #[test]
    fn wrong_types_name_the_field_and_the_type_but_not_the_value() {
        let cases = [
            (
                format!(r#"["{SECRET}"]"#),
                "it holds an array where a JSON object was expected",
            ),
            (
                format!(r#""{SECRET}""#),
                "it holds a string where a JSON object was expected",
            ),
            (
                format!(r#"{{"refresh_token":"{SECRET}","expires_at_unix":1}}"#),
                "its `access_token` field is missing",
            ),
            (
                r#"{"access_token":7,"expires_at_unix":1}"#.to_owned(),
                "its `access_token` is a number, not a string",
            ),
            (
                format!(r#"{{"access_token":"a","expires_at_unix":"{SECRET}"}}"#),
                "its `expires_at_unix` is a string, not a number",
            ),
            (
                r#"{"access_token":"a","expires_at_unix":-5}"#.to_owned(),
                "its `expires_at_unix` is not a whole number of seconds since 1970",
            ),
            (
                r#"{"access_token":"a","expires_at_unix":1.5}"#.to_owned(),
                "its `expires_at_unix` is not a whole number of seconds since 1970",
            ),
            (
                format!(
                    r#"{{"access_token":"a","expires_at_unix":1,"refresh_token":["{SECRET}"]}}"#
                ),
                "its `refresh_token` is an array, not a string",
            ),
            (
                r#"{"access_token":"a","expires_at_unix":1,"api_domain":true}"#.to_owned(),
                "its `api_domain` is a boolean, not a string",
            ),
            (
                format!(r#"{{"access_token":"{SECRET} x","expires_at_unix":1}}"#),
                "its `access_token` cannot be used (the access token is invalid: it contains spaces, control characters or non-ASCII characters)",
            ),
        ];
        for (text, expected) in cases {
            let reason = reason(&text);
            assert_eq!(reason, expected, "{text}");
            assert!(!reason.contains("s3cr3t"), "{reason}");
        }
    }

    #[test]
    fn an_expiry_beyond_what_the_clock_holds_is_refused_not_a_panic() {
        let text = format!(r#"{{"access_token":"a","expires_at_unix":{}}}"#, u64::MAX);
        assert_eq!(
            reason(&text),
            "its `expires_at_unix` lies too far in the future"
        );
    }

    #[test]
    fn deeply_nested_json_is_refused_not_a_stack_overflow() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(reason(&text).starts_with("it is not valid JSON"));
    }
}
