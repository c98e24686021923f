//! Running named stages with timing, and the closing summary. The output
//! format is what CI logs are read by: `==> stage NAME`, then
//! `<== stage NAME: ok|FAILED (12.3 s)`, and as the very last line
//! `N passed, N failed`.

use std::time::Instant;

pub struct Outcome {
    pub name: &'static str,
    pub ok: bool,
    pub seconds: f64,
}

pub fn run(name: &'static str, body: impl FnOnce() -> Result<(), String>) -> Outcome {
    println!("==> stage {name}");
    let started = Instant::now();
    let result = body();
    let seconds = started.elapsed().as_secs_f64();
    if let Err(message) = &result {
        println!("error: {message}");
    }
    let verdict = if result.is_ok() { "ok" } else { "FAILED" };
    println!("<== stage {name}: {verdict} ({seconds:.1} s)");
    Outcome {
        name,
        ok: result.is_ok(),
        seconds,
    }
}

/// The summary table; its last line is `N passed, N failed`.
pub fn summary(outcomes: &[Outcome]) -> String {
    let width = outcomes
        .iter()
        .map(|o| o.name.len())
        .chain(["stage".len()])
        .max()
        .unwrap_or(0);
    let mut text = format!("{:width$}  {:6}  {:>8}\n", "stage", "result", "seconds");
    for o in outcomes {
        let result = if o.ok { "ok" } else { "FAILED" };
        text.push_str(&format!(
            "{:width$}  {:6}  {:>8.1}\n",
            o.name, result, o.seconds
        ));
    }
    let passed = outcomes.iter().filter(|o| o.ok).count();
    let failed = outcomes.len() - passed;
    text.push_str(&format!("{passed} passed, {failed} failed"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_ends_with_the_counts() {
        let outcomes = [
            Outcome {
                name: "tools",
                ok: true,
                seconds: 0.04,
            },
            Outcome {
                name: "browser-tests",
                ok: false,
                seconds: 61.26,
            },
        ];
        let text = summary(&outcomes);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "stage          result   seconds");
        assert_eq!(lines[1], "tools          ok           0.0");
        assert_eq!(lines[2], "browser-tests  FAILED      61.3");
        assert_eq!(lines.last(), Some(&"1 passed, 1 failed"));
    }

    #[test]
    fn summary_of_nothing() {
        assert_eq!(summary(&[]).lines().last(), Some("0 passed, 0 failed"));
    }
}
