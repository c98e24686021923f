//! Server timestamps, read the same in every browser. Tracker and Jira
//! write `2026-11-22T10:46:50.499+0000`, an offset without a colon, which
//! not every browser's `Date.parse` reads.

/// Milliseconds since the Unix epoch of an ISO 8601 date and time with a
/// zone: `Z`, `±HH:MM` or `±HHMM`, seconds optionally with a fraction.
/// `None` for anything else, a time without a zone included (whose zone
/// nobody knows).
pub fn parse_timestamp_ms(text: &str) -> Option<f64> {
    let b = text.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    // Milliseconds from the fraction's first three digits (no float
    // parsing: it would link a few kilobytes of WebAssembly for this).
    let mut fraction_ms = 0;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        for place in 0..3 {
            let digit = b.get(start + place).filter(|_| start + place < i);
            fraction_ms = fraction_ms * 10 + digit.map_or(0, |d| i64::from(d - b'0'));
        }
    }
    let offset_minutes = match b.get(i..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), ..] => {
            let (h, m) = match b.len() - i {
                6 if at(i + 3, b':') => (num(i + 1, 2)?, num(i + 4, 2)?),
                5 => (num(i + 1, 2)?, num(i + 3, 2)?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = ((days * 24 + hour) * 60 + minute - offset_minutes) * 60 + second;
    Some((seconds * 1000 + fraction_ms) as f64)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`); HTTP dates (`Retry-After`) use it too.
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_servers_write() {
        // Expected values from Chromium's `Date.parse`.
        for (text, ms) in [
            ("1970-01-01T00:00:00Z", 0.0),
            ("2026-11-22T10:46:50.499+0000", 1_795_344_410_499.0),
            ("2000-02-29T12:00:00+03:00", 951_814_800_000.0),
            ("1999-12-31T23:59:59.5-05:30", 946_704_599_500.0),
            ("1999-12-31T23:59:59.12345Z", 946_684_799_123.0),
        ] {
            assert_eq!(parse_timestamp_ms(text), Some(ms), "{text}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_place_in_time() {
        for text in [
            "",
            "yesterday",
            "2026-11-22T10:46:50",
            "2026-11-22 10:46:50Z",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T10:46:50.Z",
            "2026-11-22T10:46:50+5",
            "2026-11-22T10:46:50+05:0",
            "2026-11-22T10:46:50+0500x",
            "２０２６-11-22T10:46:50Z",
        ] {
            assert_eq!(parse_timestamp_ms(text), None, "{text:?}");
        }
    }
}
