//! Replays arbitrary bytes as an upload-many journal: never a panic, never an error (the bytes
//! are all there to read), and no more unreadable lines than there are lines.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zoho_crm_cli::upload_many::replay;

fuzz_target!(|data: &[u8]| {
    let history = match replay(data) {
        Ok(history) => history,
        Err(e) => panic!("reading from memory failed: {e}"),
    };
    let lines = data
        .split(|&byte| byte == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .count();
    assert!(history.unreadable_lines + history.legacy_records <= lines);
    assert!(history.attached_ids.len() <= lines);
});
