//! `--bwlimit`'s value: a byte rate such as `2M`, `500K`, `1.5M` or plain bytes, where `K`,
//! `M` and `G` are powers of 1024 (as rclone's `--bwlimit`).

/// The bytes `value` says (a number, a fraction allowed, with an optional suffix `K`, `M` or
/// `G` in either case, powers of 1024), rounded down; `None` when it is not such a number.
fn scaled(value: &str) -> Option<f64> {
    let trimmed = value.trim();
    let (number, multiplier) = match trimmed.char_indices().last() {
        Some((at, 'k' | 'K')) => (&trimmed[..at], 1024u64),
        Some((at, 'm' | 'M')) => (&trimmed[..at], 1024 * 1024),
        Some((at, 'g' | 'G')) => (&trimmed[..at], 1024 * 1024 * 1024),
        _ => (trimmed, 1),
    };
    let plain = !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.chars().filter(|&c| c == '.').count() <= 1
        && number.chars().any(|c| c.is_ascii_digit());
    if !plain {
        return None;
    }
    let amount: f64 = number.parse().ok()?;
    Some((amount * multiplier as f64).floor())
}

/// Bytes a second from `2M`, `500K`, `1.5M`, `1048576` (a suffix `K`, `M` or `G`, either case,
/// multiplies by 1024, 1024² or 1024³; a fraction is rounded down to whole bytes). At least 1
/// byte a second.
pub fn parse_byte_rate(value: &str) -> Result<u64, String> {
    let bytes = scaled(value).ok_or_else(|| {
        format!(
            "{value:?} is not a byte rate: give bytes a second as a number with an optional K, M or G (powers of 1024), such as 2M, 500K, 1.5M or 65536"
        )
    })?;
    if !(bytes.is_finite() && bytes < u64::MAX as f64) {
        return Err(format!(
            "{value:?} is more bytes a second than can be counted"
        ));
    }
    if bytes < 1.0 {
        return Err(format!(
            "{value:?} is under 1 byte a second: give a rate of at least 1"
        ));
    }
    Ok(bytes as u64)
}

/// A size in bytes, written as [`parse_byte_rate`] takes a rate (`10M`, `500K`, `4096`), 0
/// allowed.
pub fn parse_byte_size(value: &str) -> Result<u64, String> {
    let bytes = scaled(value).ok_or_else(|| {
        format!(
            "{value:?} is not a size: give bytes as a number with an optional K, M or G (powers of 1024), such as 10M, 500K, 1.5G or 4096"
        )
    })?;
    if !(bytes.is_finite() && bytes < u64::MAX as f64) {
        return Err(format!("{value:?} is more bytes than can be counted"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_take_binary_suffixes_and_fractions() {
        assert_eq!(parse_byte_rate("2M"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_byte_rate("500K"), Ok(500 * 1024));
        assert_eq!(parse_byte_rate("500k"), Ok(500 * 1024));
        assert_eq!(parse_byte_rate("1.5M"), Ok(1024 * 1024 * 3 / 2));
        assert_eq!(parse_byte_rate("1G"), Ok(1024 * 1024 * 1024));
        assert_eq!(parse_byte_rate("65536"), Ok(65536));
        assert_eq!(parse_byte_rate(".5K"), Ok(512));
        assert_eq!(parse_byte_rate("1.0001"), Ok(1));
    }

    #[test]
    fn garbage_is_refused_with_what_to_give() {
        for bad in [
            "", "M", "fast", "2MB", "2 M", "-1", "1..5M", "1e6", "inf", "NaN", "0", "0.5", "2T",
            "0x10", "١٢",
        ] {
            let Err(message) = parse_byte_rate(bad) else {
                panic!("{bad:?} was taken");
            };
            assert!(message.starts_with(&format!("{bad:?} is")), "{message}");
        }
        assert!(parse_byte_rate("99999999999999999999G").is_err());
    }

    #[test]
    fn sizes_are_written_as_rates_and_may_be_zero() {
        assert_eq!(parse_byte_size("0"), Ok(0));
        assert_eq!(parse_byte_size("10K"), Ok(10 * 1024));
        assert_eq!(parse_byte_size("1.5M"), Ok(1024 * 1024 * 3 / 2));
        for bad in ["", "K", "-1", "1 MB", "2T"] {
            assert!(
                parse_byte_size(bad).is_err_and(|m| m.contains("is not a size")),
                "{bad:?}"
            );
        }
    }
}
