//! File names within a record's directory: unique (case-insensitively, for file systems that
//! fold case) by a ` (2)`, ` (3)`... before the extension, and handed out in listing order.
//! A new attachment's name comes from its download's answer (the runtime's sanitised name), so
//! attachments take turns: each waits until every earlier one of its record has its name or
//! has given up, and the same listing gives the same names whatever order the answers arrive in.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

pub(super) use crate::file_names::TEMP_PREFIX;
use crate::file_names::{MAX_NAME_BYTES, fold, unique_name};

/// The names of one record's directory, and whose turn it is to take one.
#[derive(Debug)]
pub(super) struct Book {
    state: Mutex<State>,
    /// The next sequence number to take a name.
    next: watch::Sender<usize>,
    /// Tickets handed out by [`Book::next_ticket`].
    issued: AtomicUsize,
}

#[derive(Debug)]
struct State {
    /// Names in use, case-folded.
    taken: HashSet<String>,
    /// Sequence numbers done with their turn before it came.
    released: BTreeSet<usize>,
}

impl Book {
    /// A book with `taken` names in use already (files on disk, names of the journal).
    pub(super) fn new<'a>(taken: impl IntoIterator<Item = &'a str>) -> Arc<Self> {
        Arc::new(Book {
            state: Mutex::new(State {
                taken: taken.into_iter().map(fold).collect(),
                released: BTreeSet::new(),
            }),
            next: watch::Sender::new(0),
            issued: AtomicUsize::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ticket number `seq`: tickets must be numbered 0, 1, 2... in the order names are to be
    /// given (and not mixed with [`Book::next_ticket`]). Dropping a ticket gives up its turn.
    fn ticket(self: &Arc<Self>, seq: usize) -> Ticket {
        Ticket {
            book: Arc::clone(self),
            seq,
            done: false,
        }
    }

    /// The next ticket in the order they are asked for (the attachments of a record, then
    /// its photo, share one book).
    pub(super) fn next_ticket(self: &Arc<Self>) -> Ticket {
        self.ticket(self.issued.fetch_add(1, Ordering::Relaxed))
    }

    fn release(&self, seq: usize) {
        let mut state = self.lock();
        state.released.insert(seq);
        let mut next = *self.next.borrow();
        while state.released.remove(&next) {
            next += 1;
        }
        drop(state);
        self.next.send_if_modified(|current| {
            let moved = *current != next;
            *current = next;
            moved
        });
    }
}

/// One attachment's place in its record's order of names.
#[derive(Debug)]
pub(super) struct Ticket {
    book: Arc<Book>,
    seq: usize,
    done: bool,
}

impl Ticket {
    /// Waits for this ticket's turn, then gives it `candidate` made unique, and passes the
    /// turn on.
    pub(super) async fn claim(mut self, candidate: &str) -> String {
        let mut next = self.book.next.subscribe();
        // The sender lives in the book this ticket holds, so the wait cannot fail.
        let _ = next.wait_for(|next| *next >= self.seq).await;
        let name = {
            let mut state = self.book.lock();
            let name = unique_name(candidate, &state.taken);
            state.taken.insert(fold(&name));
            name
        };
        self.done = true;
        self.book.release(self.seq);
        name
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.done {
            self.book.release(self.seq);
        }
    }
}

/// Whether `name` can stand as a file of a record's directory: one plain path component
/// (not empty, `.` or `..`, no `/`, `\\` or NUL), at most 255 bytes, not a temporary download
/// file's.
pub(super) fn is_plain_name(name: &str) -> bool {
    let mut components = std::path::Path::new(name).components();
    matches!(components.next(), Some(std::path::Component::Normal(only)) if only == name)
        && components.next().is_none()
        && !name.contains(['/', '\\', '\0'])
        && name.len() <= MAX_NAME_BYTES
        && !name.starts_with(TEMP_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_are_given_in_ticket_order_whatever_order_they_are_claimed_in() {
        let book = Book::new(["taken.txt"]);
        let (first, second, third) = (book.ticket(0), book.ticket(1), book.ticket(2));
        let late = tokio::spawn(async move { second.claim("a.txt").await });
        let latest = tokio::spawn(async move { third.claim("a.txt").await });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!late.is_finished());
        assert_eq!(first.claim("a.txt").await, "a.txt");
        assert!(matches!(late.await.as_deref(), Ok("a (2).txt")));
        assert!(matches!(latest.await.as_deref(), Ok("a (3).txt")));
        // A ticket given up passes its turn on.
        let (gone, next) = (book.ticket(3), book.ticket(4));
        drop(gone);
        assert_eq!(next.claim("taken.txt").await, "taken (2).txt");
    }
}
