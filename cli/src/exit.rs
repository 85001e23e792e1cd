//! The exit codes, one meaning each.

use std::process::ExitCode;

use crate::interrupt::Signal;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything succeeded: 0.
    Success,
    /// An API, auth or transport error (or a local failure after sending): 1.
    Failed,
    /// Bad input; nothing was sent: 2 (also what clap uses for usage errors).
    BadInput,
    /// A run of several items finished, some of them failed: 3.
    Partial,
    /// The run's own budget of credits (`--max-credits`, or what `--max-credits-per-day`
    /// left) is spent: 4. The journal is consistent; running the same command later finishes
    /// the rest.
    BudgetSpent,
    /// A run stopped sending because the organisation's API credits for the day are spent:
    /// Zoho refused every call (HTTP 429) for longer than `--patience`, or with a code
    /// documented as a spent quota: 5. Run the same command when the credits renew.
    ZohoCredits,
    /// A run stopped sending because Zoho's concurrency cap refused every call for longer than
    /// `--patience`, with a code documented as a rate limit (the organisation's other
    /// integrations hold its calls in flight): 6. Run the same command in a few minutes.
    ZohoConcurrency,
    /// Stopped by a signal: 130 for SIGINT, 143 for SIGTERM (128 + the signal's number, as
    /// shells report it).
    Stopped(Signal),
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failed => 1,
            Exit::BadInput => 2,
            Exit::Partial => 3,
            Exit::BudgetSpent => 4,
            Exit::ZohoCredits => 5,
            Exit::ZohoConcurrency => 6,
            Exit::Stopped(Signal::Interrupt) => 130,
            Exit::Stopped(Signal::Terminate) => 143,
        }
    }

    /// Whether the run stopped sending for a limit (its own budget, or one of Zoho's), so that
    /// the command that resumes it is printed.
    pub fn is_out_of_calls(self) -> bool {
        matches!(
            self,
            Exit::BudgetSpent | Exit::ZohoCredits | Exit::ZohoConcurrency
        )
    }

    /// `Success` when nothing failed, else `Partial` (for runs of several items) or `single`.
    pub fn for_items(items: usize, failures: usize, single: Exit) -> Exit {
        match (items, failures) {
            (_, 0) => Exit::Success,
            (1, _) => single,
            _ => Exit::Partial,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_items_with_failures_are_partial() {
        assert_eq!(Exit::for_items(3, 0, Exit::Failed), Exit::Success);
        assert_eq!(Exit::for_items(3, 3, Exit::Failed), Exit::Partial);
        assert_eq!(Exit::for_items(1, 1, Exit::Failed), Exit::Failed);
        assert_eq!(Exit::for_items(1, 1, Exit::BadInput).code(), 2);
        assert_eq!(Exit::BudgetSpent.code(), 4);
        assert_eq!(Exit::ZohoCredits.code(), 5);
        assert_eq!(Exit::ZohoConcurrency.code(), 6);
        assert_eq!(Exit::Stopped(Signal::Interrupt).code(), 130);
        assert_eq!(Exit::Stopped(Signal::Terminate).code(), 143);
    }
}
