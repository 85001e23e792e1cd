//! Query strings (and `%XX` decoding), API version rules and v8 page tokens.

use crate::responses::ApiError;

/// Decodes `%XX` escapes (invalid escapes are kept as they are; invalid UTF-8 becomes U+FFFD).
pub(crate) fn percent_decode(segment: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        match byte {
            b'0'..=b'9' => Some(byte - b'0'),
            b'a'..=b'f' => Some(byte - b'a' + 10),
            b'A'..=b'F' => Some(byte - b'A' + 10),
            _ => None,
        }
    }
    if !segment.contains('%') {
        return segment.to_owned();
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(hi, lo)| hi << 4 | lo),
            _ => None,
        };
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A decoded `application/x-www-form-urlencoded` query string.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

/// Decodes one query component: `+` is a space, then `%XX` escapes.
fn decode_component(component: &str) -> String {
    percent_decode(&component.replace('+', " "))
}

impl Query {
    /// Parses a raw query string (without `?`). A parameter without `=` has an empty value.
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode_component(name), decode_component(value))
            })
            .collect();
        Self { pairs }
    }

    /// Whether the parameter `name` is present (even with an empty value).
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }

    /// The value of `name`, if present. A parameter sent more than once is a 400
    /// `INVALID_DATA` (top level, details `{"param_name": name}`).
    pub(crate) fn get(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::invalid_param(
                name,
                format!("the parameter `{name}` was sent more than once"),
            ));
        }
        Ok(first)
    }
}

/// The position of `version` in [`crate::SUPPORTED_VERSIONS`] (oldest first).
fn rank(version: &str) -> usize {
    crate::SUPPORTED_VERSIONS
        .iter()
        .position(|v| *v == version)
        .unwrap_or(0)
}

/// Whether list requests must name their `fields` (from v3).
pub(crate) fn fields_required(version: &str) -> bool {
    rank(version) >= rank("v3")
}

/// Whether link uploads may carry a `title` (from v2.1).
pub(crate) fn title_allowed(version: &str) -> bool {
    rank(version) >= rank("v2.1")
}

/// Whether list requests may use `page_token` (v8 only).
pub(crate) fn page_token_allowed(version: &str) -> bool {
    version == "v8"
}

/// Whether list items carry v8's additions (`$field_states`, users' `email`).
pub(crate) fn v8_fields(version: &str) -> bool {
    version == "v8"
}

/// How long a page token stays valid, in seconds (24 hours, as Zoho documents for record
/// page tokens).
pub(crate) const PAGE_TOKEN_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// The format tag inside page tokens.
const TOKEN_TAG: &str = "p1";

/// A page token: hex of `p1|{offset}|{expiry}|{record_id}|{module}`, so it is opaque to
/// clients, bound to one record's list and expires.
pub(crate) fn encode_page_token(module: &str, record_id: &str, offset: u64, expiry: i64) -> String {
    format!("{TOKEN_TAG}|{offset}|{expiry}|{record_id}|{module}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The offset in a page token made by [`encode_page_token`] for the same record, or why it
/// is refused (a message for `INVALID_DATA`).
pub(crate) fn decode_page_token(
    token: &str,
    module: &str,
    record_id: &str,
    now: i64,
) -> Result<u64, &'static str> {
    const INVALID: &str = "the page_token is invalid";
    if token.is_empty() || !token.len().is_multiple_of(2) || token.len() > 4096 {
        return Err(INVALID);
    }
    let bytes: Option<Vec<u8>> = token
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        })
        .collect();
    let text = bytes
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(INVALID)?;
    let mut fields = text.splitn(5, '|');
    let (Some(TOKEN_TAG), Some(offset), Some(expiry), Some(token_record), Some(token_module)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(INVALID);
    };
    let offset: u64 = offset.parse().map_err(|_| INVALID)?;
    let expiry: i64 = expiry.parse().map_err(|_| INVALID)?;
    if token_record != record_id || token_module != module {
        return Err("the page_token belongs to another record's attachments");
    }
    if expiry <= now {
        return Err("the page_token has expired");
    }
    Ok(offset)
}

/// A Unix time as Zoho writes times (`2021-05-05T05:33:33+00:00`).
pub(crate) fn zoho_time(unix: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|time| time.format("%Y-%m-%dT%H:%M:%S+00:00").to_string())
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        let query = Query::parse(Some("a=1&b=x+y%2Bz&&c&%24f=%E2%82%AC"));
        assert_eq!(query.get("a").ok().flatten(), Some("1"));
        assert_eq!(query.get("b").ok().flatten(), Some("x y+z"));
        assert_eq!(query.get("c").ok().flatten(), Some(""));
        assert_eq!(query.get("$f").ok().flatten(), Some("€"));
        assert!(query.get("d").is_ok_and(|v| v.is_none()));
        assert!(!query.contains("d"));
        let twice = Query::parse(Some("a=1&a=2"));
        assert!(twice.get("a").is_err());
        assert!(Query::parse(None).pairs.is_empty());
    }

    #[test]
    fn versions() {
        assert!(!fields_required("v2") && !fields_required("v2.1"));
        assert!(fields_required("v3") && fields_required("v8"));
        assert!(!title_allowed("v2") && title_allowed("v2.1") && title_allowed("v8"));
        assert!(page_token_allowed("v8") && !page_token_allowed("v7"));
    }

    #[test]
    fn page_tokens_round_trip_and_are_checked() {
        let token = encode_page_token("Leads", "123", 400, 1000);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(decode_page_token(&token, "Leads", "123", 999), Ok(400));
        assert!(decode_page_token(&token, "Leads", "123", 1000).is_err());
        assert!(decode_page_token(&token, "Leads", "124", 0).is_err());
        assert!(decode_page_token(&token, "Deals", "123", 0).is_err());
        for bad in ["", "abc", "zz", "7031", &token[..token.len() - 2]] {
            assert!(decode_page_token(bad, "Leads", "123", 0).is_err(), "{bad}");
        }
        // A module name with the separator in it still round-trips.
        let odd = encode_page_token("A|B", "1", 5, 10);
        assert_eq!(decode_page_token(&odd, "A|B", "1", 0), Ok(5));
        assert_eq!(zoho_time(0).as_deref(), Some("1970-01-01T00:00:00+00:00"));
    }
}
