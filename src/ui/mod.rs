//! Leptos components. They read state through signals and send intents to the
//! [`Controller`]; no upload decision is made here.

mod before_add;
mod bulk_actions;
mod controller;
mod drop_target;
mod drop_zone;
mod events;
mod file_row;
mod focus;
mod focus_keeper;
mod kept_list;
mod options;
mod page_drop;
mod page_paste;
mod summary;
mod theme;
mod widget;

pub use before_add::BeforeAdd;
pub use controller::{AttachStatus, Controller};
pub use events::{EventFile, EventHandler, WidgetEvent};
pub use options::WidgetOptions;
pub use theme::Theme;
pub use widget::{ControlledWidget, TrackerAttachments};
