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
    let template_variants: Vec<_> = resolved.scope_templates.iter().map(|t| &t.2).collect();
    let template_texts = resolved.scope_templates.iter().map(|t| t.1);
    let template_docs = resolved
        .scope_templates
        .iter()
        .map(|(name, template, _)| doc(&format!("`{name}`: `{template}`.")));
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

        /// A scope an operation needs granted, by its template: the per-module scope, the
        /// resource scope, or a scope of its own.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ScopeTemplate {
            #( #template_docs #template_variants, )*
        }

        impl ScopeTemplate {
            /// Every template, in spec order.
            pub const VALUES: &'static [ScopeTemplate] = &[ #( ScopeTemplate::#template_variants ),* ];

            /// The template, with `{operation}` (and for the module scope `{module}`)
            /// placeholders.
            pub fn template(self) -> &'static str {
                match self {
                    #( ScopeTemplate::#template_variants => #template_texts, )*
                }
            }

            /// The scope of this template for `operation` on `module`.
            pub fn scope(self, module: &Module, operation: ScopeOperation) -> ::std::string::String {
                self.template()
                    .replace("{module}", module.scope_name())
                    .replace("{operation}", operation.as_str())
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
        /// the scopes of the operation's templates for its narrowest scope type.
        /// Sorted and without repeats, ready to request.
        pub fn minimal_scopes(
            needs: &[(crate::operations::Operation, Module)],
        ) -> ::std::vec::Vec<::std::string::String> {
            let mut scopes: ::std::collections::BTreeSet<::std::string::String> =
                ::std::collections::BTreeSet::new();
            for (operation, module) in needs {
                let needed = operation.narrowest_scope();
                for template in operation.scope_templates() {
                    scopes.insert(template.scope(module, needed));
                }
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
            let all_modules = granted.contains(&ALL_MODULES.to_ascii_lowercase());
            let has = |scope: ::std::string::String| granted.contains(&scope.to_ascii_lowercase());
            let mut missing = ::std::vec::Vec::new();
            for (operation, module) in needs {
                let templates = operation.scope_templates();
                if all_modules && templates.contains(&ScopeTemplate::Module) {
                    continue;
                }
                let needed = operation.narrowest_scope();
                let allowing = ScopeOperation::VALUES.iter().copied().filter(|t| t.grants(needed));
                let add: ::std::vec::Vec<::std::string::String> = templates
                    .iter()
                    .filter(|template| !allowing.clone().any(|t| has(template.scope(module, t))))
                    .map(|template| template.scope(module, needed))
                    .collect();
                if !add.is_empty() {
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

        /// The sets of scopes that each allow `operation` on `module`: [`ALL_MODULES`] alone
        /// (for an operation that needs the module scope), or the scopes of its templates for
        /// one of the operation types that allow it.
        pub fn accepted_scope_sets(
            operation: crate::operations::Operation,
            module: &Module,
        ) -> ::std::vec::Vec<::std::vec::Vec<::std::string::String>> {
            let templates = operation.scope_templates();
            let mut sets = ::std::vec::Vec::new();
            if templates.contains(&ScopeTemplate::Module) {
                sets.push(::std::vec![ALL_MODULES.to_owned()]);
            }
            for allowing in operation.scope_operations() {
                sets.push(templates.iter().map(|t| t.scope(module, *allowing)).collect());
            }
            sets
        }
    }
}
