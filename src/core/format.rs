use super::{scale_bytes, ScaledBytes};

/// A byte count as a person reads it: `0 B`, `999 B`, `1.5 KB`, `12 MB`.
/// Units of 1024, as file managers show them; one decimal below ten.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    match scale_bytes(bytes, UNITS.len()) {
        None => format!("{bytes} B"),
        Some(ScaledBytes {
            unit,
            whole,
            tenth: Some(tenth),
        }) => format!("{whole}.{tenth} {}", UNITS[unit]),
        Some(ScaledBytes { unit, whole, .. }) => format!("{whole} {}", UNITS[unit]),
    }
}

/// A time left as a person reads it: `5 s`, `2 min 5 s`, `1 h 3 min`.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "–".to_owned();
    }
    let total = seconds.ceil() as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) if s == 0 => format!("{m} min"),
        (0, _) => format!("{m} min {s} s"),
        _ if m == 0 => format!("{h} h"),
        _ => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations() {
        assert_eq!(format_duration(0.2), "1 s");
        assert_eq!(format_duration(59.0), "59 s");
        assert_eq!(format_duration(60.0), "1 min");
        assert_eq!(format_duration(125.0), "2 min 5 s");
        assert_eq!(format_duration(3600.0 + 180.0 + 7.0), "1 h 3 min");
        assert_eq!(format_duration(7200.0), "2 h");
        assert_eq!(format_duration(f64::NAN), "–");
        assert_eq!(format_duration(-1.0), "–");
    }

    #[test]
    fn formats_units() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(1023), "1023 B");
        assert_eq!(format_bytes(1536), "1.5 KB");
        assert_eq!(format_bytes(20 * 1024 * 1024), "20 MB");
        assert_eq!(format_bytes(1 << 30), "1.0 GB");
        assert_eq!(format_bytes(u64::MAX), "16384 PB");
    }
}
