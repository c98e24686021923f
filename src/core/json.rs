//! The little JSON the widget exchanges: server answers read as loose
//! values, and the kept list and attach bodies written back. A hand-written
//! reader and writer instead of serde_json, whose generic deserializer,
//! error text and number formatting were about a sixth of the wasm.
//!
//! It reads what serde_json reads and refuses what it refuses (same grammar,
//! same nesting limit), with two deliberate differences: a number is kept as
//! the text the server wrote (so an id such as `3.5` or a 30-digit integer
//! comes through unchanged, and a number too large for a double is not an
//! error), and object members keep their document order (lookups take the
//! last of repeated keys, as serde_json's map does).

use std::fmt;

/// Deepest nesting of arrays and objects read, as serde_json's limit.
const MAX_DEPTH: usize = 127;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number exactly as written; valid JSON number syntax.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in document order, repeated keys included.
    Object(Vec<(String, Json)>),
}

/// Why a text is not JSON, and where (a byte offset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub reason: &'static str,
    pub offset: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl Json {
    /// Reads a whole text: one value with optional whitespace around it.
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut reader = Reader {
            bytes: text.as_bytes(),
            text,
            at: 0,
        };
        let value = reader.value(0)?;
        reader.skip_whitespace();
        if reader.at < reader.bytes.len() {
            return Err(reader.error("trailing characters"));
        }
        Ok(value)
    }

    /// A member of an object; the last one when the key repeats.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    /// A non-negative integer that fits in `u64`, written without fraction
    /// or exponent (what serde reads into a `u64`).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// The members of an object sorted by key, each key once with its last
    /// value: the order and content of serde_json's map.
    pub fn sorted_members(&self) -> Vec<(&str, &Json)> {
        let Json::Object(members) = self else {
            return Vec::new();
        };
        let mut sorted: Vec<(&str, &Json)> = members.iter().map(|(k, v)| (k.as_str(), v)).collect();
        // Stable: among equal keys the last one stays last.
        merge_sort_by_key(&mut sorted);
        let mut unique: Vec<(&str, &Json)> = Vec::with_capacity(sorted.len());
        for member in sorted {
            match unique.last_mut() {
                Some(last) if last.0 == member.0 => *last = member,
                _ => unique.push(member),
            }
        }
        unique
    }

    /// Compact JSON text, object keys sorted as serde_json writes its map.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Number(text) => out.push_str(text),
            Json::String(text) => write_string(out, text),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(_) => {
                out.push('{');
                for (i, (key, value)) in self.sorted_members().into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// The named members of an object read the way `#[derive(Deserialize)]`
    /// reads a struct: other members are skipped, a named one given twice
    /// is an error (the name is returned), a missing one is `None`.
    pub fn fields<'a, const N: usize>(
        &'a self,
        names: [&'static str; N],
    ) -> Result<[Option<&'a Json>; N], FieldError> {
        let Json::Object(members) = self else {
            return Err(FieldError::NotAnObject);
        };
        let mut found: [Option<&Json>; N] = [None; N];
        for (key, value) in members {
            if let Some(i) = names.iter().position(|name| name == key) {
                if found[i].replace(value).is_some() {
                    return Err(FieldError::Duplicate(names[i]));
                }
            }
        }
        Ok(found)
    }
}

/// A stable merge sort by key, O(n log n) on any input. `sort_by` would do,
/// but links 4.4 KB of std's sorting code into the wasm for this one use.
fn merge_sort_by_key<T: Copy>(items: &mut Vec<(&str, T)>) {
    let len = items.len();
    let mut from = items.clone();
    let mut width = 1;
    while width < len {
        let mut to = Vec::with_capacity(len);
        let mut start = 0;
        while start < len {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut left, mut right) = (start, middle);
            while left < middle || right < end {
                // The left run first among equal keys: stable.
                let take_left = right >= end || (left < middle && from[left].0 <= from[right].0);
                if take_left {
                    to.push(from[left]);
                    left += 1;
                } else {
                    to.push(from[right]);
                    right += 1;
                }
            }
            start = end;
        }
        from = to;
        width *= 2;
    }
    *items = from;
}

/// Why an object could not be read as a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldError {
    NotAnObject,
    Duplicate(&'static str),
    Missing(&'static str),
    WrongType(&'static str),
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, name) = match self {
            FieldError::NotAnObject => return f.write_str("not an object"),
            FieldError::Duplicate(name) => ("duplicate field", name),
            FieldError::Missing(name) => ("missing field", name),
            FieldError::WrongType(name) => ("wrong type of field", name),
        };
        write!(f, "{what} `{name}`")
    }
}

/// A required string field.
pub fn required_string(value: Option<&Json>, name: &'static str) -> Result<String, FieldError> {
    match value {
        Some(Json::String(text)) => Ok(text.clone()),
        Some(_) => Err(FieldError::WrongType(name)),
        None => Err(FieldError::Missing(name)),
    }
}

/// An optional string field: absent or `null` is `None`.
pub fn optional_string(
    value: Option<&Json>,
    name: &'static str,
) -> Result<Option<String>, FieldError> {
    match value {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(FieldError::WrongType(name)),
    }
}

/// A `u64` field; `default` when absent (`None`: required).
pub fn u64_field(
    value: Option<&Json>,
    name: &'static str,
    default: Option<u64>,
) -> Result<u64, FieldError> {
    match value {
        Some(value) => value.as_u64().ok_or(FieldError::WrongType(name)),
        None => default.ok_or(FieldError::Missing(name)),
    }
}

/// A JSON string literal of `text`, escaped as serde_json escapes it:
/// quote, backslash and control characters; everything else as is.
pub fn write_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn error(&self, reason: &'static str) -> JsonError {
        JsonError {
            reason,
            offset: self.at,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("end of text where a value was expected")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                for (word, value) in [
                    ("true", Json::Bool(true)),
                    ("false", Json::Bool(false)),
                    ("null", Json::Null),
                ] {
                    if self.bytes[self.at..].starts_with(word.as_bytes()) {
                        self.at += word.len();
                        return Ok(value);
                    }
                }
                Err(self.error("expected a value"))
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deep"));
        }
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deep"));
        }
        self.at += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.at += 1;
            members.push((key, self.value(depth)?));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        match self.digits() {
            0 => return Err(self.error("invalid number")),
            1 => {}
            _ if leading_zero => return Err(self.error("invalid number")),
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Json::Number(self.text[start..self.at].to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.error("end of text in an escape"))?;
        let mut value = 0;
        for &digit in digits {
            let nibble = char::from(digit)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid escape"))?;
            value = value * 16 + nibble;
        }
        self.at += 4;
        Ok(value)
    }

    /// A string literal; `self.at` is on its opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        let mut out = String::new();
        let mut start = self.at;
        loop {
            match self.peek() {
                None => return Err(self.error("end of text in a string")),
                Some(b'"') => {
                    out.push_str(&self.text[start..self.at]);
                    self.at += 1;
                    return Ok(out);
                }
                Some(0..=0x1f) => return Err(self.error("control character in a string")),
                Some(b'\\') => {
                    out.push_str(&self.text[start..self.at]);
                    self.at += 1;
                    let escaped = self
                        .peek()
                        .ok_or_else(|| self.error("end of text in an escape"))?;
                    self.at += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => {
                            self.at -= 1;
                            return Err(self.error("invalid escape"));
                        }
                    }
                    start = self.at;
                }
                // Multi-byte characters are copied whole with the run;
                // the text is a `str`, so they are valid already.
                Some(_) => self.at += 1,
            }
        }
    }

    /// After `\u`: one character, from a surrogate pair when it takes two.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xd800..=0xdbff => {
                if !self.bytes[self.at..].starts_with(b"\\u") {
                    return Err(self.error("lone surrogate in an escape"));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&second) {
                    return Err(self.error("lone surrogate in an escape"));
                }
                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
            }
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("lone surrogate in an escape"))
    }
}

#[cfg(test)]
mod tests;
