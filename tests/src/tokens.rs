//! [`TokenRegistry`]: the access tokens a [`crate::LoopbackServer`] accepts, shared with the
//! [`crate::AccountsServer`] that issues them.
//!
//! A registry holds static tokens (which never expire unless [`TokenRegistry::expire_all`]
//! is called) and issued tokens with a lifetime. Clones share the same registry, so the
//! accounts server can issue a token that the API server then accepts.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The access tokens a server accepts. Cheap to clone; clones share the same tokens.
///
/// ```
/// use std::time::Duration;
/// use zoho_crm_testkit::TokenRegistry;
///
/// let tokens = TokenRegistry::new();
/// tokens.add_static("fixed");
/// let issued = tokens.issue(Duration::from_secs(3600));
/// assert!(issued.starts_with("1000."));
/// assert!(tokens.is_valid(&issued) && tokens.is_valid("fixed"));
/// tokens.expire_all();
/// assert!(!tokens.is_valid(&issued) && !tokens.is_valid("fixed"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct TokenRegistry {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Token -> when it expires (`None`: never, unless expired explicitly).
    tokens: Mutex<HashMap<String, Option<Instant>>>,
    /// How many tokens [`TokenRegistry::issue`] handed out.
    issued: AtomicUsize,
    /// Feeds the random-ish parts of issued tokens and grant codes and makes them unique.
    counter: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TokenRegistry {
    /// An empty registry: no token is valid.
    pub fn new() -> Self {
        Self::default()
    }

    /// Issues a new access token valid for `lifetime` from now and returns it.
    ///
    /// Tokens look like Zoho's, `1000.` followed by two groups of 32 hex digits separated
    /// by a dot, and are unique within the registry (one group embeds a counter).
    pub fn issue(&self, lifetime: Duration) -> String {
        let token = self.unique_string("1000.");
        // A lifetime too long to represent never expires.
        let expires = Instant::now().checked_add(lifetime);
        lock(&self.inner.tokens).insert(token.clone(), expires);
        self.inner.issued.fetch_add(1, Ordering::Relaxed);
        token
    }

    /// Adds a token that never expires (until [`TokenRegistry::expire_all`]). Adding a token
    /// that is already present makes it static and valid again.
    pub fn add_static(&self, token: &str) {
        lock(&self.inner.tokens).insert(token.to_owned(), None);
    }

    /// Whether `token` is in the registry and has not expired.
    pub fn is_valid(&self, token: &str) -> bool {
        match lock(&self.inner.tokens).get(token) {
            Some(None) => true,
            Some(Some(expires)) => Instant::now() < *expires,
            None => false,
        }
    }

    /// Expires every token currently in the registry, static ones included. Tokens issued
    /// or added afterwards are valid as usual.
    pub fn expire_all(&self) {
        let now = Instant::now();
        for expires in lock(&self.inner.tokens).values_mut() {
            *expires = Some(now);
        }
    }

    /// How many tokens [`TokenRegistry::issue`] has handed out (static tokens not counted).
    pub fn issued_count(&self) -> usize {
        self.inner.issued.load(Ordering::Relaxed)
    }

    /// `prefix` followed by 32 random-ish hex digits, a dot, 16 random-ish hex digits and 16
    /// hex digits that encode a counter: unique for this registry.
    pub(crate) fn unique_string(&self, prefix: &str) -> String {
        let n = self.inner.counter.fetch_add(1, Ordering::Relaxed);
        let high = random_u64(n, 1);
        let low = random_u64(n, 2);
        let third = random_u64(n, 3);
        // Adding 1 and multiplying by an odd constant (mod 2^64) are both one-to-one, so
        // distinct counters give distinct values, which just don't look sequential.
        let unique = n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        format!("{prefix}{high:016x}{low:016x}.{third:016x}{unique:016x}")
    }
}

/// 64 random-ish bits from a freshly keyed SipHash over a counter, a salt and the time.
/// Not cryptographic; good enough to make test tokens unpredictable across runs.
fn random_u64(n: u64, salt: u64) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(n);
    hasher.write_u64(salt);
    hasher.write_u128(nanos);
    hasher.finish()
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn issued_tokens_are_unique_and_counted() {
        let tokens = TokenRegistry::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let token = tokens.issue(Duration::from_secs(60));
            assert!(token.starts_with("1000."));
            assert_eq!(token.len(), 5 + 32 + 1 + 32);
            assert!(
                token[5..]
                    .bytes()
                    .all(|b| b == b'.' || b.is_ascii_hexdigit())
            );
            assert!(tokens.is_valid(&token));
            assert!(seen.insert(token));
        }
        assert_eq!(tokens.issued_count(), 1000);
        tokens.add_static("static");
        assert_eq!(tokens.issued_count(), 1000);
    }

    #[test]
    fn expiry() {
        let tokens = TokenRegistry::new();
        assert!(!tokens.is_valid("unknown"));
        let short = tokens.issue(Duration::ZERO);
        assert!(!tokens.is_valid(&short));
        let forever = tokens.issue(Duration::MAX);
        assert!(tokens.is_valid(&forever));
        tokens.add_static("static");
        let clone = tokens.clone();
        assert!(clone.is_valid("static"));
        clone.expire_all();
        assert!(!tokens.is_valid("static"));
        assert!(!tokens.is_valid(&forever));
        let fresh = tokens.issue(Duration::from_secs(60));
        assert!(clone.is_valid(&fresh));
        tokens.add_static("static");
        assert!(tokens.is_valid("static"));
    }
}
