//! Why a listing stopped early ([`PaginationError`]) and where a page was ([`PageMark`]): leaf
//! types, so the call's [`crate::Error`] can carry them below the paginator that raises them.

/// Where the next page of a listing is, as the server pointed to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PageMark {
    /// A page token the server gave.
    Token(String),
    /// A page number.
    Number(i64),
}

impl std::fmt::Display for PageMark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageMark::Token(token) => {
                let shown: String = token.chars().take(64).collect();
                let more = if shown.len() < token.len() { "…" } else { "" };
                write!(f, "page token {shown:?}{more}")
            }
            PageMark::Number(number) => write!(f, "page number {number}"),
        }
    }
}

/// Why a listing stopped before the server said it was complete. The items of the pages
/// before were delivered; nothing was changed on the server.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The server pointed to a page it had already given.
    #[error(
        "listing stopped after {pages} pages: the server pointed again to a page it had already given ({mark}), so following it would loop forever; the items of those pages were delivered"
    )]
    RepeatedPage {
        /// Pages fetched.
        pages: u32,
        /// Where the server pointed.
        mark: PageMark,
    },
    /// A page held exactly the items of an earlier page.
    #[error(
        "listing stopped after {pages} pages: page {pages} repeated the items of an earlier page (the server seems to ignore the page it is asked for), so following it would loop forever; the items of the pages before were delivered"
    )]
    SameItemsAgain {
        /// Pages fetched.
        pages: u32,
    },
    /// A page was empty although the server said more follow.
    #[error(
        "listing stopped after {pages} pages: page {pages} was empty although the server said more follow, so following it could loop forever; the items of the pages before were delivered"
    )]
    EmptyPageWithMore {
        /// Pages fetched.
        pages: u32,
    },
    /// The walk reached its page limit while the server still said more follow.
    #[error(
        "listing stopped at its limit of {limit} pages while the server says more follow: each page is an API call that costs API credits; raise the limit (ClientBuilder::max_pages) or narrow the listing"
    )]
    PageLimit {
        /// The limit.
        limit: u32,
    },
}
