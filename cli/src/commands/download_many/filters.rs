//! Which files and links to export: `--include-name` and `--exclude-name` (globs matched
//! against Zoho's file name, or a link's title: an item is kept when it matches any include,
//! if any is given, and no exclude), `--min-size` and `--max-size` (bytes), `--type file|link`
//! (among attachments: only files, or only links). A filter is applied where what it looks at
//! is known: a photo has no name and no size before its download, so it is never filtered out;
//! a field file is filtered by its name and size; `--type` picks among attachments only.
//! Items filtered out are counted, not journaled: a later run without the filter exports them.

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::args::{AttachmentType, DownloadManyArgs};

/// The filters of a run (none: everything is kept).
#[derive(Clone, Debug, Default)]
pub(super) struct Filters {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    min_size: Option<u64>,
    max_size: Option<u64>,
    only: Option<AttachmentType>,
    /// The options that give the same filters again, for the command that resumes a run.
    options: String,
}

/// The glob set of `patterns` (none when there are none).
fn glob_set(patterns: &[String], option: &str) -> Result<Option<GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern)
            .map_err(|e| format!("{option} {pattern:?} is not a glob pattern: {e}"))?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| format!("{option}: {e}"))
}

impl Filters {
    /// The filters `args` give, checked before anything is sent.
    pub(super) fn from_args(args: &DownloadManyArgs) -> Result<Filters, String> {
        if let (Some(min), Some(max)) = (args.min_size, args.max_size)
            && min > max
        {
            return Err(format!(
                "--min-size ({min} bytes) is more than --max-size ({max} bytes): no file could be exported"
            ));
        }
        let mut options = String::new();
        for (flag, patterns) in [
            ("--include-name", &args.include_name),
            ("--exclude-name", &args.exclude_name),
        ] {
            for pattern in patterns {
                options.push_str(&format!(" {flag} {}", crate::recheck::quote(pattern)));
            }
        }
        for (flag, size) in [("--min-size", args.min_size), ("--max-size", args.max_size)] {
            if let Some(size) = size {
                options.push_str(&format!(" {flag} {size}"));
            }
        }
        if let Some(only) = args.r#type {
            options.push_str(match only {
                AttachmentType::File => " --type file",
                AttachmentType::Link => " --type link",
            });
        }
        Ok(Filters {
            include: glob_set(&args.include_name, "--include-name")?,
            exclude: glob_set(&args.exclude_name, "--exclude-name")?,
            min_size: args.min_size,
            max_size: args.max_size,
            only: args.r#type,
            options,
        })
    }

    /// The options that give these filters again (empty for none).
    pub(super) fn options(&self) -> &str {
        &self.options
    }

    /// Whether a name passes the name filters (an unknown name does).
    fn name_passes(&self, name: Option<&str>) -> bool {
        let Some(name) = name else { return true };
        self.include.as_ref().is_none_or(|set| set.is_match(name))
            && !self.exclude.as_ref().is_some_and(|set| set.is_match(name))
    }

    /// Whether a size passes the size filters (an unknown size does).
    fn size_passes(&self, size: Option<u64>) -> bool {
        let Some(size) = size else { return true };
        self.min_size.is_none_or(|min| size >= min) && self.max_size.is_none_or(|max| size <= max)
    }

    /// Whether a file named `name`, of `size` bytes (each if known), is exported, whatever
    /// `--type` says (photos and field files).
    pub(super) fn keeps(&self, name: Option<&str>, size: Option<u64>) -> bool {
        self.name_passes(name) && self.size_passes(size)
    }

    /// Whether an attachment that is a file is exported.
    pub(super) fn keeps_file(&self, name: Option<&str>, size: Option<u64>) -> bool {
        self.only != Some(AttachmentType::Link) && self.keeps(name, size)
    }

    /// Whether an attachment that is a link, titled `title`, is written to links.csv (a link
    /// has no size).
    pub(super) fn keeps_link(&self, title: Option<&str>) -> bool {
        self.only != Some(AttachmentType::File) && self.name_passes(title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(include: &[&str], exclude: &[&str], sizes: (Option<u64>, Option<u64>)) -> Filters {
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Filters {
            include: glob_set(&owned(include), "--include-name").ok().flatten(),
            exclude: glob_set(&owned(exclude), "--exclude-name").ok().flatten(),
            min_size: sizes.0,
            max_size: sizes.1,
            ..Filters::default()
        }
    }

    #[test]
    fn a_name_is_kept_when_it_matches_an_include_and_no_exclude() {
        let f = filters(&["*.pdf", "report*"], &["*draft*"], (None, None));
        assert!(f.keeps(Some("a.pdf"), None));
        assert!(f.keeps(Some("report.txt"), None));
        assert!(!f.keeps(Some("a.txt"), None));
        assert!(!f.keeps(Some("draft.pdf"), None));
        assert!(f.keeps(None, None));
        let none = filters(&[], &["*.tmp"], (None, None));
        assert!(none.keeps(Some("a.txt"), None));
        assert!(!none.keeps(Some("a.tmp"), None));
    }

    #[test]
    fn sizes_are_bounds_both_included_and_an_unknown_size_passes() {
        let f = filters(&[], &[], (Some(10), Some(20)));
        assert!(!f.keeps(None, Some(9)));
        assert!(f.keeps(None, Some(10)));
        assert!(f.keeps(None, Some(20)));
        assert!(!f.keeps(None, Some(21)));
        assert!(f.keeps(None, None));
    }

    #[test]
    fn a_bad_glob_is_refused() {
        let bad = glob_set(&["a[".to_owned()], "--include-name");
        assert!(bad.is_err_and(|e| e.starts_with("--include-name \"a[\"")));
    }

    #[test]
    fn options_are_quoted_for_a_shell() {
        assert_eq!(crate::recheck::quote("*.pdf"), "'*.pdf'");
        assert_eq!(crate::recheck::quote("a.pdf"), "a.pdf");
        assert_eq!(crate::recheck::quote("it's"), r"'it'\''s'");
    }
}
