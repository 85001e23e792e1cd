//! `scopes.rs`: scope operation types and the scope strings an operation needs.

use proc_macro2::TokenStream;
use quote::quote;

use super::{camel_ident, doc};
use crate::model::Spec;

pub(super) fn emit(spec: &Spec) -> TokenStream {
    let scopes = &spec.scopes;
    let variants: Vec<_> = scopes
        .operations
        .iter()
        .map(|o| camel_ident(&o.name))
        .collect();
    let names: Vec<_> = scopes.operations.iter().map(|o| o.name.as_str()).collect();
    let docs: Vec<_> = scopes
        .operations
        .iter()
        .map(|o| doc(&format!("`{}`: {}", o.name, o.doc)))
        .collect();
    let type_doc = doc(&scopes.doc);
    let all = &scopes.all;
    let module_template = &scopes.module;
    let resource_template = &scopes.resource;
    quote! {
        #![doc = " OAuth scopes: operation types and the scope strings that grant them."]

        use crate::modules::Module;

        /// The scope that grants every operation on every module.
        pub const ALL_MODULES: &str = #all;
        /// The per-module scope, with `{module}` and `{operation}` placeholders.
        pub const MODULE_SCOPE_TEMPLATE: &str = #module_template;
        /// The resource scope, with an `{operation}` placeholder.
        pub const RESOURCE_SCOPE_TEMPLATE: &str = #resource_template;

        /// An operation type a scope is granted for.
        ///
        #type_doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ScopeOperation {
            #( #docs #variants, )*
        }

        impl ScopeOperation {
            /// Every operation type, in spec order.
            pub const VALUES: &'static [ScopeOperation] = &[ #( ScopeOperation::#variants ),* ];

            /// The name used in scope strings.
            pub fn as_str(self) -> &'static str {
                match self {
                    #( ScopeOperation::#variants => #names, )*
                }
            }
        }

        impl ::std::fmt::Display for ScopeOperation {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// The module scope for `operation` on `module`.
        pub fn module_scope(module: &Module, operation: ScopeOperation) -> ::std::string::String {
            MODULE_SCOPE_TEMPLATE
                .replace("{module}", module.scope_name())
                .replace("{operation}", operation.as_str())
        }

        /// The resource scope for `operation`.
        pub fn resource_scope(operation: ScopeOperation) -> ::std::string::String {
            RESOURCE_SCOPE_TEMPLATE.replace("{operation}", operation.as_str())
        }

        /// The sets of scopes that each allow an operation accepting `operations` on `module`:
        /// [`ALL_MODULES`] alone, or the module scope and the resource scope of one operation type.
        pub fn accepted_scope_sets(
            module: &Module,
            operations: &[ScopeOperation],
        ) -> ::std::vec::Vec<::std::vec::Vec<::std::string::String>> {
            let mut sets = ::std::vec![::std::vec![ALL_MODULES.to_owned()]];
            for operation in operations {
                sets.push(::std::vec![module_scope(module, *operation), resource_scope(*operation)]);
            }
            sets
        }
    }
}
