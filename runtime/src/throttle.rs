//! [`Throttle`]: which of a server's limits an HTTP 429 answer came from, as the spec documents
//! the code it carries. A short-term limit (calls in flight, calls per second) clears within
//! seconds; a quota over a long window (a day's API credits) clears only as the window rolls
//! on. Where the documentation does not tell them apart, only the time the refusals last can.

/// Which limit refused a call with HTTP 429, as the spec documents its error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Throttle {
    /// A short-term limit (calls in flight, calls per second): it clears within seconds, and a
    /// retry after a pause goes through.
    Rate,
    /// A quota over a long window (the organisation's API credits for a rolling day): retrying
    /// before the window rolls on is refused again.
    Quota,
    /// The documentation does not say which (the code serves both): the time the refusals last
    /// tells.
    Either,
}

impl Throttle {
    /// The word the spec uses for it: `rate`, `quota` or `either`.
    pub fn as_str(self) -> &'static str {
        match self {
            Throttle::Rate => "rate",
            Throttle::Quota => "quota",
            Throttle::Either => "either",
        }
    }

    /// Which limit an error answer came from: `None` unless its status is 429; then what the
    /// documented case says, or [`Throttle::Either`] for a case the spec does not document or
    /// does not say.
    pub fn of_answer(status: u16, documented: Option<Throttle>) -> Option<Throttle> {
        (status == 429).then(|| documented.unwrap_or(Throttle::Either))
    }
}

impl std::fmt::Display for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_429_is_throttled_and_an_undocumented_one_could_be_either() {
        assert_eq!(Throttle::of_answer(400, Some(Throttle::Rate)), None);
        assert_eq!(Throttle::of_answer(503, None), None);
        assert_eq!(Throttle::of_answer(429, None), Some(Throttle::Either));
        assert_eq!(
            Throttle::of_answer(429, Some(Throttle::Quota)),
            Some(Throttle::Quota)
        );
        assert_eq!(Throttle::Rate.to_string(), "rate");
    }
}
