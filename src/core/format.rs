use super::Locale;

/// A byte count in English: `0 B`, `999 B`, `1.5 KB`, `12 MB`. Units of
/// 1024, as file managers show them; one decimal below ten. The widget uses
/// [`Locale::bytes`] in the reader's language.
pub fn format_bytes(bytes: u64) -> String {
    Locale::En.bytes(bytes)
}

/// A time left in English: `5 s`, `2 min 5 s`, `1 h 3 min`. The widget uses
/// [`Locale::duration`] in the reader's language.
pub fn format_duration(seconds: f64) -> String {
    Locale::En.duration(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations() {
        assert_eq!(format_duration(0.2), "1\u{a0}s");
        assert_eq!(format_duration(59.0), "59\u{a0}s");
        assert_eq!(format_duration(60.0), "1\u{a0}min");
        assert_eq!(format_duration(125.0), "2\u{a0}min 5\u{a0}s");
        assert_eq!(format_duration(3600.0 + 180.0 + 7.0), "1\u{a0}h 3\u{a0}min");
        assert_eq!(format_duration(7200.0), "2\u{a0}h");
        assert_eq!(format_duration(f64::NAN), "–");
        assert_eq!(format_duration(-1.0), "–");
    }

    #[test]
    fn formats_units() {
        assert_eq!(format_bytes(0), "0\u{a0}B");
        assert_eq!(format_bytes(999), "999\u{a0}B");
        assert_eq!(format_bytes(1023), "1,023\u{a0}B");
        assert_eq!(format_bytes(1536), "1.5\u{a0}KB");
        assert_eq!(format_bytes(20 * 1024 * 1024), "20\u{a0}MB");
        assert_eq!(format_bytes(1 << 30), "1.0\u{a0}GB");
        assert_eq!(format_bytes(u64::MAX), "16384\u{a0}PB");
    }
}
