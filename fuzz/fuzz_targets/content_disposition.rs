//! Parses arbitrary bytes as a Content-Disposition header and sanitises the name it gives: no
//! panic, and a sanitised name never leaves its directory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zoho_crm_runtime::__private::{content_disposition_file_name, sanitize_file_name};

fuzz_target!(|value: &[u8]| {
    let Some(name) = content_disposition_file_name(value) else {
        return;
    };
    if let Some(safe) = sanitize_file_name(&name) {
        assert!(!safe.is_empty() && safe.len() <= 255);
        assert!(!safe.contains(['/', '\\']));
        assert!(safe != "." && safe != "..");
        assert!(!safe.chars().any(char::is_control));
    }
});
