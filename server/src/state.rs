use std::sync::Arc;

use crate::config::Config;
use crate::storage::Storage;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub storage: Storage,
}
