//! Where things are printed: results on standard output (aligned text, or one JSON object per
//! line with `--json`), errors and notes on standard error. Printing pauses the progress bars
//! so lines never mix with them, and a closed pipe (`| head`) is not a crash.

use std::io::Write as _;

use indicatif::{MultiProgress, ProgressDrawTarget};
use serde::Serialize;

use crate::failure::Failure;

/// The output settings and the progress bars' home.
#[derive(Clone, Debug)]
pub struct Output {
    /// `--json`: results as JSON lines.
    pub json: bool,
    /// `--quiet`: no progress bars, no notes.
    pub quiet: bool,
    bars: MultiProgress,
}

impl Output {
    /// Output for these options. Progress bars draw on standard error, and only when it is a
    /// terminal (indicatif hides a terminal target that is not one) and `--quiet` is off.
    pub fn new(json: bool, quiet: bool) -> Self {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        Output {
            json,
            quiet,
            bars: MultiProgress::with_draw_target(target),
        }
    }

    /// Where progress bars are added.
    pub fn bars(&self) -> &MultiProgress {
        &self.bars
    }

    /// Prints a result line of text (not in JSON mode), any control character but a newline
    /// or a tab escaped (a server's names and messages are in such lines).
    pub fn text(&self, line: impl AsRef<str>) {
        if !self.json {
            self.stdout(&printable(line.as_ref(), Lines::Kept));
        }
    }

    /// Prints a JSON result line (only in JSON mode).
    pub fn json_line(&self, value: &impl Serialize) {
        if self.json {
            match serde_json::to_string(value) {
                Ok(line) => self.stdout(&line),
                Err(e) => self.stderr(&format!("error: a result could not be printed: {e}")),
            }
        }
    }

    /// Prints a note on standard error, unless `--quiet`.
    pub fn note(&self, line: impl AsRef<str>) {
        if !self.quiet {
            self.stderr(line.as_ref());
        }
    }

    /// Prints a warning on standard error (always).
    pub fn warn(&self, line: impl AsRef<str>) {
        self.stderr(&format!("warning: {}", line.as_ref()));
    }

    /// Reports a failure that ends the command: as text on standard error, and as a JSON
    /// line `{"ok":false, ...}` in JSON mode.
    pub fn fail(&self, context: &str, failure: &Failure) {
        self.stderr(&format!("error: {context}: {}", failure.describe()));
        #[derive(Serialize)]
        struct Line<'a> {
            ok: bool,
            context: &'a str,
            #[serde(flatten)]
            failure: &'a Failure,
        }
        self.json_line(&Line {
            ok: false,
            context,
            failure,
        });
    }

    /// Prints a line on standard error, always (errors), any control character but a newline
    /// or a tab escaped.
    pub fn stderr(&self, line: &str) {
        let line = printable(line, Lines::Kept);
        self.bars.suspend(|| {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        });
    }

    fn stdout(&self, line: &str) {
        self.bars.suspend(|| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        });
    }
}

/// Whether a text to print may hold several lines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    /// Newlines and tabs stay (a message with its indented resolution).
    Kept,
    /// Newlines and tabs are escaped too (a table's cell).
    Escaped,
}

/// `text` with each control character (an escape sequence's ESC; a newline and a tab unless
/// `lines` keeps them) written as Rust escapes it (`\u{1b}`, `\n`, `\t`), so that a name or
/// message from a server can neither move the cursor nor recolour the terminal.
fn printable(text: &str, lines: Lines) -> String {
    let escaped =
        |c: char| c.is_control() && (lines == Lines::Escaped || !matches!(c, '\n' | '\t'));
    if !text.chars().any(escaped) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if escaped(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Lays out rows of cells in columns as wide as their widest cell (the last column is not
/// padded).
pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| printable(cell, Lines::Escaped))
                .collect()
        })
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = widths[c].saturating_sub(cell.chars().count());
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_servers_control_characters_are_shown_escaped_not_obeyed() {
        let rows = vec![vec!["\u{1b}[31mred\nx\ty".to_owned(), "ok".to_owned()]];
        assert_eq!(table(&rows), vec!["\\u{1b}[31mred\\nx\\ty  ok"]);
    }

    #[test]
    fn lines_keep_their_newlines_but_not_an_escape_sequence() {
        assert_eq!(
            printable("a\u{1b}[2Jb\n  resolution:\tx\r", Lines::Kept),
            "a\\u{1b}[2Jb\n  resolution:\tx\\r"
        );
        assert_eq!(printable("plain", Lines::Kept), "plain");
    }

    #[test]
    fn tables_align_columns() {
        let rows = vec![
            vec!["ID".to_owned(), "NAME".to_owned()],
            vec!["12345".to_owned(), "a.pdf".to_owned()],
        ];
        assert_eq!(table(&rows), vec!["ID     NAME", "12345  a.pdf"]);
    }
}
