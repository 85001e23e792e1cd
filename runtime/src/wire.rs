//! Serde helpers for Zoho's wire quirks, used by generated types: numbers sent as strings.

use serde::{Deserialize, Deserializer, Serializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(u64),
    String(String),
}

fn parse<E: serde::de::Error>(value: NumberOrString) -> Result<u64, E> {
    match value {
        NumberOrString::Number(n) => Ok(n),
        NumberOrString::String(s) => s
            .trim()
            .parse()
            .map_err(|_| E::custom(format!("expected a whole number, got {s:?}"))),
    }
}

/// A number that arrives as a string (`"1234"`), or as a number; sent back as a string.
pub mod integer_string {
    use super::*;

    /// Reads it.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        parse(NumberOrString::deserialize(deserializer)?)
    }

    /// Writes it as a string, as Zoho does.
    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_string())
    }
}

/// Like [`integer_string`], for a field that may be missing or null.
pub mod optional_integer_string {
    use super::*;

    /// Reads it.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u64>, D::Error> {
        match Option::<NumberOrString>::deserialize(deserializer)? {
            Some(value) => parse(value).map(Some),
            None => Ok(None),
        }
    }

    /// Writes it as a string, as Zoho does.
    pub fn serialize<S: Serializer>(value: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_str(&value.to_string()),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
    struct Sized {
        #[serde(rename = "Size", default, with = "super::optional_integer_string")]
        size: Option<u64>,
    }

    #[test]
    fn sizes_come_as_strings_or_numbers() {
        for (json, expected) in [
            (r#"{"Size":"1234"}"#, Some(1234)),
            (r#"{"Size":1234}"#, Some(1234)),
            (r#"{"Size":null}"#, None),
            ("{}", None),
        ] {
            let parsed: Result<Sized, _> = serde_json::from_str(json);
            assert_eq!(parsed.ok().map(|s| s.size), Some(expected), "{json}");
        }
        assert!(serde_json::from_str::<Sized>(r#"{"Size":"12kB"}"#).is_err());
        let written = serde_json::to_string(&Sized { size: Some(5) }).ok();
        assert_eq!(written.as_deref(), Some(r#"{"Size":"5"}"#));
    }
}
