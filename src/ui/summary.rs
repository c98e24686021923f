use leptos::prelude::*;

use super::Controller;
use crate::core::{format_bytes, format_duration, QueueSummary};

/// One line over the whole list: files done of total, bytes, and while
/// anything is running, speed and time left.
#[component]
pub fn Summary(controller: Controller) -> impl IntoView {
    let line = move || {
        let QueueSummary {
            done,
            counted,
            running,
            sent,
            total,
        } = controller.queue.with(|q| q.summary());
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
