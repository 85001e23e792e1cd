//! Serde helpers for Zoho's wire quirks, used by generated types: numbers sent as strings, ids
//! sent as numbers, and nulls where a value was expected.

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

/// An id, which Zoho sends as a string (`"3477061000005177002"`) and some answers as a number;
/// kept and sent back as a string.
pub mod id_string {
    use super::*;

    /// Reads it.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        Ok(IdValue::deserialize(deserializer)?.into_string())
    }

    /// Writes it as a string.
    pub fn serialize<S: Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value)
    }
}

/// Like [`id_string`], for a field that may be missing or null.
pub mod optional_id_string {
    use super::*;

    /// Reads it.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<String>, D::Error> {
        Ok(Option::<IdValue>::deserialize(deserializer)?.map(IdValue::into_string))
    }

    /// Writes it as a string.
    pub fn serialize<S: Serializer>(
        value: &Option<String>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_str(value),
            None => serializer.serialize_none(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IdValue {
    String(String),
    Unsigned(u64),
    Signed(i64),
}

impl IdValue {
    fn into_string(self) -> String {
        match self {
            IdValue::String(s) => s,
            IdValue::Unsigned(n) => n.to_string(),
            IdValue::Signed(n) => n.to_string(),
        }
    }
}

/// A text field that may be missing or null; both read as the empty string.
pub mod text_or_null {
    use super::*;

    /// Reads it.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
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

    #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
    struct Identified {
        #[serde(with = "super::id_string")]
        id: String,
        #[serde(default, with = "super::optional_id_string")]
        parent: Option<String>,
    }

    #[test]
    fn ids_come_as_strings_or_numbers_and_go_back_as_strings() {
        for (json, id, parent) in [
            (r#"{"id":"5","parent":"6"}"#, "5", Some("6")),
            (r#"{"id":5,"parent":null}"#, "5", None),
            (r#"{"id":-5}"#, "-5", None),
        ] {
            let parsed: Result<Identified, _> = serde_json::from_str(json);
            let parsed = parsed.ok();
            assert_eq!(parsed.as_ref().map(|p| p.id.as_str()), Some(id), "{json}");
            assert_eq!(parsed.and_then(|p| p.parent).as_deref(), parent, "{json}");
        }
        assert!(serde_json::from_str::<Identified>(r#"{"id":null}"#).is_err());
        assert!(serde_json::from_str::<Identified>(r#"{"id":[1]}"#).is_err());
        let written = serde_json::to_string(&Identified {
            id: "7".into(),
            parent: None,
        })
        .ok();
        assert_eq!(written.as_deref(), Some(r#"{"id":"7","parent":null}"#));
    }
}
