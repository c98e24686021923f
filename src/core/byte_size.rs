/// Parses a size as people write it in an attribute: `1048576`, `10MB`,
/// `1.5 GiB`, `512k`. `KB`, `MB` and `GB` mean the same powers of 1024 as
/// `KiB`, `MiB` and `GiB`: the widget shows sizes in units of 1024 named
/// KB, MB, GB (as file managers do), so `max-size="50MB"` must read back as
/// "at most 50 MB" (read as 50,000,000 it showed as 48 MB). `None` for
/// anything else (negative, fractional bytes, unknown unit, overflow), so
/// the caller can warn instead of guessing.
pub fn parse_byte_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "ki" | "kib" => 1 << 10,
        "m" | "mb" | "mi" | "mib" => 1 << 20,
        "g" | "gb" | "gi" | "gib" => 1 << 30,
        _ => return None,
    };
    match number.split_once('.') {
        None => number.parse::<u64>().ok()?.checked_mul(multiplier),
        Some((whole, fraction)) => {
            if multiplier == 1 || fraction.contains('.') || fraction.len() > 9 {
                return None;
            }
            let whole = whole.parse::<u64>().ok()?.checked_mul(multiplier)?;
            let scale = 10u64.pow(fraction.len() as u32);
            let fraction = fraction.parse::<u64>().ok()?.checked_mul(multiplier)? / scale;
            whole.checked_add(fraction)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_bytes_and_units() {
        assert_eq!(parse_byte_size("1048576"), Some(1_048_576));
        assert_eq!(parse_byte_size(" 10MB "), Some(10 << 20));
        assert_eq!(parse_byte_size("10 mib"), Some(10 << 20));
        assert_eq!(parse_byte_size("512k"), Some(512 << 10));
        assert_eq!(parse_byte_size("1.5gb"), Some(3 << 29));
        assert_eq!(parse_byte_size("1GiB"), Some(1 << 30));
        assert_eq!(parse_byte_size("1.5 GiB"), Some(3 << 29));
        assert_eq!(parse_byte_size("2.5MB"), Some(5 << 19));
        // Tenths of a unit stay whole bytes: 0.1 KB is 102 B.
        assert_eq!(parse_byte_size("0.1KB"), Some(102));
        assert_eq!(parse_byte_size("0"), Some(0));
        assert_eq!(parse_byte_size("7 B"), Some(7));
    }

    #[test]
    fn refuses_what_is_not_a_size() {
        for text in [
            "",
            "lots",
            "-1",
            "1.5",
            "1.",
            ".5MB",
            "1..5MB",
            "10 TB",
            "MB",
            "1e6",
            "1,5MB",
            "99999999999999999999",
            "18446744073709551615 GB",
        ] {
            assert_eq!(parse_byte_size(text), None, "{text:?}");
        }
    }
}
