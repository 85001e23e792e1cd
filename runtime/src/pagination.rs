//! Walking a listing lazily: a stream of items that fetches the next page only when the
//! previous one is used up, and stops at the end.

use std::collections::VecDeque;
use std::future::Future;

use futures_util::Stream;

use crate::error::Error;
use crate::response::ListPage;

/// Every item of a listing, page by page. `fetch` gets one page for a request; `next` gives the
/// request for the page after (from the page's paging information), or `None` at the end. A
/// page that is empty although it claims more stops the walk, so a confused server cannot make
/// it loop forever.
pub fn paginate<R, T, I, E, F, Fut, N>(
    first: R,
    fetch: F,
    next: N,
) -> impl Stream<Item = Result<T, Error<E>>>
where
    E: std::error::Error,
    F: Fn(R) -> Fut,
    Fut: Future<Output = Result<ListPage<T, I>, Error<E>>>,
    N: Fn(&R, &I) -> Option<R>,
    R: Clone,
{
    struct State<R, T> {
        request: Option<R>,
        buffered: VecDeque<T>,
    }
    let state = State {
        request: Some(first),
        buffered: VecDeque::new(),
    };
    futures_util::stream::unfold(
        (state, fetch, next),
        |(mut state, fetch, next)| async move {
            loop {
                if let Some(item) = state.buffered.pop_front() {
                    return Some((Ok(item), (state, fetch, next)));
                }
                let request = state.request.take()?;
                match fetch(request.clone()).await {
                    Err(e) => return Some((Err(e), (state, fetch, next))),
                    Ok(page) => {
                        let had_items = !page.data.is_empty();
                        state.request = match &page.info {
                            Some(info) if had_items => next(&request, info),
                            _ => None,
                        };
                        state.buffered.extend(page.data);
                    }
                }
            }
        },
    )
}
