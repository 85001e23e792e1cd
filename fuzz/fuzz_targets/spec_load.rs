//! Loads, validates and generates from arbitrary text as a spec: a bad spec is a located error,
//! never a panic.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = zoho_crm_codegen::generate_from_str(Path::new("fuzz.yaml"), text, "fuzz.yaml");
});
