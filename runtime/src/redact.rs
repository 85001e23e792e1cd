//! Keeping secrets out of what the runtime prints: every known secret (the access token of a
//! call, the refresh token, the client secret, a grant code) is replaced with `[redacted]` in
//! text taken from a server's answer before it reaches an error, and URLs are shown without
//! their credentials.
//!
//! A server may echo what it received (a gateway that prints the request, an accounts server
//! that prints the form), so a secret can come back raw, form- or percent-encoded, or escaped
//! inside a JSON string; each of those forms is replaced.

use crate::auth::oauth::form_encode;

/// What a secret is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// A set of secrets to keep out of text. Its Debug output shows only how many it holds.
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    /// Every form of every secret, longest first (so that a longer form is replaced whole
    /// before a shorter one inside it).
    forms: Vec<String>,
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
        for candidate in candidates {
            if !candidate.is_empty() && !self.forms.contains(&candidate) {
                self.forms.push(candidate);
            }
        }
        self.forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        self
    }

    /// `text` with every form of every secret replaced by [`REDACTED`].
    pub(crate) fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for form in &self.forms {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), REDACTED);
            }
        }
        out
    }

    /// `body` with every form of every secret replaced by [`REDACTED`] (unchanged, and not
    /// copied, when it holds none).
    pub(crate) fn bytes(&self, body: Vec<u8>) -> Vec<u8> {
        if self.forms.is_empty() {
            return body;
        }
        match String::from_utf8(body) {
            Ok(text) if self.forms.iter().any(|form| text.contains(form.as_str())) => {
                self.text(&text).into_bytes()
            }
            Ok(text) => text.into_bytes(),
            Err(not_text) => {
                let mut body = not_text.into_bytes();
                for form in &self.forms {
                    body = replace_bytes(&body, form.as_bytes(), REDACTED.as_bytes());
                }
                body
            }
        }
    }
}

/// `haystack` with every occurrence of `needle` (non-empty) replaced by `with`.
fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while !rest.is_empty() {
        match rest
            .windows(needle.len())
            .position(|window| window == needle)
        {
            Some(at) => {
                out.extend_from_slice(&rest[..at]);
                out.extend_from_slice(with);
                rest = &rest[at + needle.len()..];
            }
            None => {
                out.extend_from_slice(rest);
                break;
            }
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
