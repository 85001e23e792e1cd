//! The module-layering check: the workspace's crates have no import cycle between sibling
//! modules, and the check itself finds cycles (and only cycles) in crates made for the test.

use std::path::Path;

use xtask::layers::{CrateGraph, check, report};

#[test]
fn the_workspace_crates_import_in_layers() {
    if let Err(cycles) = check(&xtask::workspace_root()) {
        panic!("import cycles between modules:\n{cycles}");
    }
}

/// Writes a crate's source files (path below `src/`, text) into a temporary folder.
fn crate_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (path, text) in files {
        let path = dir.path().join("src").join(path);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("folders");
        std::fs::write(&path, text).expect("a source file");
    }
    dir
}

fn read(dir: &Path) -> CrateGraph {
    CrateGraph::read(dir, dir).expect("the crate is read")
}

#[test]
fn a_cycle_between_two_modules_is_named_with_both_edges() {
    let dir = crate_with(&[
        ("lib.rs", "mod error;\nmod auth;\nmod leaf;\n"),
        (
            "error.rs",
            "use crate::auth::AuthError;\nuse crate::leaf::X;\n",
        ),
        (
            "auth.rs",
            "pub struct AuthError;\nfn f() -> crate::error::Error { todo!() }\n",
        ),
        ("leaf.rs", "pub struct X;\n"),
    ]);
    let graph = read(dir.path());
    let cycles = graph.cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].modules, ["auth", "error"]);
    let edges: Vec<(String, String, String)> = cycles[0]
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone(), e.witness.path.clone()))
        .collect();
    assert_eq!(
        edges,
        [
            ("auth".into(), "error".into(), "crate::error::Error".into()),
            (
                "error".into(),
                "auth".into(),
                "crate::auth::AuthError".into()
            ),
        ]
    );
    let text = report(&[graph]).expect_err("a cycle fails the check");
    assert!(
        text.contains("auth -> error  (src/auth.rs: crate::error::Error)"),
        "{text}"
    );
    assert!(
        text.contains("error -> auth  (src/error.rs: crate::auth::AuthError)"),
        "{text}"
    );
}

#[test]
fn a_longer_loop_through_nested_modules_and_super_is_a_cycle() {
    let dir = crate_with(&[
        ("lib.rs", "mod auth;\nmod builder;\nmod redact;\n"),
        (
            "auth/mod.rs",
            "mod oauth;\nmod store;\npub use oauth::Client;\n",
        ),
        (
            "auth/oauth.rs",
            "use super::store::Store;\nuse crate::builder::SCOPE;\npub struct Client;\n",
        ),
        ("auth/store.rs", "pub struct Store;\n"),
        (
            "builder.rs",
            "use crate::{redact::{self, Secrets}};\npub const SCOPE: u8 = 0;\n",
        ),
        (
            "redact.rs",
            "pub struct Secrets;\nfn f() { let _ = super::auth::Client; }\n",
        ),
    ]);
    let cycles = read(dir.path()).cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].modules, ["auth", "builder", "redact"]);
    let edges: Vec<String> = cycles[0]
        .edges
        .iter()
        .map(|e| format!("{} -> {}", e.from, e.to))
        .collect();
    assert_eq!(
        edges,
        ["auth -> builder", "builder -> redact", "redact -> auth"]
    );
}

#[test]
fn parents_children_tests_and_path_attributes_make_no_cycle() {
    let dir = crate_with(&[
        (
            "lib.rs",
            "#[path = \"hidden.rs\"]\npub mod __private;\nmod engine;\nmod leaf;\n\
             #[cfg(test)]\nmod tests { use crate::engine::E; }\n",
        ),
        ("hidden.rs", "pub use crate::engine::E;\n"),
        (
            "engine/mod.rs",
            "mod part;\npub use part::E;\nuse crate::leaf::L;\n",
        ),
        (
            "engine/part.rs",
            "use super::super::leaf::L;\nuse super::*;\npub struct E;\n\
             #[cfg(test)]\nmod tests { use crate::__private::E; }\n",
        ),
        (
            "leaf.rs",
            "pub struct L;\n#[test]\nfn t() { let _ = crate::engine::E; }\n",
        ),
    ]);
    let graph = read(dir.path());
    assert_eq!(graph.cycles(), []);
    assert!(graph.unreadable.is_empty(), "{:?}", graph.unreadable);
    let layers = graph.layers();
    assert_eq!(
        layers.get("crate"),
        Some(&vec![
            vec!["leaf".to_string()],
            vec!["engine".to_string()],
            vec!["__private".to_string()]
        ])
    );
    let text = report(&[graph]).expect("no cycle passes");
    assert!(text.contains("leaf < engine < __private"), "{text}");
}

#[test]
fn a_path_attribute_that_loops_back_is_reported_not_followed_forever() {
    let dir = crate_with(&[
        ("lib.rs", "mod a;\n"),
        ("a.rs", "#[path = \"a.rs\"]\nmod again;\n"),
    ]);
    let graph = read(dir.path());
    assert_eq!(graph.unreadable.len(), 1, "{:?}", graph.unreadable);
    assert!(
        graph.unreadable[0].contains("already read as another module"),
        "{:?}",
        graph.unreadable
    );
    assert!(report(&[graph]).is_err());
}

#[test]
fn a_module_file_that_does_not_parse_fails_the_check() {
    let dir = crate_with(&[("lib.rs", "mod broken;\n"), ("broken.rs", "fn (")]);
    let graph = read(dir.path());
    assert_eq!(graph.unreadable.len(), 1, "{:?}", graph.unreadable);
    assert!(report(&[graph]).is_err());
}

#[test]
fn a_crate_is_held_to_the_layers_its_root_states() {
    let root = "//! A crate.\n//!\n//! # Layers\n//!\n//! 1. **Leaf**: `leaf` and\n//!    `error`.\n\
                //! 2. **Engine**: `engine`.\n//!\n//! Not a layer: `extra`.\n\n\
                mod engine;\nmod error;\nmod extra;\nmod leaf;\n";
    let dir = crate_with(&[
        ("lib.rs", root),
        ("engine.rs", "use crate::leaf::L;\n"),
        (
            "error.rs",
            "pub struct E;\nfn f() { let _ = crate::engine::run; }\n",
        ),
        ("extra.rs", ""),
        ("leaf.rs", "pub struct L;\n"),
    ]);
    let graph = read(dir.path());
    assert_eq!(graph.cycles(), []);
    assert_eq!(
        graph
            .declared
            .iter()
            .map(|(m, l)| (m.as_str(), *l))
            .collect::<Vec<_>>(),
        [("engine", 2), ("error", 1), ("leaf", 1)]
    );
    assert_eq!(
        graph.layer_violations(),
        [
            "module extra is in none of the stated layers".to_string(),
            "error (layer 1) imports engine (layer 2), a layer above it  (src/error.rs: crate::engine::run)"
                .to_string(),
        ]
    );
    let text = report(&[graph]).expect_err("an import up the stated layers fails the check");
    assert!(
        text.contains("against the stated layers: error (layer 1) imports engine"),
        "{text}"
    );
}
