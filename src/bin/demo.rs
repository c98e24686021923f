//! The demo page built by Trunk: the widget against the reference server that
//! serves this page, with the server's development token.
//!
//! The token is for the reference server only and lives in memory; a
//! production page puts a proxy in front of Tracker instead.

use leptos::prelude::*;
use tracker_attachments::{Credentials, TrackerAttachments, WidgetOptions};

fn main() {
    let options = WidgetOptions {
        credentials: Credentials {
            token: Some("dev-token".to_owned()),
            org_id: Some("dev-org".to_owned()),
            ..Credentials::default()
        },
        ..WidgetOptions::default()
    };
    leptos::mount::mount_to_body(move || {
        view! {
            <main class="demo">
                <h1>"tracker-attachments"</h1>
                <p class="demo-lead">
                    "Files go to Yandex Tracker temporary attachments (POST /v2/attachments/) on the reference server; their ids are kept below to attach to an issue later."
                </p>
                <TrackerAttachments options=options/>
            </main>
        }
    });
}
