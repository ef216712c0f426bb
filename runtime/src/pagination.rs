//! Walks a page-numbered list operation page by page, as one stream of items.
//!
//! The generated `*_stream` methods (for operations the spec marks with `x-pagination`) call
//! [`items`] with a function that fetches one page and says which page is the last. The stream asks
//! for the next page only when the items of the current one are used up, so a caller that stops
//! early fetches no more than it needs.

use crate::Error;
use futures_core::Stream;
use std::collections::VecDeque;
use std::future::Future;
use std::ops::Add;
use std::pin::Pin;

/// A stream of items from every page, boxed so that callers need not pin it themselves.
pub type Items<'a, T, E> = Pin<Box<dyn Stream<Item = Result<T, Error<E>>> + Send + 'a>>;

/// One fetched page: its items, and the number of the last page when the server says it.
pub type Page<T, P> = (Vec<T>, Option<P>);

struct State<F, T, P> {
    fetch: F,
    next: Option<P>,
    buffer: VecDeque<T>,
}

/// Every item of every page from `first` on. After page `p`, the stream stops when `p` is the last page
/// (or beyond it), when a page is empty, or when the server does not say which page is the last (a
/// loop over a server that ignores the page number must end). A failed fetch is yielded, then the
/// stream ends.
pub fn items<'a, T, E, P, F, Fut>(first: P, fetch: F) -> Items<'a, T, E>
where
    T: Send + 'a,
    E: Send + 'a,
    P: Copy + PartialOrd + Add<Output = P> + From<u8> + Send + 'a,
    F: FnMut(P) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T, P>, Error<E>>> + Send + 'a,
{
    let state = State {
        fetch,
        next: Some(first),
        buffer: VecDeque::new(),
    };
    Box::pin(futures_util::stream::unfold(
        state,
        |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Some((Ok(item), state));
                }
                let page = state.next.take()?;
                match (state.fetch)(page).await {
                    Err(error) => return Some((Err(error), state)),
                    Ok((items, last)) => {
                        let more = !items.is_empty() && last.is_some_and(|last| page < last);
                        state.next = more.then(|| page + P::from(1));
                        state.buffer.extend(items);
                    }
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::{Arc, Mutex};

    type Log = Arc<Mutex<Vec<i32>>>;

    fn pages(log: Log, last: Option<i32>, fail_at: Option<i32>) -> Items<'static, i32, ()> {
        items(1, move |page: i32| {
            let log = log.clone();
            async move {
                log.lock().expect("log").push(page);
                if fail_at == Some(page) {
                    return Err(Error::InvalidRequest {
                        field: "page".into(),
                        message: format!("{page}"),
                    });
                }
                Ok((vec![page * 10, page * 10 + 1], last))
            }
        })
    }

    #[tokio::test]
    async fn walks_every_page_up_to_the_last() {
        let log = Log::default();
        let all: Vec<i32> = pages(log.clone(), Some(3), None)
            .map(|r| r.expect("ok"))
            .collect()
            .await;
        assert_eq!(all, [10, 11, 20, 21, 30, 31]);
        assert_eq!(*log.lock().expect("log"), [1, 2, 3]);
    }

    #[tokio::test]
    async fn fetches_lazily_and_stops_without_a_last_page() {
        let log = Log::default();
        let first_three: Vec<_> = pages(log.clone(), Some(9), None).take(3).collect().await;
        assert_eq!(first_three.len(), 3);
        assert_eq!(
            *log.lock().expect("log"),
            [1, 2],
            "page 3 is not fetched for 3 items"
        );
        let log = Log::default();
        assert_eq!(pages(log.clone(), None, None).count().await, 2);
        assert_eq!(*log.lock().expect("log"), [1]);
    }

    #[tokio::test]
    async fn an_error_is_yielded_and_ends_the_stream() {
        let log = Log::default();
        let all: Vec<_> = pages(log.clone(), Some(5), Some(2)).collect().await;
        assert_eq!(all.len(), 3);
        assert!(all[2].is_err());
        assert_eq!(*log.lock().expect("log"), [1, 2]);
    }
}
