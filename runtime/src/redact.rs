//! Keeping secrets out of what the runtime prints: every known secret (the access token of a
//! call, the refresh token, the client secret, a grant code) is replaced with `[redacted]` in
//! text taken from a server's answer before it reaches an error, and URLs are shown without
//! their credentials.
//!
//! A server may echo what it received (a gateway that prints the request, an accounts server
//! that prints the form), so a secret can come back raw, form- or percent-encoded, or escaped
//! inside a JSON string; each of those forms is replaced. Only text that an error quotes is
//! redacted: results are decoded from the body as received, so redaction never changes data.
//! A secret too short to be a real credential is replaced only where it stands as a whole token.

use crate::error::{ApiErrorInfo, DecodeError, Error, OperationError, UnreadableSuccess};

/// What a secret is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// Secrets shorter than this (in bytes) are too short to be a real credential (OAuth tokens and
/// client secrets run to dozens of characters): they are replaced only where they stand as a whole
/// token, so that a test token such as `t` does not turn `count` into `coun[redacted]`.
pub(crate) const MIN_SUBSTRING_SECRET: usize = 16;

/// A set of secrets to keep out of text. Its Debug output shows only how many it holds.
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    /// Every form of every secret, longest first (so that a longer form is replaced whole
    /// before a shorter one inside it).
    forms: Vec<Form>,
}

/// One form of a secret, and whether it is replaced only where it stands as a whole token.
#[derive(Clone, PartialEq, Eq)]
struct Form {
    text: String,
    whole_token_only: bool,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} forms, [redacted])", self.forms.len())
    }
}

impl Secrets {
    /// No secrets.
    pub(crate) fn new() -> Self {
        Secrets::default()
    }

    /// Adds a secret (an empty one is ignored) in the forms a server could echo it in.
    pub(crate) fn with(mut self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let whole_token_only = secret.len() < MIN_SUBSTRING_SECRET;
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(secret)
            .to_owned();
        let form = form_encode(secret);
        let candidates = [
            secret.to_owned(),
            json.replace('/', "\\/"),
            json,
            form.replace('+', "%20"),
            form,
        ];
        for text in candidates {
            let form = Form {
                text,
                whole_token_only,
            };
            if !form.text.is_empty() && !self.forms.contains(&form) {
                self.forms.push(form);
            }
        }
        self.forms
            .sort_by_key(|form| std::cmp::Reverse(form.text.len()));
        self
    }

    /// Whether there is no secret to replace.
    pub(crate) fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// `text` with every form of every secret replaced by [`REDACTED`].
    pub(crate) fn text(&self, text: &str) -> String {
        if !self
            .forms
            .iter()
            .any(|form| text.contains(form.text.as_str()))
        {
            return text.to_owned();
        }
        let replaced = self.replace_all(text.as_bytes().to_vec());
        // Whole UTF-8 sequences are replaced by ASCII, so the text stays UTF-8.
        String::from_utf8(replaced)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// `body` with every form of every secret replaced by [`REDACTED`] (unchanged, and not
    /// copied, when it holds none).
    pub(crate) fn bytes(&self, body: Vec<u8>) -> Vec<u8> {
        if self.forms.is_empty() {
            return body;
        }
        self.replace_all(body)
    }

    fn replace_all(&self, mut body: Vec<u8>) -> Vec<u8> {
        for form in &self.forms {
            if let Some(replaced) = replace_bytes(
                &body,
                form.text.as_bytes(),
                REDACTED.as_bytes(),
                form.whole_token_only,
            ) {
                body = replaced;
            }
        }
        body
    }

    /// A call's error with the secrets taken out of every text of the server's that it quotes
    /// (the server's message and details, a snippet of an undecodable body, the reason it could not
    /// be decoded, the id an unreadable success names). Results are never passed through here: they are decoded from the body as
    /// received, so redaction cannot change data.
    pub(crate) fn error<E: OperationError>(&self, error: Error<E>) -> Error<E> {
        if self.is_empty() {
            return error;
        }
        match error {
            Error::Api(e) => Error::Api(self.api_error(e)),
            Error::Decode(e) => Error::Decode(DecodeError {
                status: e.status,
                reason: self.text(&e.reason),
                snippet: self.text(&e.snippet),
            }),
            Error::UnreadableSuccess(e) => Error::UnreadableSuccess(UnreadableSuccess {
                status: e.status,
                id: e.id.map(|id| self.text(&id)),
                reason: self.text(&e.reason),
                snippet: self.text(&e.snippet),
            }),
            other => other,
        }
    }

    /// An operation's typed error with the secrets taken out of the server's message and details.
    pub(crate) fn api_error<E: OperationError>(&self, error: E) -> E {
        if self.is_empty() {
            return error;
        }
        let info = error.info();
        let details = info
            .details
            .iter()
            .map(|(key, value)| (self.text(key), self.json(value)))
            .collect();
        E::from_api(
            ApiErrorInfo::new(info.status, self.text(&info.code), self.text(&info.message))
                .with_details(details),
        )
    }

    fn json(&self, value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::String(text) => serde_json::Value::String(self.text(text)),
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(|item| self.json(item)).collect())
            }
            serde_json::Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(key, value)| (self.text(key), self.json(value)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// Whether a byte can be part of a token (so a short secret next to it is part of a longer word).
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-')
}

/// `haystack` with every occurrence of `needle` (non-empty) replaced by `with`, or `None` when
/// there is none; with `whole_token_only`, only occurrences with no token byte on either side.
fn replace_bytes(
    haystack: &[u8],
    needle: &[u8],
    with: &[u8],
    whole_token_only: bool,
) -> Option<Vec<u8>> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut copied = 0;
    let mut at = 0;
    let mut found = false;
    while at + needle.len() <= haystack.len() {
        let standalone = || {
            let before = at.checked_sub(1).and_then(|i| haystack.get(i));
            let after = haystack.get(at + needle.len());
            !before.is_some_and(|b| is_token_byte(*b)) && !after.is_some_and(|b| is_token_byte(*b))
        };
        if haystack[at..].starts_with(needle) && (!whole_token_only || standalone()) {
            out.extend_from_slice(&haystack[copied..at]);
            out.extend_from_slice(with);
            at += needle.len();
            copied = at;
            found = true;
        } else {
            at += 1;
        }
    }
    if !found {
        return None;
    }
    out.extend_from_slice(&haystack[copied..]);
    Some(out)
}

/// A URL as it may be shown: any user name and password replaced by [`REDACTED`]. Works on
/// text that is not a valid URL too, so a malformed URL never echoes its password.
pub(crate) fn url_for_display(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_len = url[authority_start..]
        .find(['/', '?', '#'])
        .unwrap_or(url.len() - authority_start);
    let authority = &url[authority_start..authority_start + authority_len];
    match authority.rfind('@') {
        Some(at) => format!(
            "{}{REDACTED}@{}",
            &url[..authority_start],
            &url[authority_start + at + 1..]
        ),
        None => url.to_owned(),
    }
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
pub(crate) fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TestError;

    #[test]
    fn every_echoed_form_of_a_secret_is_replaced() {
        let secrets = Secrets::new()
            .with("s3cret/+&\"x")
            .with("1000.token")
            .with("");
        let echoed = [
            r#"secret s3cret/+&"x here"#,
            r#"{"form":"s3cret\/+&\"x"}"#,
            r#"{"form":"s3cret/+&\"x"}"#,
            "client_secret=s3cret%2F%2B%26%22x&x=1",
            "Authorization: Zoho-oauthtoken 1000.token",
        ];
        for text in echoed {
            let shown = secrets.text(text);
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(!shown.contains("1000.token"), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
        assert_eq!(secrets.text("nothing secret"), "nothing secret");
    }

    #[test]
    fn bodies_that_are_not_text_are_redacted_too() {
        let secrets = Secrets::new().with("tok");
        let body = [&[0xff, 0xfe][..], b"a tok b tok", &[0x80]].concat();
        let redacted = secrets.bytes(body);
        assert_eq!(
            redacted,
            [&[0xff, 0xfe][..], b"a [redacted] b [redacted]", &[0x80]].concat()
        );
        assert_eq!(secrets.bytes(b"clean".to_vec()), b"clean".to_vec());
    }

    #[test]
    fn urls_are_shown_without_credentials() {
        assert_eq!(
            url_for_display("http://user:pa55@proxy.example:3128/x?y"),
            "http://[redacted]@proxy.example:3128/x?y"
        );
        assert_eq!(
            url_for_display("https://u:p@ss@bad host/"),
            "https://[redacted]@bad host/"
        );
        assert_eq!(
            url_for_display("https://www.zohoapis.com"),
            "https://www.zohoapis.com"
        );
        assert_eq!(url_for_display("not a url"), "not a url");
    }

    #[test]
    fn form_values_are_encoded() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(form_encode("AZaz09*-._"), "AZaz09*-._");
        assert_eq!(form_encode("~+%'\n"), "%7E%2B%25%27%0A");
    }

    #[test]
    fn a_short_secret_is_replaced_only_as_a_whole_token() {
        let secrets = Secrets::new().with("t");
        assert_eq!(
            secrets.text(r#"{"count":1,"details":{}}"#),
            r#"{"count":1,"details":{}}"#
        );
        assert_eq!(
            secrets.text("Authorization: Zoho-oauthtoken t"),
            "Authorization: Zoho-oauthtoken [redacted]"
        );
        assert_eq!(
            secrets.text(r#"{"token":"t"}"#),
            r#"{"token":"[redacted]"}"#
        );
        let long = Secrets::new().with("1000.0123456789abcdef");
        assert_eq!(
            long.text("x1000.0123456789abcdefy"),
            "x[redacted]y",
            "a secret long enough to be a credential is replaced wherever it stands"
        );
    }

    #[test]
    fn an_error_keeps_its_structure_and_loses_only_the_quoted_secrets() {
        let secrets = Secrets::new().with("t");
        let mut details = serde_json::Map::new();
        details.insert("echo".into(), serde_json::json!(["token t", {"t": "t"}]));
        details.insert("count".into(), serde_json::json!(2));
        let error: Error<TestError> = Error::Api(TestError(
            ApiErrorInfo::new(400, "INVALID_DATA", "bad token t in the request")
                .with_details(details),
        ));
        let Error::Api(TestError(info)) = secrets.error(error) else {
            panic!("still an API error");
        };
        assert_eq!(info.code, "INVALID_DATA");
        assert_eq!(info.message, "bad token [redacted] in the request");
        assert_eq!(
            serde_json::Value::Object(info.details),
            serde_json::json!({"echo": ["token [redacted]", {"[redacted]": "[redacted]"}], "count": 2})
        );
    }

    #[test]
    fn an_unreadable_success_that_echoes_the_token_as_its_id_does_not_quote_it() {
        let secrets = Secrets::new().with("1000.0123456789abcdef");
        let error: Error<TestError> = Error::UnreadableSuccess(UnreadableSuccess {
            status: 200,
            id: Some("1000.0123456789abcdef".into()),
            reason: "unexpected shape at details.1000.0123456789abcdef".into(),
            snippet: r#"{"data":[{"details":{"id":"1000.0123456789abcdef"}}]}"#.into(),
        });
        let Error::UnreadableSuccess(e) = secrets.error(error) else {
            panic!("still an unreadable success");
        };
        assert_eq!(e.id.as_deref(), Some("[redacted]"));
        assert_eq!(e.reason, "unexpected shape at details.[redacted]");
        assert_eq!(e.snippet, r#"{"data":[{"details":{"id":"[redacted]"}}]}"#);
    }
}
