//! Which issue keys a request may carry in its path.

use super::percent::is_dot_segment;

/// Whether `key` can name an issue in a request path: not blank, and not
/// one the URL parser reads as `.` or `..` ([`is_dot_segment`]), which
/// would send the upload or the attach to the path above the issue (for
/// Tracker `/v2/attachments/`: a temporary file, while the row says the
/// file went onto the issue). Uploads onto an issue and attaches to one
/// refuse the key before a byte goes out.
pub fn usable_issue_key(key: &str) -> bool {
    let key = key.trim();
    !key.is_empty() && !is_dot_segment(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_dot_keys_name_no_issue() {
        for key in ["", "  ", ".", " .. ", "%2e", "%2E%2e", "%2E."] {
            assert!(!usable_issue_key(key), "{key:?}");
        }
        for key in ["DEMO-1", " DEMO-1 ", "...", "a.b", "10001"] {
            assert!(usable_issue_key(key), "{key:?}");
        }
    }
}
