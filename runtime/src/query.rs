//! Building a query string: keys and values percent-encoded, lists comma-separated.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// A query string under construction.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pairs: Vec<(&'static str, String)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value`.
    pub fn push(&mut self, key: &'static str, value: impl Into<String>) {
        self.pairs.push((key, value.into()));
    }

    /// Appends `?k=v&...` to `path` (nothing when empty).
    pub fn append_to(&self, path: &mut String) {
        for (index, (key, value)) in self.pairs.iter().enumerate() {
            path.push(if index == 0 { '?' } else { '&' });
            path.push_str(&encode(key));
            path.push('=');
            path.push_str(&encode(value));
        }
    }
}

/// Everything but unreserved characters is percent-encoded; commas too are kept, as list
/// separators.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b',');

fn encode(value: &str) -> String {
    utf8_percent_encode(value, ENCODED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_encoded_and_joined() {
        let mut query = Query::new();
        query.push("fields", "File_Name,Size");
        query.push("page_token", "a b&c=d/é");
        let mut path = "/x".to_owned();
        query.append_to(&mut path);
        assert_eq!(
            path,
            "/x?fields=File_Name,Size&page_token=a%20b%26c%3Dd%2F%C3%A9"
        );
        let mut empty = "/y".to_owned();
        Query::new().append_to(&mut empty);
        assert_eq!(empty, "/y");
    }

    #[test]
    fn only_unreserved_characters_and_commas_stay_raw() {
        assert_eq!(encode("AZaz09-_.~,"), "AZaz09-_.~,");
        assert_eq!(
            encode("*+!'()%?#[]@:;$\"\t\u{7f}"),
            "%2A%2B%21%27%28%29%25%3F%23%5B%5D%40%3A%3B%24%22%09%7F"
        );
        assert_eq!(encode("\u{1F600}"), "%F0%9F%98%80");
    }
}
