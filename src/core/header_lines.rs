//! A header's value read from the text of `getAllResponseHeaders()`. An
//! XHR's `getResponseHeader()` logs "Refused to get unsafe header" for
//! each header a cross-origin answer does not expose, on every upload;
//! the whole list holds only the exposed ones, and asking it says nothing.

/// The value of `name` (any case) in `lines` (`name: value` per line, CR
/// LF between them), its values joined with ", " when it repeats, as
/// `getResponseHeader()` gives them; `None` when it is not there.
pub fn header_value(lines: &str, name: &str) -> Option<String> {
    let values: Vec<&str> = lines
        .split("\r\n")
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_header_in_any_case_and_joins_repeats() {
        let lines = "content-type: application/json\r\nRetry-After: 120\r\nx-a: 1\r\nx-a: 2\r\n";
        assert_eq!(header_value(lines, "retry-after").as_deref(), Some("120"));
        assert_eq!(header_value(lines, "X-A").as_deref(), Some("1, 2"));
        assert_eq!(header_value(lines, "date"), None);
        assert_eq!(header_value("", "retry-after"), None);
        // A value with a colon of its own (an HTTP date).
        let dated = "retry-after: Wed, 21 Oct 2026 07:28:00 GMT\r\n";
        assert_eq!(
            header_value(dated, "retry-after").as_deref(),
            Some("Wed, 21 Oct 2026 07:28:00 GMT")
        );
    }
}
