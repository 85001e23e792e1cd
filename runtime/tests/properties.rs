//! Properties of the parsers that read what a server sends: envelope decoding and
//! Content-Disposition. Whatever the bytes, nothing panics and errors stay bounded and
//! printable; what a well-formed answer says is read back exactly.

use proptest::prelude::*;
use zoho_crm_runtime::__private::{
    content_disposition_file_name, decode_action, decode_list, parse_token_file, sanitize_file_name,
};
use zoho_crm_runtime::SNIPPET_CHARS;
use zoho_crm_runtime::{ApiErrorInfo, Error, OperationError};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct TestError(ApiErrorInfo);

impl OperationError for TestError {
    fn from_api(info: ApiErrorInfo) -> Self {
        TestError(info)
    }

    fn info(&self) -> &ApiErrorInfo {
        &self.0
    }

    fn resolution(&self) -> Option<&'static str> {
        None
    }
}

#[derive(Debug, serde::Deserialize)]
struct Details {
    id: String,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

fn snippet_of(error: &Error<TestError>) -> Option<&str> {
    match error {
        Error::Decode(e) => Some(&e.snippet),
        Error::UnreadableSuccess(e) => Some(&e.snippet),
        _ => None,
    }
}

/// JSON-ish bytes: mostly the characters JSON is made of, so decoding gets past the first byte.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(b"{}[]\":,0123456789 truefalsnl-.eE\\/\n\t".to_vec()),
            any::<u8>(),
        ],
        0..300,
    )
}

proptest! {
    #[test]
    fn no_body_panics_and_snippets_stay_bounded_and_printable(
        status in prop::sample::select(vec![200u16, 201, 204, 400, 401, 404, 413, 429, 500, 503]),
        body in jsonish(),
    ) {
        let action = decode_action::<Details, TestError>(status, &body, &[200, 201]);
        let list =
            decode_list::<Details, serde_json::Value, TestError>(status, &body, &[200], &[204]);
        for error in [action.err(), list.err()].iter().flatten() {
            if let Some(snippet) = snippet_of(error) {
                prop_assert!(snippet.chars().count() <= SNIPPET_CHARS);
                prop_assert!(!snippet.chars().any(char::is_control));
            }
        }
    }

    #[test]
    fn a_success_keeps_its_id_and_every_unknown_field(
        id in "[0-9]{1,19}",
        extra in prop::collection::btree_map("[A-Za-z_$][A-Za-z0-9_]{0,12}", any::<i64>(), 0..6),
        status in prop::sample::select(vec![200u16, 201]),
    ) {
        let mut details = serde_json::Map::new();
        for (key, value) in &extra {
            details.insert(key.clone(), serde_json::json!(value));
        }
        details.insert("id".into(), serde_json::json!(id));
        let body = serde_json::json!({
            "data": [{"code": "SUCCESS", "details": details, "status": "success"}]
        });
        let decoded =
            decode_action::<Details, TestError>(status, body.to_string().as_bytes(), &[200, 201]);
        let decoded = match decoded {
            Ok(decoded) => decoded,
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        prop_assert_eq!(&decoded.details.id, &id);
        for (key, value) in &extra {
            if key != "id" {
                prop_assert_eq!(decoded.details.extra.get(key), Some(&serde_json::json!(value)));
            }
        }
    }

    #[test]
    fn an_error_envelope_gives_its_code_status_and_message(
        code in "[A-Z][A-Z_]{0,30}",
        message in "[ -~]{0,80}",
        status in 400u16..600,
        nested in any::<bool>(),
    ) {
        let item =
            serde_json::json!({"code": code, "details": {}, "message": message, "status": "error"});
        let body = if nested { serde_json::json!({"data": [item]}) } else { item };
        let decoded =
            decode_action::<Details, TestError>(status, body.to_string().as_bytes(), &[200]);
        match decoded {
            Err(Error::Api(TestError(info))) => {
                prop_assert_eq!(info.code, code);
                prop_assert_eq!(info.status, status);
                prop_assert_eq!(info.message, message);
            }
            other => return Err(TestCaseError::fail(format!("{other:?}"))),
        }
    }

    #[test]
    fn an_extended_file_name_is_read_back_exactly(name in "\\PC{1,40}") {
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let header = format!("attachment; filename=\"fallback.bin\"; filename*=UTF-8''{encoded}");
        prop_assert_eq!(content_disposition_file_name(header.as_bytes()), Some(name));
    }

    #[test]
    fn a_sanitised_name_never_leaves_its_directory(
        value in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        if let Some(name) = content_disposition_file_name(&value)
            && let Some(safe) = sanitize_file_name(&name)
        {
            prop_assert!(!safe.is_empty() && safe.len() <= 255);
            prop_assert!(!safe.contains(['/', '\\']));
            prop_assert!(safe != "." && safe != "..");
            prop_assert!(!safe.chars().any(char::is_control));
        }
    }
}

proptest! {
    #[test]
    fn a_token_file_that_cannot_be_read_is_a_reason_that_quotes_no_secret(
        secret in "[A-Za-z0-9]{16,40}",
        shape in 0usize..6,
    ) {
        let text = match shape {
            0 => format!("{{\"access_token\": 5, \"refresh_token\": \"{secret}\"}}"),
            1 => format!("{{\"access_token\": \"{secret}\", \"expires_at_unix\": \"{secret}\"}}"),
            2 => format!("[\"{secret}\"]"),
            3 => format!("{{\"access_token\": \"{secret}"),
            4 => format!("\"{secret}\""),
            _ => format!("{{\"access_token\": \"{secret}\", \"expires_at_unix\": [\"{secret}\"]}}"),
        };
        match parse_token_file(text.as_bytes()) {
            Ok(_) => return Err(TestCaseError::fail(format!("accepted {text}"))),
            Err(reason) => prop_assert!(!reason.contains(&secret), "{reason}"),
        }
    }

    #[test]
    fn any_bytes_are_a_token_set_or_a_reason(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Err(reason) = parse_token_file(&bytes) {
            prop_assert!(!reason.is_empty());
        }
    }
}
