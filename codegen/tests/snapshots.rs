//! Snapshot tests: the output for the small fixture spec is compared file by file with the
//! copy under `tests/snapshots/minimal`, so any change to what the generator writes shows up as
//! a reviewed diff. `UPDATE_EXPECT=1` rewrites the snapshots instead of comparing.
//! (The made-up API's crate, `tests/made-up-api`, is snapshotted by `cargo xtask gen --check`
//! and compiled by the workspace build.)

use std::path::Path;

#[test]
fn the_minimal_spec_matches_its_snapshot() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = "tests/fixtures/good/minimal.yaml";
    let files = match zoho_crm_codegen::generate(&crate_dir.join(source), source) {
        Ok(files) => files,
        Err(e) => panic!("{e}"),
    };
    let snapshots = crate_dir.join("tests/snapshots/minimal");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut stale = Vec::new();
    for file in &files {
        let path = snapshots.join(&file.path);
        if update {
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, &file.contents));
            assert!(written.is_ok(), "{}: {written:?}", path.display());
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
            stale.push(file.path.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "generated output differs from tests/snapshots/minimal for {stale:?}; review and run with UPDATE_EXPECT=1"
    );
}
