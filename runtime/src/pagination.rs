//! Walking a listing lazily: a stream of items that fetches the next page only when the
//! previous one is used up, and stops at the end.
//!
//! A confused or hostile server cannot make the walk loop: it stops with a
//! [`PaginationError`] when the server points again to a page it already gave (the same page
//! token, the same page number), when a page repeats an earlier page's items, when a page is
//! empty although the server says more follow, and at a page limit
//! ([`crate::builder::DEFAULT_MAX_PAGES`] unless configured), which bounds the API calls (and
//! API credits) one walk can spend.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::{DefaultHasher, Hash as _, Hasher as _};

use futures_util::Stream;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::call::{IntoCall, Value, wrong_kind};
use crate::client::Client;
use crate::descriptor::{Operation, PageInfo, Pagination};
use crate::error::{Error, OperationError, ValidationError};
use crate::pagination_error::{PageMark, PaginationError};
use crate::zoho::ListPage;

/// Every item of a listing, page by page. `fetch` gets one page for a request; `next` gives the
/// request for the page after and where it is (from the page's paging information), or `None`
/// at the end. At most `max_pages` pages are fetched (at least one).
pub fn paginate<R, T, I, E, F, Fut, N>(
    max_pages: u32,
    first: R,
    fetch: F,
    next: N,
) -> impl Stream<Item = Result<T, Error<E>>>
where
    E: std::error::Error,
    T: serde::Serialize,
    F: Fn(R) -> Fut,
    Fut: Future<Output = Result<ListPage<T, I>, Error<E>>>,
    N: Fn(&R, &I) -> Option<(R, PageMark)>,
    R: Clone,
{
    struct State<R, T> {
        request: Option<R>,
        buffered: VecDeque<T>,
        /// The error to give once the buffered items are out.
        stop: Option<PaginationError>,
        pages: u32,
        marks: HashSet<PageMark>,
        fingerprints: HashSet<u64>,
    }
    let state = State {
        request: Some(first),
        buffered: VecDeque::new(),
        stop: None,
        pages: 0,
        marks: HashSet::new(),
        fingerprints: HashSet::new(),
    };
    let max_pages = max_pages.max(1);
    futures_util::stream::unfold(
        (state, fetch, next),
        move |(mut state, fetch, next)| async move {
            // Each turn gives an item, fetches a page, or ends: at most `max_pages` fetches.
            loop {
                if let Some(item) = state.buffered.pop_front() {
                    return Some((Ok(item), (state, fetch, next)));
                }
                if let Some(stop) = state.stop.take() {
                    return Some((Err(Error::Pagination(stop)), (state, fetch, next)));
                }
                let request = state.request.take()?;
                if state.pages >= max_pages {
                    let stop = PaginationError::PageLimit { limit: max_pages };
                    return Some((Err(Error::Pagination(stop)), (state, fetch, next)));
                }
                let page = match fetch_page(&fetch, &next, request).await {
                    Ok(page) => page,
                    Err(e) => return Some((Err(e), (state, fetch, next))),
                };
                state.pages += 1;
                let pages = state.pages;
                let says_more = page.next.is_some();
                if page.items.is_empty() {
                    if says_more {
                        state.stop = Some(PaginationError::EmptyPageWithMore { pages });
                    }
                    continue;
                }
                if let Some(fingerprint) = page.fingerprint
                    && !state.fingerprints.insert(fingerprint)
                {
                    state.stop = Some(PaginationError::SameItemsAgain { pages });
                    continue;
                }
                state.buffered.extend(page.items);
                if let Some((request, mark)) = page.next {
                    if state.marks.insert(mark.clone()) {
                        state.request = Some(request);
                    } else {
                        state.stop = Some(PaginationError::RepeatedPage { pages, mark });
                    }
                }
            }
        },
    )
}

/// The page number and page token a request for a page carries.
#[derive(Clone, Debug, Default)]
struct Cursor {
    page: Option<i64>,
    token: Option<String>,
}

impl Cursor {
    /// The cursor `values` carry as given.
    fn of(pagination: &Pagination, values: &[Value]) -> Cursor {
        let page = match values.get(pagination.page) {
            Some(Value::Integer(number)) => Some(*number),
            _ => None,
        };
        let token = match pagination.token.and_then(|index| values.get(index)) {
            Some(Value::Text(token)) => Some(token.clone()),
            _ => None,
        };
        Cursor { page, token }
    }

    /// Sets the cursor's page number and token on `values`.
    fn place(&self, operation: &Operation, values: &mut [Value]) -> Result<(), ValidationError> {
        let pagination = operation
            .pagination
            .ok_or_else(|| wrong_kind(operation.name))?;
        let page = values
            .get_mut(pagination.page)
            .ok_or_else(|| wrong_kind(operation.name))?;
        *page = self.page.map_or(Value::Absent, Value::Integer);
        if let Some(index) = pagination.token {
            let token = values
                .get_mut(index)
                .ok_or_else(|| wrong_kind(operation.name))?;
            *token = self.token.clone().map_or(Value::Absent, Value::Text);
        }
        Ok(())
    }

    /// The cursor of the page after this one, from the page's paging information `info`, and
    /// where it is; `None` at the end. The page token is followed where the server gives one
    /// (and the listing takes one), else the page number goes up by one (from 1 when none was
    /// given).
    fn next(&self, pagination: &Pagination, info: &impl PageInfo) -> Option<(Cursor, PageMark)> {
        if !info.has_more() {
            return None;
        }
        let token = pagination.token.and_then(|_| info.next_token());
        if let Some(token) = token {
            let cursor = Cursor {
                page: None,
                token: Some(token.to_owned()),
            };
            return Some((cursor, PageMark::Token(token.to_owned())));
        }
        let page = self.page.unwrap_or(1).saturating_add(1);
        let cursor = Cursor {
            page: Some(page),
            token: self.token.clone(),
        };
        Some((cursor, PageMark::Number(page)))
    }
}

impl Client {
    /// Every item of the paginated listing `operation`, fetched lazily page by page from
    /// `request` as [`paginate`] does, at most [`Client::max_pages`] pages: the page number
    /// and token are set on the request's values as [`Operation::pagination`] says, and read
    /// from each page's paging information, of type `I`. Generated listings call it.
    #[doc(hidden)]
    pub fn paginate<I, T, E, R>(
        &self,
        operation: &'static Operation,
        request: R,
    ) -> impl Stream<Item = Result<T, Error<E>>> + '_
    where
        I: DeserializeOwned + PageInfo + Send + 'static,
        T: DeserializeOwned + Serialize + Send + 'static,
        E: OperationError + Send + 'static,
        R: IntoCall + Clone + 'static,
    {
        let start = match operation.pagination {
            Some(pagination) => Cursor::of(&pagination, &request.clone().into_call().1),
            None => Cursor::default(),
        };
        // `None` asks for the first page as the request gives it.
        let fetch = move |cursor: Option<Cursor>| {
            let (version, mut values) = request.clone().into_call();
            let placed = match &cursor {
                Some(cursor) => cursor.place(operation, &mut values),
                None => Ok(()),
            };
            async move {
                placed?;
                self.call::<ListPage<T, I>, E>(operation, (version, values))
                    .await
            }
        };
        let next = move |cursor: &Option<Cursor>, info: &I| {
            let (next, mark) = cursor
                .as_ref()
                .unwrap_or(&start)
                .next(&operation.pagination?, info)?;
            Some((Some(next), mark))
        };
        paginate(self.max_pages(), None, fetch, next)
    }
}

/// A fetched page: its items, a fingerprint of them, and the request for the next page.
struct Fetched<R, T> {
    items: Vec<T>,
    fingerprint: Option<u64>,
    next: Option<(R, PageMark)>,
}

async fn fetch_page<R, T, I, E, F, Fut, N>(
    fetch: &F,
    next: &N,
    request: R,
) -> Result<Fetched<R, T>, Error<E>>
where
    E: std::error::Error,
    T: serde::Serialize,
    F: Fn(R) -> Fut,
    Fut: Future<Output = Result<ListPage<T, I>, Error<E>>>,
    N: Fn(&R, &I) -> Option<(R, PageMark)>,
    R: Clone,
{
    // The next request is worked out from the one sent, so a copy is sent.
    let page = fetch(request.clone()).await?;
    let following = page.info.as_ref().and_then(|info| next(&request, info));
    let fingerprint = serde_json::to_vec(&page.data).ok().map(|bytes| {
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        hasher.finish()
    });
    Ok(Fetched {
        items: page.data,
        fingerprint,
        next: following,
    })
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt as _;

    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("test error")]
    struct TestError;

    /// What the fake server answers for a page: its items and where it says the next page is.
    type Answer = (Vec<u32>, Option<PageMark>);

    /// Walks a listing whose page `n` (0-based request count) is `answer(n)`; returns the items
    /// and the error that ended it, if any, and how many pages were fetched.
    async fn walk(
        max_pages: u32,
        answer: impl Fn(u32) -> Answer,
    ) -> (Vec<u32>, Option<PaginationError>, u32) {
        let fetched = std::sync::atomic::AtomicU32::new(0);
        let stream = paginate(
            max_pages,
            0u32,
            |n: u32| {
                fetched.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (items, mark) = answer(n);
                async move {
                    Ok::<_, Error<TestError>>(ListPage {
                        data: items,
                        info: Some(mark),
                        extra: serde_json::Map::new(),
                    })
                }
            },
            |n: &u32, mark: &Option<PageMark>| mark.clone().map(|mark| (n + 1, mark)),
        );
        let results: Vec<_> = stream.collect().await;
        let mut items = Vec::new();
        let mut error = None;
        for result in results {
            match result {
                Ok(item) => items.push(item),
                Err(Error::Pagination(e)) => error = Some(e),
                Err(e) => panic!("unexpected error: {e}"),
            }
        }
        (
            items,
            error,
            fetched.load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    #[tokio::test]
    async fn a_listing_ends_when_the_server_says_no_more() {
        let (items, error, pages) = walk(10, |n| match n {
            0 => (vec![1, 2], Some(PageMark::Number(2))),
            _ => (vec![3], None),
        })
        .await;
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(error, None);
        assert_eq!(pages, 2);
    }

    #[tokio::test]
    async fn the_same_page_token_again_stops_the_walk() {
        let (items, error, pages) = walk(100, |n| {
            (
                vec![n * 10, n * 10 + 1],
                Some(PageMark::Token("same".into())),
            )
        })
        .await;
        assert_eq!(items, [0, 1, 10, 11]);
        assert_eq!(
            error,
            Some(PaginationError::RepeatedPage {
                pages: 2,
                mark: PageMark::Token("same".into())
            })
        );
        assert_eq!(pages, 2);
    }

    #[tokio::test]
    async fn a_token_cycle_or_a_repeated_page_number_stops_the_walk() {
        let (_, error, pages) = walk(100, |n| {
            let token = if n % 2 == 0 { "a" } else { "b" };
            (vec![n], Some(PageMark::Token(token.into())))
        })
        .await;
        assert!(matches!(
            error,
            Some(PaginationError::RepeatedPage { pages: 3, .. })
        ));
        assert_eq!(pages, 3);
        let (_, error, _) = walk(100, |n| (vec![n], Some(PageMark::Number(i64::MAX)))).await;
        assert!(matches!(
            error,
            Some(PaginationError::RepeatedPage { pages: 2, .. })
        ));
    }

    #[tokio::test]
    async fn a_page_that_repeats_earlier_items_stops_the_walk() {
        let (items, error, pages) = walk(100, |n| {
            (vec![7, 8], Some(PageMark::Number(i64::from(n) + 2)))
        })
        .await;
        assert_eq!(items, [7, 8]);
        assert_eq!(error, Some(PaginationError::SameItemsAgain { pages: 2 }));
        assert_eq!(pages, 2);
    }

    #[tokio::test]
    async fn an_empty_page_that_says_more_stops_the_walk() {
        let (items, error, pages) = walk(100, |n| match n {
            0 => (vec![1], Some(PageMark::Number(2))),
            _ => (vec![], Some(PageMark::Number(i64::from(n) + 2))),
        })
        .await;
        assert_eq!(items, [1]);
        assert_eq!(error, Some(PaginationError::EmptyPageWithMore { pages: 2 }));
        assert_eq!(pages, 2);
        let (items, error, _) = walk(100, |_| (vec![], None)).await;
        assert_eq!((items.len(), error), (0, None));
    }

    #[tokio::test]
    async fn the_page_limit_bounds_the_calls() {
        let (items, error, pages) =
            walk(3, |n| (vec![n], Some(PageMark::Number(i64::from(n) + 2)))).await;
        assert_eq!(items, [0, 1, 2]);
        assert_eq!(error, Some(PaginationError::PageLimit { limit: 3 }));
        assert_eq!(pages, 3);
    }

    /// Paging information as a test gives it.
    struct Info {
        more: bool,
        token: Option<&'static str>,
    }

    impl PageInfo for Info {
        fn has_more(&self) -> bool {
            self.more
        }

        fn next_token(&self) -> Option<&str> {
            self.token
        }
    }

    #[test]
    fn the_next_page_follows_the_token_where_given_else_the_page_number() {
        let numbered = Pagination::new(0);
        let tokened = Pagination::new(0).token(1);
        let on_page_3 = Cursor {
            page: Some(3),
            token: None,
        };
        let next = |pagination: &Pagination, more, token| {
            let (cursor, mark) = on_page_3.next(pagination, &Info { more, token })?;
            Some((cursor.page, cursor.token, mark))
        };
        assert_eq!(next(&tokened, false, Some("t")), None);
        assert_eq!(
            next(&tokened, true, Some("t")),
            Some((None, Some("t".to_owned()), PageMark::Token("t".into())))
        );
        assert_eq!(
            next(&tokened, true, None),
            Some((Some(4), None, PageMark::Number(4)))
        );
        // A listing without page tokens goes by number even if the information has one.
        assert_eq!(
            next(&numbered, true, Some("t")),
            Some((Some(4), None, PageMark::Number(4)))
        );
        let first = Cursor::default().next(
            &numbered,
            &Info {
                more: true,
                token: None,
            },
        );
        assert_eq!(first.map(|(_, mark)| mark), Some(PageMark::Number(2)));
    }

    #[test]
    fn long_page_tokens_are_shortened_when_shown() {
        let shown = PageMark::Token("x".repeat(500)).to_string();
        assert!(shown.len() < 100, "{shown}");
        assert_eq!(PageMark::Number(3).to_string(), "page number 3");
    }
}
