//! How the bytes a request has sent divide among the files it carries.
//! The browser counts the whole multipart body, framing included, so the
//! fraction sent is scaled to the files' own bytes; a batch's files go out
//! in list order, so the first ones fill first.

/// Each file's bytes sent, for `loaded` of the body's `total` bytes out and
/// files of `sizes` in body order.
pub fn file_shares(loaded: u64, total: u64, sizes: &[u64]) -> Vec<u64> {
    let size: u64 = sizes.iter().sum();
    // In integers: a float product may come out a byte short, and a report
    // of every byte (Flow's, whose total is the file) must stay exact.
    let sent = if total == 0 {
        0
    } else {
        let scaled = u128::from(loaded.min(total)) * u128::from(size) / u128::from(total);
        u64::try_from(scaled).unwrap_or(size)
    };
    let mut before = 0u64;
    sizes
        .iter()
        .map(|&own| {
            let share = sent.saturating_sub(before).min(own);
            before = before.saturating_add(own);
            share
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_counts_its_own_bytes_not_the_framing() {
        // 1,000 bytes of file in a 1,200-byte body.
        assert_eq!(file_shares(600, 1_200, &[1_000]), [500]);
        assert_eq!(file_shares(1_200, 1_200, &[1_000]), [1_000]);
    }

    #[test]
    fn a_batch_fills_its_files_in_order() {
        let sizes = [100, 300, 100];
        assert_eq!(file_shares(0, 500, &sizes), [0, 0, 0]);
        assert_eq!(file_shares(250, 500, &sizes), [100, 150, 0]);
        assert_eq!(file_shares(500, 500, &sizes), [100, 300, 100]);
    }

    #[test]
    fn a_report_in_the_files_own_bytes_is_exact() {
        // Where the body is the file (Flow reports the file's bytes), every
        // count comes back as it went in; a float product lost a byte on
        // some of these.
        for size in [1_000_003u64, 123_456_789, 9_007_199_254_740_993] {
            for loaded in [1, size / 3, size / 7 * 5, size - 1, size] {
                assert_eq!(
                    file_shares(loaded, size, &[size]),
                    [loaded],
                    "{loaded} of {size}"
                );
            }
        }
    }

    #[test]
    fn odd_reports_stay_within_the_files() {
        // No total yet, or more reported than the body holds.
        assert_eq!(file_shares(10, 0, &[5, 5]), [0, 0]);
        assert_eq!(file_shares(900, 500, &[100, 300]), [100, 300]);
        assert_eq!(file_shares(1, 2, &[]), Vec::<u64>::new());
    }
}
