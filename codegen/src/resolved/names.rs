//! Identifiers for spec names, each made once by [`crate::ident`]: a name that makes none is
//! kept as `None` for the checks to report.

use proc_macro2::{Ident, Span};

/// A spec item with the identifier its name makes, when it makes one.
#[derive(Debug)]
pub struct Made<'a, T> {
    /// The item as the spec gives it.
    pub def: &'a T,
    /// Its identifier, `None` when the name makes none.
    pub ident: Option<Ident>,
}

impl<'a, T> Made<'a, T> {
    /// `def` with the `UpperCamelCase` identifier its `name` makes.
    pub fn camel(def: &'a T, name: &str) -> Self {
        Made {
            def,
            ident: camel(name),
        }
    }
}

/// The `UpperCamelCase` identifier `name` makes.
pub fn camel(name: &str) -> Option<Ident> {
    crate::ident::upper_camel(name).map(|made| Ident::new(&made, Span::call_site()))
}

/// The `snake_case` identifier `name` makes.
pub fn snake(name: &str) -> Option<Ident> {
    crate::ident::snake(name).map(|made| Ident::new(&made, Span::call_site()))
}
