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

/// Whether `text`, as one segment of a URL path, could be read as `.` or
/// `..`. Encoding does not help there: `.` is unreserved, and the URL
/// parser reads `%2e` as a dot too, then drops a `.` segment and, for
/// `..`, the segment before it, so an issue key `..` turns
/// `/v2/issues/../attachments/` into `/v2/attachments/` and an id `..` a
/// deletion of one attachment into one of the issue. Decoded until nothing
/// is left to decode, because a server or a proxy in front of it may
/// decode once more than the browser (`%252e` → `%2e` → `.`).
pub fn is_dot_segment(text: &str) -> bool {
    let mut bytes = text.as_bytes().to_vec();
    loop {
        let decoded = decode_once(&bytes);
        if decoded == bytes {
            break;
        }
        bytes = decoded;
    }
    matches!(bytes.as_slice(), b"." | b"..")
}

/// `text` as a path segment, or `None` when it could be read as `.` or `..`
/// ([`is_dot_segment`]): for the requests whose caller can be told no.
pub fn path_segment(text: &str) -> Option<String> {
    (!is_dot_segment(text)).then(|| encode_component(text))
}

/// `text` as a path segment for a request that has to be built whatever
/// the caller gave (its builder cannot fail). A dot segment is encoded
/// twice, so that the browser keeps it and the server reads a key that
/// names nothing (`%2E%2E`) and answers 404, instead of the request
/// landing on the path above. The widget refuses such keys before
/// sending ([`super::usable_issue_key`]); this only keeps a direct caller
/// of the builder from reaching another endpoint.
pub fn forced_path_segment(text: &str) -> String {
    match path_segment(text) {
        Some(segment) => segment,
        None => text.bytes().map(|byte| format!("%25{byte:02X}")).collect(),
    }
}

/// Percent-decodes one level; a `%` not followed by two hex digits stays.
fn decode_once(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
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

    #[test]
    fn dot_segments_in_every_spelling_are_refused() {
        for text in [
            ".", "..", "%2e", "%2E", "%2e%2e", "%2E%2e", ".%2E", "%2e.", "%252e", "%252E%2e",
        ] {
            assert!(is_dot_segment(text), "{text}");
            assert_eq!(path_segment(text), None, "{text}");
        }
        for text in [
            "",
            "...",
            ".a",
            "a.",
            "DEMO-1",
            "%2",
            "%",
            "%zz",
            "%2e%2e%2e",
            "../x",
            "..%2Fx",
        ] {
            assert!(!is_dot_segment(text), "{text}");
        }
        assert_eq!(path_segment("DEMO 1").as_deref(), Some("DEMO%201"));
        assert_eq!(path_segment("...").as_deref(), Some("..."));
    }

    #[test]
    fn a_forced_dot_segment_cannot_be_read_as_a_dot() {
        assert_eq!(forced_path_segment(".."), "%252E%252E");
        assert_eq!(forced_path_segment("%2e"), "%2525%2532%2565");
        assert_eq!(forced_path_segment("DEMO-1"), "DEMO-1");
        // The URL parser reads these spellings as dot segments; a forced
        // segment is none of them (the server decodes it once, into a key
        // that names nothing, after the path was matched).
        let dots = [".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"];
        for text in [".", "..", "%2E%2e", "%2e."] {
            let forced = forced_path_segment(text).to_ascii_lowercase();
            assert!(!dots.contains(&forced.as_str()), "{forced}");
        }
    }
}
