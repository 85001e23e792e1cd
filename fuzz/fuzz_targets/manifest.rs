//! Parses arbitrary bytes as an upload-many manifest: the rows and invalid lines, or why the
//! whole file is unusable; never a panic, and every line number points into the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zoho_crm_cli::upload_many::parse;

fuzz_target!(|bytes: &[u8]| {
    let Ok((rows, invalid)) = parse(bytes) else {
        return;
    };
    // Line ends as the CSV reader takes them: `\n`, `\r\n` or a lone `\r`.
    let ends = bytes
        .iter()
        .enumerate()
        .filter(|&(i, b)| *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    let lines = 1 + ends as u64;
    for row in &rows {
        assert!(
            row.line >= 2 && row.line <= lines.max(2),
            "row line {} of {lines}",
            row.line
        );
        assert_eq!(row.fields.len(), 4);
    }
    for bad in &invalid {
        assert!(
            bad.line >= 1 && bad.line <= lines.max(2),
            "invalid line {} of {lines}",
            bad.line
        );
    }
});
