//! Properties of spec loading: whatever the text, the generator answers with files or located
//! errors, never a panic; and the real spec with any one line removed is still handled.

use std::path::Path;

use proptest::prelude::*;

fn real_spec() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/zoho-crm.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_is_a_spec_or_a_located_error(text in "\\PC{0,400}") {
        match zoho_crm_codegen::generate_from_str(Path::new("prop.yaml"), &text, "prop.yaml") {
            Ok(files) => prop_assert!(!files.is_empty()),
            Err(error) => prop_assert!(error.to_string().contains("prop.yaml"), "{error}"),
        }
    }

    #[test]
    fn the_real_spec_without_one_line_is_a_spec_or_a_located_error(index in any::<prop::sample::Index>()) {
        let spec = real_spec();
        let lines: Vec<&str> = spec.lines().collect();
        let removed = index.index(lines.len());
        let text: String = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != removed)
            .map(|(_, line)| format!("{line}\n"))
            .collect();
        match zoho_crm_codegen::generate_from_str(Path::new("spec.yaml"), &text, "spec.yaml") {
            Ok(files) => prop_assert!(!files.is_empty()),
            Err(error) => prop_assert!(error.to_string().contains("spec.yaml"), "{error}"),
        }
    }
}
