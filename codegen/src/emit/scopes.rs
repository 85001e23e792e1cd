//! `scopes.rs`: scope operation types and the scope strings an operation needs.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc;
use crate::resolved::Resolved;

pub(super) fn emit(resolved: &Resolved<'_>) -> TokenStream {
    let spec = resolved.spec;
    let scopes = &spec.scopes;
    let implies = resolved.scopes.iter().map(|o| {
        let implied = &o.implies;
        quote! { &[ #( ScopeOperation::#implied ),* ] }
    });
    let variants: Vec<_> = resolved.scopes.iter().map(|o| &o.ident).collect();
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

            /// The operation type with this name (any case).
            pub fn parse(name: &str) -> ::std::option::Option<Self> {
                Self::VALUES
                    .iter()
                    .copied()
                    .find(|operation| operation.as_str().eq_ignore_ascii_case(name.trim()))
            }

            /// The other operation types a scope of this type also grants.
            pub fn implies(self) -> &'static [ScopeOperation] {
                match self {
                    #( ScopeOperation::#variants => #implies, )*
                }
            }

            /// Whether a scope of this type allows what a scope of type `needed` allows.
            pub fn grants(self, needed: ScopeOperation) -> bool {
                self == needed || self.implies().contains(&needed)
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

        /// An operation on a module that the granted scopes do not allow.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct MissingScope {
            /// The operation.
            pub operation: crate::operations::Operation,
            /// The module.
            pub module: Module,
            /// The narrowest scopes to add so that it is allowed.
            pub add: ::std::vec::Vec<::std::string::String>,
        }

        /// Operations the granted scopes do not allow, found before any call is made.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct MissingScopes(pub ::std::vec::Vec<MissingScope>);

        impl ::std::fmt::Display for MissingScopes {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str("the granted scopes do not allow:")?;
                for missing in &self.0 {
                    ::std::write!(
                        f,
                        " {} on {} (add {});",
                        missing.operation.name(),
                        missing.module,
                        missing.add.join(", ")
                    )?;
                }
                ::std::write!(f, " or grant {ALL_MODULES}")
            }
        }

        impl ::std::error::Error for MissingScopes {}

        /// The narrowest scopes that allow every (operation, module) pair in `needs`: for each,
        /// the module scope and the resource scope of the operation's narrowest scope type.
        /// Sorted and without repeats, ready to request.
        pub fn minimal_scopes(
            needs: &[(crate::operations::Operation, Module)],
        ) -> ::std::vec::Vec<::std::string::String> {
            let mut scopes: ::std::collections::BTreeSet<::std::string::String> =
                ::std::collections::BTreeSet::new();
            for (operation, module) in needs {
                let needed = operation.narrowest_scope();
                scopes.insert(module_scope(module, needed));
                scopes.insert(resource_scope(needed));
            }
            scopes.into_iter().collect()
        }

        /// Checks a granted scope string (comma- or space-separated, as the accounts server
        /// gives it) against every (operation, module) pair in `needs`, before any call.
        pub fn check_granted(
            granted: &str,
            needs: &[(crate::operations::Operation, Module)],
        ) -> ::std::result::Result<(), MissingScopes> {
            let granted: ::std::collections::BTreeSet<::std::string::String> = granted
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|scope| !scope.is_empty())
                .map(|scope| scope.to_ascii_lowercase())
                .collect();
            if granted.contains(&ALL_MODULES.to_ascii_lowercase()) {
                return ::std::result::Result::Ok(());
            }
            let has = |scope: ::std::string::String| granted.contains(&scope.to_ascii_lowercase());
            let mut missing = ::std::vec::Vec::new();
            for (operation, module) in needs {
                let needed = operation.narrowest_scope();
                let allowing = ScopeOperation::VALUES.iter().copied().filter(|t| t.grants(needed));
                let module_ok = allowing.clone().any(|t| has(module_scope(module, t)));
                let resource_ok = allowing.clone().any(|t| has(resource_scope(t)));
                if !(module_ok && resource_ok) {
                    let mut add = ::std::vec::Vec::new();
                    if !module_ok {
                        add.push(module_scope(module, needed));
                    }
                    if !resource_ok {
                        add.push(resource_scope(needed));
                    }
                    missing.push(MissingScope {
                        operation: *operation,
                        module: module.clone(),
                        add,
                    });
                }
            }
            if missing.is_empty() {
                ::std::result::Result::Ok(())
            } else {
                ::std::result::Result::Err(MissingScopes(missing))
            }
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
