use leptos::prelude::*;

use super::bulk_actions::BulkActions;
use super::Controller;
use crate::core::QueueSummary;

/// One line over the whole list: files done of total, bytes, and while
/// anything is running, speed and time left, or, offline, that the uploads
/// wait for the connection; beside it, the buttons that
/// act on many rows at once (retry the failed ones, remove the refused).
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
        let locale = controller.locale.get();
        let m = locale.messages();
        let mut text = (m.summary)(done, counted, &locale.bytes(sent), &locale.bytes(total));
        if running && !controller.online.get() {
            text.push_str(" · ");
            text.push_str(m.offline);
        } else if running {
            if let Some(speed) = controller.speed.get().filter(|s| *s > 0.0) {
                let left = total.saturating_sub(sent) as f64 / speed;
                text.push_str(" · ");
                text.push_str(&(m.speed_and_time_left)(
                    &locale.bytes(speed as u64),
                    &locale.duration(left),
                ));
            }
        }
        text
    };
    view! {
        <div class="ta-summary-bar" data-ta="summary-bar">
            <p class="ta-summary" data-ta="summary">{line}</p>
            <BulkActions controller=controller/>
        </div>
    }
}
