//! How the bytes a request has sent divide among the files it carries.
//! The browser counts the whole multipart body, framing included, so the
//! fraction sent is scaled to the files' own bytes; a batch's files go out
//! in list order, so the first ones fill first.

/// Each file's bytes sent, for `loaded` of the body's `total` bytes out and
/// files of `sizes` in body order.
pub fn file_shares(loaded: u64, total: u64, sizes: &[u64]) -> Vec<u64> {
    let size: u64 = sizes.iter().sum();
    let sent = if total == 0 {
        0
    } else {
        ((loaded.min(total) as f64 / total as f64) * size as f64) as u64
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
    fn odd_reports_stay_within_the_files() {
        // No total yet, or more reported than the body holds.
        assert_eq!(file_shares(10, 0, &[5, 5]), [0, 0]);
        assert_eq!(file_shares(900, 500, &[100, 300]), [100, 300]);
        assert_eq!(file_shares(1, 2, &[]), Vec::<u64>::new());
    }
}
