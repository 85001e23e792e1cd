//! The boxed future that token providers and stores return, so that both can be trait objects.
//! It has a module of its own so that stores need nothing from providers.

use std::future::Future;
use std::pin::Pin;

/// A boxed future, so that providers and stores can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
