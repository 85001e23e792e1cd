//! Replays arbitrary text as an upload-many journal: never a panic, and no more unreadable
//! lines than there are lines.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zoho_crm_cli::journal::replay;

fuzz_target!(|text: &str| {
    let history = replay(text);
    let lines = text.lines().filter(|line| !line.trim().is_empty()).count();
    assert!(history.unreadable_lines + history.legacy_records <= lines);
    assert!(history.attached_ids.len() <= lines);
});
