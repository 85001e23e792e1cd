//! Turns a checked [`Resolution`] into the model the emitters read. The checks have made sure
//! that everything is there; anything still missing becomes a located problem, never a guess.

use std::collections::BTreeMap;

use proc_macro2::Ident;

use super::complete::{
    Named, PageInfoFields, PagingIndexes, PathSegment, Resolved, ResolvedCode, ResolvedOperation,
    ResolvedScope, ResolvedType,
};
use super::names::Made;
use super::resolution::{CodeResolution, OperationResolution, Resolution};
use super::template::TemplateSegment;
use crate::model::{Field, Pagination};

/// The emitters' model of a resolution that has passed every check; `problem(path, message)`
/// records anything the checks should have caught.
pub fn finish<'a>(
    resolution: Resolution<'a>,
    problem: &mut dyn FnMut(String, String),
) -> Resolved<'a> {
    let mut gaps = Gaps { problem };
    let data_centers = gaps.named(resolution.data_centers, |i| format!("data_centers[{i}].id"));
    let environments = gaps.named(resolution.environments, |i| format!("environments[{i}].id"));
    let modules = gaps.named(resolution.modules, |i| format!("modules.builtin[{i}]"));
    let scopes = (resolution.scopes.into_iter().enumerate())
        .filter_map(|(i, scope)| {
            let path = format!("scopes.operations[{i}]");
            let ident = gaps.ident(scope.ident, &path);
            let implies = gaps.idents(scope.implies, &format!("{path}.implies"));
            Some(ResolvedScope {
                def: scope.def,
                ident: ident?,
                implies: implies?,
            })
        })
        .collect();
    // Each paginated listing's info type, with the first listing's pagination (the checks
    // make listings that share one name the same fields).
    let mut paged: BTreeMap<&str, &Pagination> = BTreeMap::new();
    for op in resolution.operations.values() {
        if let (Some(pagination), Some(info)) = (&op.op.pagination, &op.op.response.info) {
            paged.entry(info.as_str()).or_insert(pagination);
        }
    }
    let types = (resolution.types.into_iter())
        .filter_map(|(name, ty)| {
            let path = format!("types.{name}");
            let ident = gaps.ident(ty.ident, &path);
            let page_info = match paged.get(name) {
                Some(pagination) => Some(gaps.page_info(&path, &ty.fields, pagination)?),
                None => None,
            };
            let fields = (ty.fields.into_iter())
                .filter_map(|(rust, field)| {
                    let at = format!("{path}.fields.{}", field.wire);
                    Some((
                        gaps.need(rust, &at, "the field has no usable Rust name")?,
                        field,
                    ))
                })
                .collect();
            let def = ty.def;
            Some((
                name,
                ResolvedType {
                    def,
                    ident: ident?,
                    fields,
                    page_info,
                },
            ))
        })
        .collect();
    let scope_templates = (resolution.scope_templates.into_iter())
        .filter_map(|(name, template, ident)| {
            let ident = gaps.ident(ident, &format!("scopes.{name}"))?;
            Some((name, template, ident))
        })
        .collect();
    let codes = &resolution.error_codes;
    let operations = (resolution.operations.into_iter())
        .filter_map(|(name, op)| Some((name, gaps.operation(name, op, codes)?)))
        .collect();
    Resolved {
        spec: resolution.spec,
        operations,
        types,
        data_centers,
        environments,
        modules,
        scopes,
        scope_templates,
    }
}

/// Takes what the emitters need, recording a located problem for anything missing.
struct Gaps<'p> {
    problem: &'p mut dyn FnMut(String, String),
}

impl Gaps<'_> {
    fn gap(&mut self, path: &str, message: &str) {
        (self.problem)(path.to_owned(), message.to_owned());
    }

    fn need<T>(&mut self, value: Option<T>, path: &str, message: &str) -> Option<T> {
        if value.is_none() {
            self.gap(path, message);
        }
        value
    }

    fn ident(&mut self, ident: Option<Ident>, path: &str) -> Option<Ident> {
        self.need(ident, path, "the name has no usable Rust identifier")
    }

    fn idents(&mut self, idents: Vec<Option<Ident>>, path: &str) -> Option<Vec<Ident>> {
        let idents: Vec<_> = idents.into_iter().map(|i| self.ident(i, path)).collect();
        idents.into_iter().collect()
    }

    fn named<'a, T>(
        &mut self,
        made: Vec<Made<'a, T>>,
        path: impl Fn(usize) -> String,
    ) -> Vec<Named<'a, T>> {
        (made.into_iter().enumerate())
            .filter_map(|(i, made)| {
                Some(Named {
                    def: made.def,
                    ident: self.ident(made.ident, &path(i))?,
                })
            })
            .collect()
    }

    /// The Rust names of the fields of the info type at `path` that `pagination` names.
    fn page_info(
        &mut self,
        path: &str,
        fields: &[(Option<String>, &Field)],
        pagination: &Pagination,
    ) -> Option<PageInfoFields> {
        let mut rust_name = |wire: &str| {
            let found = fields.iter().find(|(_, field)| field.wire == wire);
            let message = "the paging field has no usable Rust name";
            let at = format!("{path}.fields.{wire}");
            let (rust, field) = self.need(found, &at, message)?;
            Some((self.need(rust.clone(), &at, message)?, field.required))
        };
        let (more, more_required) = rust_name(&pagination.more)?;
        let next_token = match &pagination.next_token {
            Some(wire) => Some(rust_name(wire)?.0),
            None => None,
        };
        Some(PageInfoFields {
            more,
            more_required,
            next_token,
        })
    }

    fn operation<'a>(
        &mut self,
        name: &str,
        resolution: OperationResolution<'a>,
        codes: &BTreeMap<&str, CodeResolution<'_>>,
    ) -> Option<ResolvedOperation<'a>> {
        let op = resolution.op;
        let path = format!("operations.{name}");
        let at = |what: &str| format!("{path}.{what}");
        let template = self.need(
            resolution.template,
            &at("path"),
            "the path must start with '/'",
        )?;
        let mut segments = Vec::new();
        for segment in template {
            segments.push(match segment {
                TemplateSegment::Literal(text) => PathSegment::Literal(text),
                TemplateSegment::Version => PathSegment::Version,
                TemplateSegment::Placeholder { param, .. } => PathSegment::Param(self.need(
                    param,
                    &at("path"),
                    "a placeholder names no parameter",
                )?),
            });
        }
        let method = self.ident(resolution.method, &path)?;
        let camel = self.ident(resolution.camel, &path)?;
        let scope_variants = self.idents(resolution.scope_variants, &at("scope_operations"))?;
        let narrowest_scope = self.need(
            (resolution.narrowest_scope).and_then(|i| scope_variants.get(i).cloned()),
            &at("scope_operations"),
            "no scope operation type is granted by all the others",
        )?;
        let scope_templates = self.idents(resolution.scope_templates, &at("scopes"))?;
        let params = (resolution.params.into_iter())
            .map(|made| {
                Some(Named {
                    def: made.def,
                    ident: self.ident(made.ident, &at(&format!("params.{}", made.def.name)))?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let errors = (op.errors.iter())
            .map(|code| {
                let path = at(&format!("errors.{code}"));
                let names =
                    self.need(codes.get(code.as_str()), &path, "not in the errors table")?;
                Some(ResolvedCode {
                    code,
                    variant: self.ident(names.variant.clone(), &path)?,
                    predicate: self.ident(names.predicate.clone(), &path)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let response = self.need(
            resolution.response,
            &at("response"),
            "the response lacks a type its kind needs",
        )?;
        let pagination = match (resolution.pagination, &op.pagination) {
            (Some(found), Some(spec)) => {
                let page = self.need(
                    found.page,
                    &at("pagination.page_param"),
                    "names no parameter",
                )?;
                let token = match (&spec.token_param, &spec.next_token) {
                    (Some(_), Some(_)) => {
                        let at = at("pagination.token_param");
                        Some(self.need(found.token, &at, "names no parameter")?)
                    }
                    (None, None) => None,
                    _ => {
                        self.gap(&at("pagination"), "token_param and next_token go together");
                        return None;
                    }
                };
                Some(PagingIndexes { page, token })
            }
            _ => None,
        };
        Some(ResolvedOperation {
            op,
            method,
            camel,
            params,
            scope_variants,
            narrowest_scope,
            scope_templates,
            errors,
            idempotent: resolution.idempotent,
            segments,
            response,
            pagination,
        })
    }
}
