//! Resolution, the only structural pass: [`resolve`] works out, once, everything about the
//! spec that is derived rather than read (identifiers, path templates, parameter indexes, the
//! narrowest scopes) and keeps what cannot be worked out for the checks to report; [`finish()`]
//! turns a checked resolution into the [`Resolved`] model the emitters read.

mod complete;
mod finish;
mod names;
mod resolution;
mod template;

pub use complete::{
    Named, PageInfoFields, PagingIndexes, PathSegment, Resolved, ResolvedCode, ResolvedOperation,
    ResolvedScope, ResolvedType, ResponseTypes,
};
pub use finish::finish;
pub use names::Made;
pub use resolution::{
    CodeResolution, OperationResolution, PagingParams, Resolution, ScopeResolution, TypeResolution,
    resolve,
};
pub use template::TemplateSegment;
