//! An API version as the runtime holds it: its name and its place among the spec's versions,
//! so that "since v5" is a comparison of two numbers, never a parse.

/// An API version. Get one from the generated `ApiVersion` (`ApiVersion::V8.into()`); versions
/// compare by their order in the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    rank: u16,
    name: &'static str,
}

impl Version {
    /// The version at place `rank` (0 is the oldest) of the spec's versions, named `name`.
    #[doc(hidden)]
    pub const fn new(rank: u16, name: &'static str) -> Version {
        Version { rank, name }
    }

    /// As it appears in paths, e.g. `v2.1`.
    pub fn as_str(self) -> &'static str {
        self.name
    }

    /// Its place among the spec's versions, 0 for the oldest.
    pub fn rank(self) -> u16 {
        self.rank
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn versions_compare_by_their_place_in_the_spec() {
        let v2 = Version::new(0, "v2");
        let v2_1 = Version::new(1, "v2.1");
        let v10 = Version::new(2, "v10");
        assert!(v2 < v2_1 && v2_1 < v10);
        assert_eq!(v2_1.to_string(), "v2.1");
        assert_eq!(v10.rank(), 2);
    }
}
