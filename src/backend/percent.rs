/// Percent-encodes a URL query or path component: everything but RFC 3986's
/// unreserved characters, so Cyrillic, spaces, `&` and `#` in filenames
/// survive the trip.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_non_ascii() {
        assert_eq!(encode_component("a b&c#d.png"), "a%20b%26c%23d.png");
        assert_eq!(
            encode_component("отчёт.pdf"),
            "%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf"
        );
        assert_eq!(encode_component("../x"), "..%2Fx");
        assert_eq!(encode_component("~_-."), "~_-.");
    }
}
