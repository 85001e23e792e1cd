//! `errors.rs`: the error table, once. Each documented case (with `{scopes}` in its resolution
//! already replaced by the scopes of the operations it is documented for) is one constant, and
//! each operation has a slice naming the cases of its codes, which its error enum reads.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::error_cases::{cases_for, resolution_for};
use crate::model::{Spec, Throttle};

/// The name of an operation's table of documented cases.
pub(super) fn table_ident(operation: &str) -> Ident {
    format_ident!("{}", operation.to_ascii_uppercase())
}

/// One documented case as the generated crate states it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Case {
    code: String,
    status: u16,
    message: Option<String>,
    resolution: String,
    throttle: Option<Throttle>,
}

/// Every distinct case with its constant's name (its code and its rank among that code's
/// cases, in the order operations, sorted by name, first list them), and per operation and
/// code the names of its cases.
struct Table {
    cases: Vec<(String, Case)>,
    members: BTreeMap<(String, String), Vec<String>>,
}

fn table(spec: &Spec) -> Table {
    let mut names: BTreeMap<Case, String> = BTreeMap::new();
    let mut per_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut table = Table {
        cases: Vec::new(),
        members: BTreeMap::new(),
    };
    for (op_name, op) in &spec.operations {
        for code in &op.errors {
            let mut members = Vec::new();
            for case in cases_for(spec, op_name, code) {
                let case = Case {
                    code: code.clone(),
                    status: case.status,
                    message: case.message.as_ref().map(|m| m.trim().to_owned()),
                    resolution: resolution_for(spec, op, case),
                    throttle: case.throttle,
                };
                let name = match names.get(&case) {
                    Some(name) => name.clone(),
                    None => {
                        let rank = per_code.entry(code).or_insert(0);
                        *rank += 1;
                        let name = format!("{}_{}", code.to_ascii_uppercase(), *rank);
                        names.insert(case.clone(), name.clone());
                        table.cases.push((name.clone(), case));
                        name
                    }
                };
                members.push(name);
            }
            table
                .members
                .insert((op_name.clone(), code.clone()), members);
        }
    }
    table
}

pub(super) fn emit(spec: &Spec) -> TokenStream {
    let table = table(spec);
    let constants = table.cases.iter().map(|(name, case)| {
        let name = format_ident!("{name}");
        let (code, resolution) = (&case.code, &case.resolution);
        let status = Literal::u16_unsuffixed(case.status);
        let (message, said) = match &case.message {
            Some(message) => (
                quote! { ::std::option::Option::Some(#message) },
                format!(": *{message}*"),
            ),
            None => (quote! { ::std::option::Option::None }, String::new()),
        };
        let (throttled_by, limit) = match case.throttle {
            Some(throttle) => {
                let (variant, limit) = match throttle {
                    Throttle::Rate => (
                        quote! { Rate },
                        " Refused by a short-term limit: it clears within seconds.",
                    ),
                    Throttle::Quota => (
                        quote! { Quota },
                        " Refused by a quota over a long window (a day's API credits): it clears only as the window rolls on.",
                    ),
                    Throttle::Either => (
                        quote! { Either },
                        " Refused by a short-term limit or a quota: the documentation does not say which.",
                    ),
                };
                (
                    quote! { .throttled_by(::zoho_crm_runtime::Throttle::#variant) },
                    limit,
                )
            }
            None => (TokenStream::new(), ""),
        };
        let case_doc = format!(
            " `{code}`, HTTP {}{said}. {resolution}{limit}",
            case.status
        );
        quote! {
            #[doc = #case_doc]
            pub const #name: ::zoho_crm_runtime::DocumentedError =
                ::zoho_crm_runtime::DocumentedError::new(#code, #status, #message, #resolution)
                    #throttled_by;
        }
    });
    let tables = spec.operations.iter().map(|(op_name, op)| {
        let members = op
            .errors
            .iter()
            .flat_map(|code| {
                table
                    .members
                    .get(&(op_name.clone(), code.clone()))
                    .into_iter()
                    .flatten()
            })
            .map(|name| format_ident!("{name}"));
        let name = table_ident(op_name);
        let table_doc = format!(" Every documented case of every code of `{op_name}`.");
        quote! {
            #[doc = #table_doc]
            pub const #name: &[::zoho_crm_runtime::DocumentedError] = &[ #( #members ),* ];
        }
    });
    quote! {
        #![doc = " The error table of the spec, once: every documented case, and per operation the cases of its codes (resolutions name that operation's scopes)."]
        #( #constants )*
        #( #tables )*
    }
}
