use leptos::prelude::*;

use super::Controller;
use crate::core::{format_bytes, format_duration, EntryState};

/// One line over the whole list: files done of total, bytes, and while
/// anything is running, speed and time left.
#[component]
pub fn Summary(controller: Controller) -> impl IntoView {
    let line = move || {
        let (done, counted, running, sent, total) = controller.queue.with(|q| {
            let mut done = 0;
            let mut counted = 0;
            let mut running = false;
            for entry in q.entries() {
                match entry.state {
                    EntryState::Refused { .. } | EntryState::Cancelled => {}
                    EntryState::Done { .. } => {
                        done += 1;
                        counted += 1;
                    }
                    EntryState::Failed { .. } => counted += 1,
                    EntryState::Queued
                    | EntryState::Uploading { .. }
                    | EntryState::Retrying { .. } => {
                        counted += 1;
                        running = true;
                    }
                }
            }
            let (sent, total) = q.total_progress();
            (done, counted, running, sent, total)
        });
        if counted == 0 {
            return String::new();
        }
        let mut text = format!(
            "{done} of {counted} uploaded · {} of {}",
            format_bytes(sent),
            format_bytes(total)
        );
        if running {
            if let Some(speed) = controller.speed.get().filter(|s| *s > 0.0) {
                let left = total.saturating_sub(sent) as f64 / speed;
                text.push_str(&format!(
                    " · {}/s · {} left",
                    format_bytes(speed as u64),
                    format_duration(left)
                ));
            }
        }
        text
    };
    view! { <p class="ta-summary" data-ta="summary">{line}</p> }
}
