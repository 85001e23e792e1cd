//! The model the emitters read: every item of a spec that has passed the checks, with its
//! identifiers, its path by segment and its pagination by parameter index. Nothing in it is
//! optional that the emitters need, so they have nothing to fall back on.

use std::collections::BTreeMap;

use proc_macro2::Ident;

use crate::model::{
    BuiltinModule, DataCenter, Environment, Field, Operation, Param, ScopeOperation, Spec, TypeDef,
};

/// A spec item with the Rust identifier made for it.
#[derive(Debug)]
pub struct Named<'a, T> {
    /// The item as the spec gives it.
    pub def: &'a T,
    /// Its identifier.
    pub ident: Ident,
}

/// A scope operation type with its variant and the variants of the types it implies.
#[derive(Debug)]
pub struct ResolvedScope<'a> {
    /// The type as the spec gives it.
    pub def: &'a ScopeOperation,
    /// Its `ScopeOperation` variant.
    pub ident: Ident,
    /// The variants of the types it also grants.
    pub implies: Vec<Ident>,
}

/// An error code an operation lists, with its variant and predicate names.
#[derive(Debug)]
pub struct ResolvedCode<'a> {
    /// The code, e.g. `INVALID_DATA`.
    pub code: &'a str,
    /// Its variant, e.g. `InvalidData`.
    pub variant: Ident,
    /// Its predicate, e.g. `is_invalid_data`.
    pub predicate: Ident,
}

/// A checked spec with what the emitters need worked out.
#[derive(Debug)]
pub struct Resolved<'a> {
    /// The spec as loaded.
    pub spec: &'a Spec,
    /// Per operation (by name), what is resolved about it.
    pub operations: BTreeMap<&'a str, ResolvedOperation<'a>>,
    /// Each response type (by name) with its fields, in spec order, and their Rust names.
    pub types: BTreeMap<&'a str, ResolvedType<'a>>,
    /// The data centres, in spec order, with their `DataCenter` variants.
    pub data_centers: Vec<Named<'a, DataCenter>>,
    /// The environments, in spec order, with their `Environment` variants.
    pub environments: Vec<Named<'a, Environment>>,
    /// The built-in modules, in spec order, with their `Module` variants.
    pub modules: Vec<Named<'a, BuiltinModule>>,
    /// The scope operation types, in spec order.
    pub scopes: Vec<ResolvedScope<'a>>,
    /// The scope templates (name, template, `ScopeTemplate` variant), `module` and
    /// `resource` first.
    pub scope_templates: Vec<(&'a str, &'a str, Ident)>,
}

/// A response type with its fields' Rust names.
#[derive(Debug)]
pub struct ResolvedType<'a> {
    /// The type as the spec gives it.
    pub def: &'a TypeDef,
    /// Its Rust name.
    pub ident: Ident,
    /// Its fields, in spec order, each with its Rust name.
    pub fields: Vec<(String, &'a Field)>,
    /// For the paging information of a paginated listing, the fields that say where the next
    /// page is.
    pub page_info: Option<PageInfoFields>,
}

/// The fields of a listing's paging information that say where the next page is, by their
/// Rust names.
#[derive(Debug)]
pub struct PageInfoFields {
    /// The bool flag that says more pages follow.
    pub more: String,
    /// Whether that flag is required (a plain `bool`, not an `Option<bool>`).
    pub more_required: bool,
    /// The optional string field with the next page's token, for a listing with page tokens.
    pub next_token: Option<String>,
}

/// What is resolved about one operation.
#[derive(Debug)]
pub struct ResolvedOperation<'a> {
    /// The operation as the spec gives it.
    pub op: &'a Operation,
    /// Its name as a method and module, e.g. `upload_attachment`.
    pub method: Ident,
    /// Its name in types and variants, e.g. `UploadAttachment`.
    pub camel: Ident,
    /// Its parameters, in spec order, with their field names.
    pub params: Vec<Named<'a, Param>>,
    /// The variants of the scope operation types that allow it.
    pub scope_variants: Vec<Ident>,
    /// The variant of the narrowest scope operation type that allows it.
    pub narrowest_scope: Ident,
    /// The `ScopeTemplate` variants of the scopes it needs granted.
    pub scope_templates: Vec<Ident>,
    /// The error codes it lists, in spec order.
    pub errors: Vec<ResolvedCode<'a>>,
    /// Whether repeating it is harmless: as the spec says, else by its method.
    pub idempotent: bool,
    /// Its path, segment by segment.
    pub segments: Vec<PathSegment>,
    /// Its response's types.
    pub response: ResponseTypes,
    /// How a listing is walked, for a paginated one.
    pub pagination: Option<PagingIndexes>,
}

/// One segment of a path.
#[derive(Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text.
    Literal(String),
    /// The API version.
    Version,
    /// The parameter at this index.
    Param(usize),
}

/// The types a response names, by its kind.
#[derive(Debug)]
pub enum ResponseTypes {
    /// An action result with these details.
    Action { details: String },
    /// One action result per item, each with these details.
    ActionList { details: String },
    /// A page of these items with this paging information.
    List { item: String, info: String },
    /// Content to stream.
    Binary,
}

/// Pagination, with its parameters by index.
#[derive(Debug)]
pub struct PagingIndexes {
    /// The index of the page-number parameter.
    pub page: usize,
    /// The index of the page-token parameter, for a listing with page tokens.
    pub token: Option<usize>,
}
