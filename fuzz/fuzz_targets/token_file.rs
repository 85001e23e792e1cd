//! Reads arbitrary bytes as a token file: a token set or a reason, never a panic, and a reason
//! never quotes the file's text (which may hold a secret).

#![no_main]

use libfuzzer_sys::fuzz_target;
use zoho_crm_runtime::__private::parse_token_file;

fuzz_target!(|bytes: &[u8]| {
    if let Err(reason) = parse_token_file(bytes) {
        assert!(!reason.is_empty());
        if let Ok(text) = std::str::from_utf8(bytes) {
            let long_words = text
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
                .filter(|word| word.len() >= 12);
            for word in long_words {
                assert!(
                    !reason.contains(word),
                    "the reason quotes {word:?}: {reason}"
                );
            }
        }
    }
});
