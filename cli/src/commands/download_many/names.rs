//! File names within a record's directory: unique (case-insensitively, for file systems that
//! fold case) by a ` (2)`, ` (3)`... before the extension, and handed out in listing order.
//! A new attachment's name comes from its download's answer (the runtime's sanitised name), so
//! attachments take turns: each waits until every earlier one of its record has its name or
//! has given up, and the same listing gives the same names whatever order the answers arrive in.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

/// The prefix of the runtime's temporary download files, which a re-run removes as stale.
pub(super) const TEMP_PREFIX: &str = ".zoho-crm-download-";

/// The longest file name, in bytes.
const MAX_NAME_BYTES: usize = 255;

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

/// How names are compared.
fn fold(name: &str) -> String {
    name.to_lowercase()
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

/// `candidate`, or `stem (N).ext` with the smallest N from 2 not in `taken` (case-folded), kept
/// within 255 bytes. A name that would pass for a temporary download file gets a `_` first.
pub(super) fn unique_name(candidate: &str, taken: &HashSet<String>) -> String {
    let candidate = if candidate.starts_with(TEMP_PREFIX) {
        format!("_{candidate}")
    } else {
        candidate.to_owned()
    };
    if !taken.contains(&fold(&candidate)) {
        return candidate;
    }
    let (stem, extension) = match candidate.rfind('.') {
        Some(dot) if dot > 0 && candidate.len() - dot <= 32 => candidate.split_at(dot),
        _ => (candidate.as_str(), ""),
    };
    // Among taken.len() + 1 numbers one is free.
    let mut name = candidate.clone();
    for number in 2..=taken.len() + 2 {
        let suffix = format!(" ({number}){extension}");
        let mut end = stem.len().min(MAX_NAME_BYTES.saturating_sub(suffix.len()));
        while !stem.is_char_boundary(end) {
            end -= 1;
        }
        name = format!("{}{suffix}", &stem[..end]);
        if !taken.contains(&fold(&name)) {
            break;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> HashSet<String> {
        names.iter().map(|n| fold(n)).collect()
    }

    #[test]
    fn a_taken_name_gets_the_next_free_number_before_its_extension() {
        assert_eq!(unique_name("a.pdf", &set(&[])), "a.pdf");
        assert_eq!(unique_name("a.pdf", &set(&["A.PDF"])), "a (2).pdf");
        assert_eq!(
            unique_name("a.pdf", &set(&["a.pdf", "a (2).pdf"])),
            "a (3).pdf"
        );
        assert_eq!(unique_name("notes", &set(&["notes"])), "notes (2)");
        assert_eq!(unique_name(".env", &set(&[".env"])), ".env (2)");
        assert_eq!(
            unique_name(".zoho-crm-download-x", &set(&[])),
            "_.zoho-crm-download-x"
        );
        let long = format!("{}.txt", "é".repeat(127));
        let taken = set(&[&long]);
        let name = unique_name(&long, &taken);
        assert!(name.len() <= 255 && name.ends_with(" (2).txt"), "{name}");
    }

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
