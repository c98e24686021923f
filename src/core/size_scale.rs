//! A byte count scaled to units of 1024 with one decimal below ten, in
//! integers. `format!("{:.1}", f64)` does the same but links the float
//! formatting code (Grisu and Dragon4 with their tables, 13.7 KB of the
//! wasm, 6.5 KB gzip) for this one use.

/// `bytes` as `whole[.tenth]` of unit number `unit` (0: KB, 1: MB, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaledBytes {
    pub unit: usize,
    pub whole: u64,
    /// The one decimal, present when the value is below ten.
    pub tenth: Option<u8>,
}

/// `None` below 1024 (plain bytes). Otherwise the largest of `units` units
/// (KB first) that leaves at least 1, rounded as `{:.1}`/`{:.0}` of the
/// exact quotient round it: to nearest, ties to even.
pub fn scale_bytes(bytes: u64, units: usize) -> Option<ScaledBytes> {
    if bytes < 1024 || units == 0 {
        return None;
    }
    let mut unit = 0;
    while unit + 1 < units && unit < 5 && bytes >> (10 * (unit + 2)) > 0 {
        unit += 1;
    }
    let shift = 10 * (unit as u32 + 1);
    let below_ten = bytes >> shift < 10;
    let scaled = u128::from(bytes) * if below_ten { 10 } else { 1 };
    let divisor = 1u128 << shift;
    let (mut rounded, rest) = (scaled / divisor, scaled % divisor);
    if 2 * rest > divisor || (2 * rest == divisor && rounded % 2 == 1) {
        rounded += 1;
    }
    // At most u64::MAX * 10 / 1024 after rounding: fits.
    let rounded = u64::try_from(rounded).unwrap_or(u64::MAX);
    Some(if below_ten {
        ScaledBytes {
            unit,
            whole: rounded / 10,
            tenth: Some((rounded % 10) as u8),
        }
    } else {
        ScaledBytes {
            unit,
            whole: rounded,
            tenth: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: u64) -> String {
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

    #[test]
    fn scales_and_rounds() {
        assert_eq!(scale_bytes(1023, 5), None);
        assert_eq!(text(1024), "1.0 KB");
        assert_eq!(text(1536), "1.5 KB");
        // 1.25 KB and 1.35 KB: ties to even, as float formatting.
        assert_eq!(text(1280), "1.2 KB");
        assert_eq!(text(1024 + 1024 * 35 / 100 + 1), "1.4 KB");
        assert_eq!(text(10 * 1024 - 1), "10.0 KB");
        assert_eq!(text(10 * 1024), "10 KB");
        assert_eq!(text(1024 * 1024 - 1), "1024 KB");
        assert_eq!(text(20 * 1024 * 1024), "20 MB");
        assert_eq!(text(1 << 30), "1.0 GB");
        assert_eq!(text(u64::MAX), "16384 PB");
        // Fewer units: the last one grows.
        assert_eq!(
            scale_bytes(1 << 40, 2),
            Some(ScaledBytes {
                unit: 1,
                whole: 1 << 20,
                tenth: None
            })
        );
        assert_eq!(scale_bytes(1 << 40, 0), None);
    }

    /// What `format_bytes` printed with floats; identical below 2^53 bytes
    /// (8 PiB), where `u64 as f64` starts rounding.
    #[cfg(not(target_arch = "wasm32"))]
    fn with_floats(bytes: u64) -> String {
        const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
        if bytes < 1024 {
            return format!("{bytes} B");
        }
        let mut value = bytes as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit < UNITS.len() - 1 {
            value /= 1024.0;
            unit += 1;
        }
        if value < 10.0 {
            format!("{:.1} {}", value, UNITS[unit])
        } else {
            format!("{:.0} {}", value, UNITS[unit])
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod against_floats {
        use proptest::prelude::*;

        use super::*;

        #[test]
        fn near_every_boundary_and_tie() {
            for k in 10..53 {
                for d in 0..300u64 {
                    for bytes in [(1u64 << k) + d, (1u64 << k) - d] {
                        assert_eq!(text(bytes), with_floats(bytes), "{bytes}");
                    }
                }
            }
            for k in 1..=5u32 {
                for m in 0..20_000u64 {
                    let bytes = m * (1u64 << (10 * k)) / 20;
                    if bytes >= 1 << 53 {
                        break;
                    }
                    assert_eq!(text(bytes), with_floats(bytes), "{bytes}");
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(20_000))]
            #[test]
            fn same_text(bytes in 0u64..(1 << 53), shift in 0u32..53) {
                let bytes = bytes >> shift;
                prop_assert_eq!(text(bytes), with_floats(bytes));
            }
        }
    }
}
