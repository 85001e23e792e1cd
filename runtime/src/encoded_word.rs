//! RFC 2047 encoded words (`=?charset?Q?text?=`, `=?charset?B?text?=`) in a file name, and what a
//! Java multipart parser reads such a name as.
//!
//! Apache Commons FileUpload (which Java servers use to read multipart bodies) decodes encoded
//! words in a part's `filename`, so a name sent as `=?UTF-8?Q?evil.exe?=` is stored as
//! `evil.exe`: the name checked before sending would not be the name stored. This module finds
//! such words and decodes them, so that the name can be refused with what it would become.
//!
//! The scan is linear in the name's length and never panics, whatever the input.

/// What a decoder of RFC 2047 encoded words reads a text as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    /// The text holds no encoded word: it is read as it is.
    Plain,
    /// The text holds encoded words; decoded, it reads as this.
    Decoded(String),
    /// The text holds encoded words, at least one of which this module cannot decode (a charset
    /// it does not know, or text that is not valid Q or B encoding); a server might still.
    Undecodable,
}

/// Reads `text` as a lenient RFC 2047 decoder does: each encoded word, wherever it starts, is
/// replaced by its decoded text, and the spaces and tabs between two encoded words are dropped
/// (RFC 2047 section 6.2). Charsets known here: UTF-8, ISO-8859-1 (Latin-1) and US-ASCII;
/// malformed bytes decode to U+FFFD, as Java's decoders do.
pub(crate) fn read(text: &str) -> Reading {
    let bytes = text.as_bytes();
    let mut scanner = Scanner::new(bytes);
    let mut out = String::new();
    let mut found = false;
    let mut undecodable = false;
    // The start of the text not yet copied to `out`, and whether the last thing copied was a
    // decoded word (so that whitespace up to the next encoded word is dropped).
    let mut copied = 0;
    let mut after_word = false;
    let mut at = 0;
    while let Some(start) = find_marker(bytes, at) {
        let Some(word) = scanner.word_at(start) else {
            at = start + 1;
            continue;
        };
        found = true;
        let between = &text[copied..start];
        if !(after_word && between.bytes().all(|b| b == b' ' || b == b'\t')) {
            out.push_str(between);
        }
        match word.decode(bytes) {
            Some(decoded) => out.push_str(&decoded),
            None => undecodable = true,
        }
        copied = word.end;
        after_word = true;
        at = word.end;
    }
    if !found {
        return Reading::Plain;
    }
    if undecodable {
        return Reading::Undecodable;
    }
    out.push_str(&text[copied..]);
    Reading::Decoded(out)
}

/// The offset of the next `=?` at or after `from`.
fn find_marker(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    rest.windows(2)
        .position(|pair| pair == b"=?")
        .map(|offset| from + offset)
}

/// One encoded word's parts, as offsets into the text.
struct Word {
    /// The charset (without any RFC 2231 `*language` suffix).
    charset: (usize, usize),
    /// `Q` or `B`, either case.
    encoding: u8,
    /// The encoded text, between the third `?` and the closing `?=`.
    encoded: (usize, usize),
    /// The offset just past the closing `?=`.
    end: usize,
}

impl Word {
    /// The decoded text, or `None` if the charset is unknown or the encoding invalid.
    fn decode(&self, bytes: &[u8]) -> Option<String> {
        let charset = bytes.get(self.charset.0..self.charset.1)?;
        let encoded = bytes.get(self.encoded.0..self.encoded.1)?;
        let raw = match self.encoding {
            b'Q' | b'q' => decode_q(encoded)?,
            _ => decode_b(encoded)?,
        };
        decode_charset(charset, &raw)
    }
}

/// Finds encoded words, remembering where the next `?=` and the next whitespace are so that
/// trying every `=?` in a long name stays linear.
struct Scanner<'a> {
    bytes: &'a [u8],
    /// The offset of the first `?=` at or after some earlier position (`None`: none left).
    next_close: Option<Option<usize>>,
    /// The offset of the first space or tab at or after some earlier position.
    next_space: Option<Option<usize>>,
}

impl<'a> Scanner<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Scanner {
            bytes,
            next_close: None,
            next_space: None,
        }
    }

    /// The encoded word starting at `start` (where `=?` is), if one does: `=?`, a charset of one
    /// or more characters other than `?` and whitespace, `?`, `Q` or `B` (either case), `?`, the
    /// encoded text (no whitespace), and the first `?=` after it.
    fn word_at(&mut self, start: usize) -> Option<Word> {
        let bytes = self.bytes;
        let charset_start = start + 2;
        let mut at = charset_start;
        while let Some(&b) = bytes.get(at) {
            if b == b'?' || is_space(b) {
                break;
            }
            at += 1;
        }
        if at == charset_start || bytes.get(at) != Some(&b'?') {
            return None;
        }
        let charset_end = at;
        let encoding = *bytes.get(at + 1)?;
        if !matches!(encoding, b'Q' | b'q' | b'B' | b'b') || bytes.get(at + 2) != Some(&b'?') {
            return None;
        }
        let encoded_start = at + 3;
        let close = self.close_at_or_after(encoded_start)?;
        if self
            .space_at_or_after(encoded_start)
            .is_some_and(|space| space < close)
        {
            return None;
        }
        let language = bytes
            .get(charset_start..charset_end)?
            .iter()
            .position(|&b| b == b'*')
            .map_or(charset_end, |star| charset_start + star);
        Some(Word {
            charset: (charset_start, language),
            encoding,
            encoded: (encoded_start, close),
            end: close + 2,
        })
    }

    fn close_at_or_after(&mut self, from: usize) -> Option<usize> {
        let bytes = self.bytes;
        Self::next_at_or_after(&mut self.next_close, from, |at| {
            find_pair(bytes, at, *b"?=")
        })
    }

    fn space_at_or_after(&mut self, from: usize) -> Option<usize> {
        let bytes = self.bytes;
        Self::next_at_or_after(&mut self.next_space, from, |at| {
            bytes
                .get(at..)?
                .iter()
                .position(|&b| is_space(b))
                .map(|p| at + p)
        })
    }

    /// The cached offset if it is still at or after `from`, else a fresh search from `from`.
    /// Positions asked for only grow, so each byte is searched over at most once.
    fn next_at_or_after(
        cache: &mut Option<Option<usize>>,
        from: usize,
        search: impl FnOnce(usize) -> Option<usize>,
    ) -> Option<usize> {
        match *cache {
            Some(None) => None,
            Some(Some(found)) if found >= from => Some(found),
            _ => {
                let found = search(from);
                *cache = Some(found);
                found
            }
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn find_pair(bytes: &[u8], from: usize, pair: [u8; 2]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(2)
        .position(|w| w == pair)
        .map(|p| from + p)
}

/// The Q encoding: `_` is a space, `=XX` a byte in hex, anything else itself.
fn decode_q(encoded: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(encoded.len());
    let mut bytes = encoded.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let high = hex(*bytes.next()?)?;
                let low = hex(*bytes.next()?)?;
                out.push(high << 4 | low);
            }
            b => out.push(b),
        }
    }
    Some(out)
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// The B encoding: base64 with the standard alphabet, `=` padding optional.
fn decode_b(encoded: &[u8]) -> Option<Vec<u8>> {
    let data = match encoded.iter().position(|&b| b == b'=') {
        Some(pad) if encoded[pad..].iter().all(|&b| b == b'=') && encoded.len() - pad <= 2 => {
            &encoded[..pad]
        }
        Some(_) => return None,
        None => encoded,
    };
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 3);
    let mut accumulated = 0u32;
    let mut bits = 0;
    for &b in data {
        accumulated = accumulated << 6 | u32::from(sextet(b)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((accumulated >> bits) & 0xff) as u8);
            accumulated &= (1 << bits) - 1;
        }
    }
    // Six leftover bits cannot end a base64 text (one character alone encodes no byte).
    (bits != 6).then_some(out)
}

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Bytes in the named charset as text, or `None` for a charset not known here.
fn decode_charset(charset: &[u8], raw: &[u8]) -> Option<String> {
    let name = String::from_utf8_lossy(charset).to_ascii_lowercase();
    match name.as_str() {
        "utf-8" | "utf8" => Some(String::from_utf8_lossy(raw).into_owned()),
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" => {
            Some(raw.iter().map(|&b| char::from(b)).collect())
        }
        "us-ascii" | "ascii" => Some(
            raw.iter()
                .map(|&b| {
                    if b.is_ascii() {
                        char::from(b)
                    } else {
                        '\u{fffd}'
                    }
                })
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Reading {
        read(text)
    }

    #[test]
    fn q_and_b_words_decode_in_either_case() {
        for (text, expected) in [
            ("=?UTF-8?Q?evil.exe?=", "evil.exe"),
            ("=?utf-8?q?evil.exe?=", "evil.exe"),
            ("=?UTF-8?B?ZXZpbC5leGU=?=", "evil.exe"),
            ("=?UTF-8?b?ZXZpbC5leGU?=", "evil.exe"),
            ("=?UTF-8?Q?na=C3=AFve_name.pdf?=", "naïve name.pdf"),
            ("=?ISO-8859-1?Q?na=EFve.txt?=", "naïve.txt"),
            ("=?US-ASCII?Q?a=FF.txt?=", "a\u{fffd}.txt"),
            ("=?UTF-8*en?Q?x.exe?=", "x.exe"),
            ("=?UTF-8?Q??=", ""),
        ] {
            assert_eq!(decoded(text), Reading::Decoded(expected.into()), "{text}");
        }
    }

    #[test]
    fn text_around_words_is_kept_and_space_between_words_dropped() {
        assert_eq!(
            decoded("report =?UTF-8?Q?evil?= \t =?UTF-8?Q?.exe?= copy"),
            Reading::Decoded("report evil.exe copy".into())
        );
        assert_eq!(decoded("a=?UTF-8?Q?b?=c"), Reading::Decoded("abc".into()));
    }

    #[test]
    fn names_without_a_whole_word_are_plain() {
        for text in [
            "report.pdf",
            "a=?b.txt",
            "=?",
            "=?UTF-8?Q?unterminated.exe",
            "=?UTF-8?X?unknown-encoding?=",
            "=??Q?no-charset?=",
            "=?UTF-8?Q?has space?=",
            "=?UTF 8?Q?x?=",
            "?=?=?=",
            "=?UTF-8?Q",
            "=?UTF-8?",
            "=?UTF-8?Q?=",
        ] {
            assert_eq!(decoded(text), Reading::Plain, "{text}");
        }
    }

    #[test]
    fn unknown_charsets_and_bad_encodings_are_undecodable() {
        for text in [
            "=?KOI8-R?Q?x?=",
            "=?UTF-8?B?not*base64?=",
            "=?UTF-8?B?Q?=",
            "=?UTF-8?B?QQ=x?=",
            "=?UTF-8?B?QQ===?=",
            "=?UTF-8?Q?bad=ZZ?=",
            "=?UTF-8?Q?cut=4?=",
        ] {
            assert_eq!(decoded(text), Reading::Undecodable, "{text}");
        }
    }

    #[test]
    fn invalid_utf8_decodes_to_the_replacement_character() {
        assert_eq!(
            decoded("=?UTF-8?B?/w==?=.txt"),
            Reading::Decoded("\u{fffd}.txt".into())
        );
        assert_eq!(
            decoded("=?UTF-8?Q?=C3?="),
            Reading::Decoded("\u{fffd}".into())
        );
    }

    #[test]
    fn huge_hostile_names_are_read_quickly() {
        let started = std::time::Instant::now();
        for unit in [
            "=?",
            "=?a?q?",
            "=?a?q?x?=",
            "=?a?b?/",
            "?=",
            "=?a?Q?x ",
            "=?é?",
        ] {
            let text = unit.repeat(200_000);
            let _ = read(&text);
        }
        let wordy = "=?a?q?x?=".repeat(100_000);
        assert_eq!(read(&wordy), Reading::Undecodable);
        let words = "=?UTF-8?Q?a?= ".repeat(100_000);
        assert_eq!(
            read(&words),
            Reading::Decoded(format!("{} ", "a".repeat(100_000)))
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn multibyte_text_next_to_markers_never_splits_a_character() {
        for text in [
            "é=?UTF-8?Q?x?=é",
            "=?é?Q?x?=",
            "=?UTF-8?Q?é?=",
            "€=?",
            "=?€",
        ] {
            let _ = read(text);
        }
        assert_eq!(read("é=?UTF-8?Q?x?=é"), Reading::Decoded("éxé".into()));
        assert_eq!(read("=?UTF-8?Q?é?="), Reading::Decoded("é".into()));
    }
}
