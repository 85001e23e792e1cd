//! Properties of the upload-many parsers: a manifest's rows keep their line numbers through
//! blank lines and either line ending; a journal replays every whole record and only counts
//! the lines a crash or an editor broke.

use proptest::prelude::*;
use zoho_crm_cli::upload_many::parse;
use zoho_crm_cli::upload_many::replay;

/// One manifest row's fields: module, record id, path, title.
fn row() -> impl Strategy<Value = (String, String, String, String)> {
    (
        prop::sample::select(vec!["Leads", "Deals", "Calls", "CustomModule1"]),
        "[1-9][0-9]{0,18}",
        "[a-z]{1,8}(/[a-z]{1,8}){0,2}\\.(txt|pdf)",
        "[A-Za-z0-9 ]{0,12}",
    )
        .prop_map(|(m, r, p, t)| (m.to_owned(), r, p, t))
}

proptest! {
    #[test]
    fn rows_keep_their_line_numbers_through_blank_lines_and_line_endings(
        rows in prop::collection::vec((row(), 0usize..3), 0..20),
        crlf in any::<bool>(),
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("module,record_id,path,title{newline}");
        let mut line = 1u64;
        let mut expected = Vec::new();
        for ((module, record, path, title), blanks) in &rows {
            for _ in 0..*blanks {
                text.push_str(newline);
                line += 1;
            }
            text.push_str(&format!("{module},{record},{path},{title}{newline}"));
            line += 1;
            expected.push((line, module.clone(), record.clone(), path.clone(), title.trim().to_owned()));
        }
        let parsed = parse(text.as_bytes());
        let (parsed_rows, invalid) = match parsed {
            Ok(parsed) => parsed,
            Err(e) => return Err(TestCaseError::fail(e.0)),
        };
        prop_assert!(invalid.is_empty(), "{invalid:?}");
        prop_assert_eq!(parsed_rows.len(), expected.len());
        for (row, (line, module, record, path, title)) in parsed_rows.iter().zip(&expected) {
            prop_assert_eq!(row.line, *line);
            prop_assert_eq!(row.fields[0].as_deref(), Some(module.as_str()));
            prop_assert_eq!(row.fields[1].as_deref(), Some(record.as_str()));
            prop_assert_eq!(row.fields[2].as_deref(), Some(path.as_str()));
            prop_assert_eq!(row.fields[3].as_deref(), Some(title.as_str()));
        }
    }

    #[test]
    fn any_bytes_are_rows_or_a_reason(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok((rows, _)) = parse(&bytes) {
            prop_assert!(rows.iter().all(|row| row.fields.len() == 4));
        }
    }

    #[test]
    fn a_journal_replays_whole_records_and_counts_broken_lines(
        ids in prop::collection::btree_set("[1-9][0-9]{5,17}", 1..10),
        garbage in prop::collection::vec("[a-z{\\[]{1,20}", 0..4),
        cut_at in any::<prop::sample::Index>(),
    ) {
        let records: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(index, id)| {
                serde_json::json!({
                    "line": index + 2,
                    "path": format!("files/f{index}.txt"),
                    "module": "Leads",
                    "record_id": "3477061000005177002",
                    "file": format!("/data/files/f{index}.txt"),
                    "status": "ok",
                    "at": "2026-11-30T08:00:00Z",
                    "id": id,
                    "bytes": index,
                    "sha256": format!("{index:064x}"),
                })
                .to_string()
            })
            .collect();
        let mut text = String::new();
        for record in &records {
            text.push_str(record);
            text.push('\n');
        }
        for line in &garbage {
            text.push_str(line);
            text.push('\n');
        }
        // A crash in the middle of one more record: it is cut short.
        let extra = serde_json::json!({"line": 99, "path": "x", "module": "Leads",
            "record_id": "1", "file": "/x", "status": "ok", "at": "2026-11-30T08:00:00Z",
            "id": "424242", "bytes": 1})
        .to_string();
        let cut = cut_at.index(extra.len() - 1).max(1);
        text.push_str(&extra[..cut]);
        let history = replay(text.as_bytes());
        prop_assert!(history.is_ok());
        let Ok(history) = history else { return Ok(()) };
        for id in &ids {
            prop_assert!(history.attached_ids.contains(id), "{id} lost");
        }
        prop_assert!(!history.attached_ids.contains("424242"));
        prop_assert_eq!(history.unreadable_lines, garbage.len() + 1);
    }
}
