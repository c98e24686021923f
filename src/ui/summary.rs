use leptos::prelude::*;

use super::bulk_actions::BulkActions;
use super::Controller;
use crate::core::{Key, QueueSummary};

/// One line over the whole list: files done of total, bytes, and while
/// bytes go out, speed and time left, or, offline, that the uploads
/// wait for the connection; beside it, the buttons that
/// act on many rows at once (retry the failed ones, remove the refused).
#[component]
pub fn Summary(controller: Controller) -> impl IntoView {
    let line = move || {
        let QueueSummary {
            done,
            counted,
            running,
            sent: sent_bytes,
            total,
            left,
            sending,
            ..
        } = controller.queue.with(|q| q.summary());
        if counted == 0 {
            return String::new();
        }
        let wording = controller.wording.get();
        let (sent, total_shown) = (wording.bytes(sent_bytes), wording.bytes(total));
        let done_shown = done.to_string();
        let mut text = wording.count(
            Key::Summary,
            counted,
            &[&done_shown, &sent, &total_shown],
            |m| (m.summary)(done, counted, &sent, &total_shown),
        );
        if running && !controller.online.get() {
            text.push_str(" · ");
            text.push_str(&wording.text(Key::Offline));
        } else if sending {
            // Only while bytes go out: files waiting to retry, or sent in
            // full and waiting for the answer, have no speed or time left.
            if let Some(speed) = controller.speed.get().filter(|s| *s > 0.0) {
                let left = left as f64 / speed;
                let (speed, left) = (wording.bytes(speed as u64), wording.duration(left));
                text.push_str(" · ");
                text.push_str(&wording.say(Key::SpeedAndTimeLeft, &[&speed, &left], |m| {
                    (m.speed_and_time_left)(&speed, &left)
                }));
            }
        }
        text
    };
    view! {
        <div class="ta-summary-bar" data-ta="summary-bar">
            <p class="ta-summary" part="summary" data-ta="summary">{line}</p>
            <BulkActions controller=controller/>
        </div>
    }
}
