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
        // The reference server seeds DEMO-1…DEMO-3: kept files can be
        // attached to DEMO-1 from the widget.
        issue: "DEMO-1".to_owned(),
        persist_key: "demo".to_owned(),
        ..WidgetOptions::default()
    };
    leptos::mount::mount_to_body(move || {
        view! {
            <main class="demo">
                <h1>"tracker-attachments"</h1>
                <p class="demo-lead">
                    "Files go to Yandex Tracker temporary attachments (POST /v2/attachments/) on the reference server; their ids are kept below (across a reload) to attach to DEMO-1 later."
                </p>
                <TrackerAttachments options=options/>
            </main>
        }
    });
}
