//! `cargo test` fails when generated/src does not match the spec (it only compares; it never
//! writes to the tree).

#[test]
fn generated_sources_match_the_spec() {
    let drift = xtask::gen_crate(&xtask::workspace_root(), true);
    match drift {
        Ok(drift) => assert!(
            drift.is_empty(),
            "generated/src is stale; run `cargo xtask gen`: {}",
            drift
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(e) => panic!("generation failed: {e}"),
    }
}
