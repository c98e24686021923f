use super::timestamp::days_from_civil;
use super::UploadError;

/// When to try a failed request again: exponential backoff with jitter
/// (AWS's "equal jitter": half of `base · 2ⁿ`, capped, plus a uniform
/// delay up to the other half), so many widgets failing at once do not
/// come back at once. The random draw and the
/// clock are inputs, so tests need no sleeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay ceiling of the first retry, in milliseconds.
    pub base_ms: u64,
    /// No retry waits longer than this, whatever the attempt.
    pub cap_ms: u64,
    /// Tries in all, the first one included.
    pub max_attempts: u32,
    /// A server's `Retry-After` longer than this is not worth waiting for.
    pub max_retry_after_ms: u64,
}

/// Seven tries over 30 to 61 s of waits: a server restarting or being
/// deployed (tens of seconds) is ridden out, and a server that answers
/// every try at once with an error is said so within about a minute.
impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_ms: 1_000,
            cap_ms: 30_000,
            max_attempts: 7,
            max_retry_after_ms: 120_000,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this many milliseconds, then try again.
    RetryIn(u64),
    GiveUp,
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// `attempts` is how many tries have failed so far (1 after the first).
    /// `retry_after_ms` is the server's `Retry-After`, when it sent one.
    /// `random` is a uniform draw in `[0, 1)`.
    pub fn decide(
        &self,
        attempts: u32,
        error: &UploadError,
        retry_after_ms: Option<u64>,
        random: f64,
    ) -> RetryDecision {
        if !error.is_retryable() || attempts >= self.max_attempts {
            return RetryDecision::GiveUp;
        }
        if let Some(wait) = retry_after_ms {
            return if wait <= self.max_retry_after_ms {
                RetryDecision::RetryIn(wait)
            } else {
                RetryDecision::GiveUp
            };
        }
        let exponent = attempts.saturating_sub(1).min(32);
        let ceiling = self
            .base_ms
            .saturating_mul(1u64 << exponent)
            .min(self.cap_ms);
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // Half the ceiling for sure, the other half at random ("equal
        // jitter"): files that failed together spread out, and the waits
        // add up to at least half their ceilings, so a short outage is
        // outlasted however the draws fall.
        let half = ceiling / 2;
        RetryDecision::RetryIn(half + ((ceiling - half) as f64 * random) as u64)
    }
}

/// The part that completes a chunked (Flow) upload. The server assembles
/// the file when that part arrives and holds the request while it does;
/// past its own bound (the reference server: 55 s, under the 60 s read
/// timeout of common reverse proxies) it answers 503 with `Retry-After`,
/// and the part sent again waits for the same assembly. That answer is no
/// failure of the part: the file is on its way to becoming an attachment.
impl RetryPolicy {
    /// How long in all the completing part waits for a server still
    /// assembling: 30 minutes. Assembling 1 GiB (the reference server's
    /// limit) and passing it on to Tracker over a slow 1 MB/s upstream takes
    /// about 17 minutes; 30 leaves room for that, and still ends a row whose
    /// server never finishes within a person's patience.
    pub const ASSEMBLY_BUDGET_MS: u64 = 30 * 60 * 1000;

    /// A 503 held at least this long is one that waited for the assembly. A
    /// 503 at once is an assembly that failed (the reference server answers
    /// the same 503 then) or a server in trouble: an ordinary failure, as
    /// each try sends the last part again (up to twice the part size) and
    /// must not do so every second for half an hour.
    pub const ASSEMBLY_HELD_MS: u64 = 10_000;

    /// For a failure of the completing part: `Some(wait)` when it is the
    /// server still assembling (a 503 with `Retry-After`, held at least
    /// [`Self::ASSEMBLY_HELD_MS`]), so the part goes again after `wait`
    /// without the try counting against [`Self::max_attempts`]; `None` for
    /// anything else, which [`Self::decide`] settles as usual. `elapsed_ms`
    /// is how long the completing part has been at it since its first try;
    /// once `wait` would take it past [`Self::ASSEMBLY_BUDGET_MS`], the
    /// answer is an ordinary failure again. A `Retry-After` beyond
    /// [`Self::max_retry_after_ms`] is not waited for here either. Even a
    /// policy of no retries waits: the server asked for the part again, it
    /// did not refuse it.
    pub fn assembly_wait(
        &self,
        error: &UploadError,
        retry_after_ms: Option<u64>,
        held_ms: u64,
        elapsed_ms: u64,
    ) -> Option<u64> {
        let assembling = matches!(error, UploadError::Http { status: 503, .. })
            && held_ms >= Self::ASSEMBLY_HELD_MS;
        let wait = retry_after_ms.filter(|_| assembling)?;
        let within = wait <= self.max_retry_after_ms
            && elapsed_ms.saturating_add(wait) <= Self::ASSEMBLY_BUDGET_MS;
        within.then_some(wait)
    }
}

/// Reads a `Retry-After` header: delay-seconds or an HTTP date. `now_ms` and
/// the parsed date are milliseconds since the epoch.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.saturating_mul(1000));
    }
    parse_http_date(value).map(|at| at.saturating_sub(now_ms))
}

/// IMF-fixdate only (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110
/// requires senders to use.
fn parse_http_date(value: &str) -> Option<u64> {
    let mut parts = value.split_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    // Years outside this range are garbage from a server, and bounding them
    // keeps every sum below well inside u64.
    if parts.next()? != "GMT"
        || !(1970..=9999).contains(&year)
        || !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || s > 60
    {
        return None;
    }
    let days = u64::try_from(days_from_civil(year, month, day as i64)).ok()?;
    let secs = days
        .checked_mul(86_400)?
        .checked_add(h * 3600 + m * 60 + s)?;
    secs.checked_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> UploadError {
        UploadError::Http {
            status: code,
            message: String::new(),
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default();
        let max = |attempts| match policy.decide(attempts, &status(503), None, 0.999_999) {
            RetryDecision::RetryIn(ms) => ms,
            RetryDecision::GiveUp => panic!("gave up at {attempts}"),
        };
        assert_eq!(max(1), 999);
        assert_eq!(max(2), 1999);
        assert_eq!(max(3), 3999);
        let capped = RetryPolicy {
            max_attempts: 40,
            ..policy
        };
        assert_eq!(
            capped.decide(39, &status(503), None, 0.999_999),
            RetryDecision::RetryIn(29_999)
        );
    }

    #[test]
    fn jitter_spans_half_the_ceiling_to_all_of_it() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(2, &status(502), None, 0.0),
            RetryDecision::RetryIn(1000)
        );
        assert_eq!(
            policy.decide(2, &status(502), None, 0.5),
            RetryDecision::RetryIn(1500)
        );
        // A broken random source must not produce a huge or NaN wait.
        assert_eq!(
            policy.decide(2, &status(502), None, f64::NAN),
            RetryDecision::RetryIn(1000)
        );
        assert_eq!(
            policy.decide(2, &status(502), None, 7.0),
            RetryDecision::RetryIn(2000)
        );
    }

    #[test]
    fn the_default_outlasts_half_a_minute_and_gives_up_within_one() {
        let policy = RetryPolicy::default();
        let waits = |random: f64| -> u64 {
            (1..policy.max_attempts)
                .map(
                    |attempt| match policy.decide(attempt, &status(503), None, random) {
                        RetryDecision::RetryIn(ms) => ms,
                        RetryDecision::GiveUp => panic!("gave up at {attempt}"),
                    },
                )
                .sum()
        };
        assert_eq!(waits(0.0), 30_500);
        assert_eq!(waits(1.0), 61_000);
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let policy = RetryPolicy::default();
        assert!(matches!(
            policy.decide(6, &status(500), None, 0.1),
            RetryDecision::RetryIn(_)
        ));
        assert_eq!(
            policy.decide(7, &status(500), None, 0.1),
            RetryDecision::GiveUp
        );
        assert_eq!(
            RetryPolicy::none().decide(1, &status(500), None, 0.1),
            RetryDecision::GiveUp
        );
    }

    #[test]
    fn never_retries_client_errors() {
        let policy = RetryPolicy::default();
        for code in [400, 401, 403, 404, 413, 422] {
            assert_eq!(
                policy.decide(1, &status(code), None, 0.5),
                RetryDecision::GiveUp,
                "{code}"
            );
        }
        assert_eq!(
            policy.decide(1, &UploadError::Cancelled, None, 0.5),
            RetryDecision::GiveUp
        );
        assert!(matches!(
            policy.decide(1, &UploadError::Network("reset".into()), None, 0.5),
            RetryDecision::RetryIn(_)
        ));
    }

    #[test]
    fn honours_retry_after() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(1, &status(429), Some(7000), 0.0),
            RetryDecision::RetryIn(7000)
        );
        assert_eq!(
            policy.decide(1, &status(503), Some(3_600_000), 0.0),
            RetryDecision::GiveUp
        );
    }

    #[test]
    fn a_server_still_assembling_is_waited_for_without_counting() {
        let policy = RetryPolicy::default();
        let held = RetryPolicy::ASSEMBLY_HELD_MS;
        // The reference server: 503 and `Retry-After: 1` after 55 s.
        assert_eq!(
            policy.assembly_wait(&status(503), Some(1000), 55_000, 0),
            Some(1000)
        );
        // Far past the tries the policy allows: 30 waits of 56 s each.
        assert_eq!(
            policy.assembly_wait(&status(503), Some(1000), 55_000, 30 * 56_000),
            Some(1000)
        );
        // Even with no retries: the server asked for the part again.
        assert_eq!(
            RetryPolicy::none().assembly_wait(&status(503), Some(1000), held, 0),
            Some(1000)
        );
        // The budget spent: an ordinary failure, for `decide`.
        let spent = RetryPolicy::ASSEMBLY_BUDGET_MS - 500;
        assert_eq!(
            policy.assembly_wait(&status(503), Some(1000), 55_000, spent),
            None
        );
    }

    #[test]
    fn anything_but_a_held_503_with_retry_after_is_an_ordinary_failure() {
        let policy = RetryPolicy::default();
        let held = RetryPolicy::ASSEMBLY_HELD_MS;
        // At once: a failed assembly, or a server in trouble.
        assert_eq!(
            policy.assembly_wait(&status(503), Some(1000), held - 1, 0),
            None
        );
        // No `Retry-After`: a plain 503 (an injected fault, a proxy).
        assert_eq!(policy.assembly_wait(&status(503), None, 55_000, 0), None);
        for other in [500, 502, 504, 429] {
            assert_eq!(
                policy.assembly_wait(&status(other), Some(1000), 55_000, 0),
                None,
                "{other}"
            );
        }
        assert_eq!(
            policy.assembly_wait(&UploadError::Network("reset".into()), Some(1000), 55_000, 0),
            None
        );
        // Longer than the policy waits for anything: `decide` gives up.
        let long = policy.max_retry_after_ms + 1;
        assert_eq!(
            policy.assembly_wait(&status(503), Some(long), 55_000, 0),
            None
        );
        assert_eq!(
            policy.decide(1, &status(503), Some(long), 0.5),
            RetryDecision::GiveUp
        );
    }

    #[test]
    fn parses_retry_after_forms() {
        assert_eq!(parse_retry_after(" 120 ", 0), Some(120_000));
        // 1994-11-06T08:49:37Z is 784111777 s after the epoch.
        let at = 784_111_777_000;
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at - 5000),
            Some(5000)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at + 5000),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", 0), None);
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 25:49:37 GMT", 0), None);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 999999999999 08:49:37 GMT", 0),
            None
        );
        assert_eq!(parse_retry_after("Sun, 06 Nov -5 08:49:37 GMT", 0), None);
        assert_eq!(parse_retry_after("99999999999999999999", 0), None);
    }
}
