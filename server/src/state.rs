use std::sync::Arc;

use crate::config::Config;
use crate::proxy::Proxy;
use crate::storage::Storage;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub storage: Storage,
    /// Set in proxy mode (`--upstream`).
    pub proxy: Option<Arc<Proxy>>,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.config.clock.now_millis()
    }

    /// Temporary attachments created before this instant have expired.
    pub fn temp_cutoff(&self) -> i64 {
        self.now().saturating_sub(self.config.temp_ttl_millis())
    }
}
