//! tracker-attachments: a drag-and-drop attachment uploader for Yandex Tracker
//! and Jira, written with Leptos and compiled to WebAssembly.
//!
//! Layers (see `shared/design/architecture.md`): [`core`] and [`backend`] are
//! pure Rust and decide everything; [`web`] does browser I/O; [`ui`] renders
//! signals and sends intents; [`element`] is the JavaScript face (the custom
//! element and `mount()`).

pub mod backend;
pub mod core;
pub mod element;
pub mod ui;
pub mod web;

// Run at build time by build.rs; here for its host tests.
#[cfg(test)]
#[path = "../build/css_min.rs"]
mod css_min;

pub use crate::backend::{AuthScheme, Credentials, OrgHeader, TrackerBackend};
pub use crate::core::{Attachment, KeptAttachments, Locale, UploadError, UploadQueue};
pub use crate::ui::{BeforeAdd, Theme, TrackerAttachments, WidgetOptions};
