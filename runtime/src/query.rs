//! Building a query string: keys and values percent-encoded, lists comma-separated.

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

    /// Adds `key=a,b,c`.
    pub fn push_list(&mut self, key: &'static str, values: &[String]) {
        self.pairs.push((key, values.join(",")));
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

/// Percent-encodes everything but unreserved characters (commas too are kept, as list
/// separators).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_encoded_and_joined() {
        let mut query = Query::new();
        query.push_list("fields", &["File_Name".into(), "Size".into()]);
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
}
