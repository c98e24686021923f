//! The Flow.js wire protocol (also spoken by Resumable.js): its parameters
//! and the rules a part must follow. Pure, so the rules are unit-tested here
//! and the handler only moves bytes.
//!
//! Flow.js cuts a file into `flowTotalChunks` parts of `flowChunkSize`
//! bytes; the last part takes the remainder, so it may be up to twice
//! `flowChunkSize` (with `forceChunkSize` it is at most `flowChunkSize`).

use crate::routes::MAX_FILE_NAME_BYTES;
use crate::storage::FlowDeclared;

/// More parts than this is a client bug or an attack, not a file.
pub const MAX_CHUNKS: u64 = 100_000;
/// Longest accepted parameter value (an identifier, a file name), in bytes.
pub const MAX_PARAM_LEN: usize = 64 * 1024;

/// One part as its parameters describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowChunk {
    pub number: u64,
    pub current_size: u64,
    pub declared: FlowDeclared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowProblem {
    /// A parameter is missing or not a number: 400.
    BadParams,
    /// The numbers contradict each other: 400.
    Mismatch,
    /// The whole file is over `--max-upload-bytes`: 413.
    TooLarge,
    /// `flowFilename` is longer than a stored name may be: 400.
    NameTooLong,
}

/// Whether a multipart field is one of the protocol's parameters.
pub fn is_param(name: &str) -> bool {
    name.starts_with("flow") || name.starts_with("resumable")
}

/// A parameter by its Flow.js name, or by Resumable.js's for the same thing
/// (`flowChunkNumber`, `resumableChunkNumber`): Resumable.js sends its own
/// names unless the page renames every one, and treats the 400 that a
/// missing parameter gets as final.
pub fn either_name(get: impl Fn(&str) -> Option<String>) -> impl Fn(&str) -> Option<String> {
    move |name| {
        get(name).or_else(|| {
            let rest = name.strip_prefix("flow")?;
            get(&format!("resumable{rest}"))
        })
    }
}

/// The test GET needs only these two.
pub fn identify(get: impl Fn(&str) -> Option<String>) -> Result<(String, u64), FlowProblem> {
    let get = either_name(get);
    let identifier = get("flowIdentifier")
        .filter(|s| !s.is_empty() && s.len() <= MAX_PARAM_LEN)
        .ok_or(FlowProblem::BadParams)?;
    let number = number_param(&get, "flowChunkNumber")?;
    Ok((identifier, number))
}

impl FlowChunk {
    /// Reads and checks every parameter; `max_total` is `--max-upload-bytes`.
    pub fn parse(
        get: impl Fn(&str) -> Option<String>,
        max_total: u64,
    ) -> Result<Self, FlowProblem> {
        let get = either_name(get);
        let (identifier, number) = identify(&get)?;
        let filename = get("flowFilename")
            .filter(|s| !s.is_empty() && s.len() <= MAX_PARAM_LEN)
            .ok_or(FlowProblem::BadParams)?;
        if filename.len() > MAX_FILE_NAME_BYTES {
            return Err(FlowProblem::NameTooLong);
        }
        let chunk = FlowChunk {
            number,
            current_size: number_param(&get, "flowCurrentChunkSize")?,
            declared: FlowDeclared {
                identifier,
                filename,
                total_size: number_param(&get, "flowTotalSize")?,
                chunk_size: number_param(&get, "flowChunkSize")?,
                total_chunks: number_param(&get, "flowTotalChunks")?,
            },
        };
        chunk.check(max_total)?;
        Ok(chunk)
    }

    fn check(&self, max_total: u64) -> Result<(), FlowProblem> {
        let FlowDeclared {
            total_size,
            chunk_size,
            total_chunks,
            ..
        } = self.declared;
        if total_size > max_total {
            return Err(FlowProblem::TooLarge);
        }
        if chunk_size == 0
            || total_chunks == 0
            || total_chunks > MAX_CHUNKS
            || self.number == 0
            || self.number > total_chunks
        {
            return Err(FlowProblem::Mismatch);
        }
        let last = self.last_chunk_size().ok_or(FlowProblem::Mismatch)?;
        let last_fits = last <= chunk_size.saturating_mul(2) && (last > 0 || total_size == 0);
        if !last_fits || self.current_size != self.expected_size() {
            return Err(FlowProblem::Mismatch);
        }
        Ok(())
    }

    /// What the last part must hold: the total less the full parts before it.
    fn last_chunk_size(&self) -> Option<u64> {
        let before = (self.declared.total_chunks - 1).checked_mul(self.declared.chunk_size)?;
        self.declared.total_size.checked_sub(before)
    }

    /// The exact size this part must have.
    pub fn expected_size(&self) -> u64 {
        if self.number == self.declared.total_chunks {
            self.last_chunk_size().unwrap_or(0)
        } else {
            self.declared.chunk_size
        }
    }
}

/// A count or size; past `i64::MAX` it cannot be stored (SQLite integers
/// are signed), and no real file comes near it.
fn number_param(get: &impl Fn(&str) -> Option<String>, name: &str) -> Result<u64, FlowProblem> {
    get(name)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&n| i64::try_from(n).is_ok())
        .ok_or(FlowProblem::BadParams)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn chunk(
        number: u64,
        current: u64,
        total: u64,
        size: u64,
        chunks: u64,
    ) -> Result<FlowChunk, FlowProblem> {
        let map = params(&[
            ("flowChunkNumber", &number.to_string()),
            ("flowCurrentChunkSize", &current.to_string()),
            ("flowTotalSize", &total.to_string()),
            ("flowChunkSize", &size.to_string()),
            ("flowTotalChunks", &chunks.to_string()),
            ("flowIdentifier", "25-ab"),
            ("flowFilename", "ab.txt"),
        ]);
        FlowChunk::parse(|k| map.get(k).cloned(), 1000)
    }

    #[test]
    fn flow_js_default_layout_last_part_takes_the_remainder() {
        // 25 bytes in parts of 10: floor(25/10) = 2 parts, the last of 15.
        assert!(chunk(1, 10, 25, 10, 2).is_ok());
        assert!(chunk(2, 15, 25, 10, 2).is_ok());
        assert_eq!(chunk(2, 10, 25, 10, 2), Err(FlowProblem::Mismatch));
        assert_eq!(chunk(1, 9, 25, 10, 2), Err(FlowProblem::Mismatch));
    }

    #[test]
    fn force_chunk_size_layout() {
        // ceil(25/10) = 3 parts: 10, 10, 5.
        assert!(chunk(3, 5, 25, 10, 3).is_ok());
        assert!(chunk(2, 10, 25, 10, 3).is_ok());
    }

    #[test]
    fn numbers_out_of_range() {
        assert_eq!(chunk(0, 10, 25, 10, 2), Err(FlowProblem::Mismatch));
        assert_eq!(chunk(3, 10, 25, 10, 2), Err(FlowProblem::Mismatch));
        // Totals that cannot add up: 4 parts of 10 need more than 25 bytes.
        assert_eq!(chunk(1, 10, 25, 10, 4), Err(FlowProblem::Mismatch));
        // A last part over twice the part size: 1 part of 25 with size 10.
        assert_eq!(chunk(1, 25, 25, 10, 1), Err(FlowProblem::Mismatch));
        assert_eq!(chunk(1, 10, 25, 0, 2), Err(FlowProblem::Mismatch));
        assert_eq!(chunk(1, 1, 200_000, 1, 200_000), Err(FlowProblem::TooLarge));
        assert_eq!(
            chunk(1, 0, 0, 1, MAX_CHUNKS + 1),
            Err(FlowProblem::Mismatch)
        );
        assert_eq!(chunk(1, 10, 2000, 10, 200), Err(FlowProblem::TooLarge));
        // Overflow in (chunks - 1) * size is a mismatch, not a panic.
        assert_eq!(
            chunk(1, 10, 25, i64::MAX as u64, 4),
            Err(FlowProblem::Mismatch)
        );
        // Past what the database holds: a bad parameter, not a database error.
        assert_eq!(chunk(1, 10, 25, u64::MAX, 3), Err(FlowProblem::BadParams));
    }

    #[test]
    fn resumable_js_names_are_read_too() {
        let map = params(&[
            ("resumableChunkNumber", "2"),
            ("resumableCurrentChunkSize", "15"),
            ("resumableTotalSize", "25"),
            ("resumableChunkSize", "10"),
            ("resumableTotalChunks", "2"),
            ("resumableIdentifier", "25-ab"),
            ("resumableFilename", "ab.txt"),
        ]);
        let chunk = FlowChunk::parse(|k| map.get(k).cloned(), 1000).unwrap();
        assert_eq!((chunk.number, chunk.current_size), (2, 15));
        assert_eq!(chunk.declared.identifier, "25-ab");
        assert_eq!(chunk.declared.filename, "ab.txt");
        assert_eq!(
            identify(|k| map.get(k).cloned()),
            Ok(("25-ab".to_owned(), 2))
        );
        // Flow.js's name wins where a request carries both.
        let both = params(&[
            ("flowIdentifier", "f"),
            ("resumableIdentifier", "r"),
            ("flowChunkNumber", "1"),
        ]);
        assert_eq!(identify(|k| both.get(k).cloned()), Ok(("f".to_owned(), 1)));
    }

    #[test]
    fn empty_file_is_one_empty_part() {
        assert!(chunk(1, 0, 0, 10, 1).is_ok());
        assert_eq!(chunk(1, 0, 5, 10, 2), Err(FlowProblem::Mismatch));
    }

    #[test]
    fn missing_or_malformed_params() {
        let map = params(&[("flowChunkNumber", "1")]);
        assert_eq!(
            FlowChunk::parse(|k| map.get(k).cloned(), 1000),
            Err(FlowProblem::BadParams)
        );
        let map = params(&[("flowChunkNumber", "x"), ("flowIdentifier", "a")]);
        assert_eq!(
            identify(|k| map.get(k).cloned()),
            Err(FlowProblem::BadParams)
        );
        let map = params(&[("flowChunkNumber", " 7 "), ("flowIdentifier", "a")]);
        assert_eq!(identify(|k| map.get(k).cloned()), Ok(("a".into(), 7)));
        let map = params(&[("flowChunkNumber", "-1"), ("flowIdentifier", "a")]);
        assert_eq!(
            identify(|k| map.get(k).cloned()),
            Err(FlowProblem::BadParams)
        );
        let map = params(&[
            ("flowChunkNumber", "9223372036854775808"),
            ("flowIdentifier", "a"),
        ]);
        assert_eq!(
            identify(|k| map.get(k).cloned()),
            Err(FlowProblem::BadParams)
        );
        let map = params(&[
            ("flowChunkNumber", "9223372036854775807"),
            ("flowIdentifier", "a"),
        ]);
        assert_eq!(
            identify(|k| map.get(k).cloned()),
            Ok(("a".into(), i64::MAX as u64))
        );
    }
}
