//! A custom module's API name, checked once when it is made, so no operation checks it again.

use std::str::FromStr;

use super::ids;
use crate::error::ValidationError;

/// The API name of a custom module (e.g. `CustomModule1`): ASCII letters, digits and `_` only,
/// so it is always one safe path segment. Make one with [`CustomModule::new`] or `parse`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomModule(String);

impl CustomModule {
    /// Checks `api_name` and keeps it; an empty name or one with other characters is refused.
    pub fn new(api_name: impl Into<String>) -> Result<CustomModule, ValidationError> {
        let api_name = api_name.into();
        ids::module_api_name(&api_name)?;
        Ok(CustomModule(api_name))
    }

    /// The API name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CustomModule {
    type Err = ValidationError;

    fn from_str(api_name: &str) -> Result<Self, Self::Err> {
        CustomModule::new(api_name)
    }
}

impl std::fmt::Display for CustomModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CustomModule {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_module_keeps_a_checked_name_and_refuses_others() {
        assert_eq!(
            CustomModule::new("CustomModule1")
                .map(|m| m.to_string())
                .ok()
                .as_deref(),
            Some("CustomModule1")
        );
        for bad in ["", "Leads/../x", "a b", "Ünïcode", "x\r\n"] {
            assert!(bad.parse::<CustomModule>().is_err(), "{bad:?}");
        }
    }
}
