//! When the live region says the browser is offline, and when it says it
//! is back: a screen-reader user hears "offline" once per outage, as soon
//! as there are files to wait (at the outage, or with the first files added
//! or retried during it), and "back online" only after having heard it.

use super::Announcement;

/// Whether "offline" has been said during the current outage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OfflineNews {
    told: bool,
}

impl OfflineNews {
    /// The browser went offline (`online` false) or came back, with files
    /// to upload or not (`waiting`): what to say, if anything.
    pub fn connectivity(&mut self, online: bool, waiting: bool) -> Option<Announcement> {
        let told = std::mem::replace(&mut self.told, !online && waiting);
        match (online, waiting) {
            (false, true) => Some(Announcement::WentOffline),
            (true, true) if told => Some(Announcement::BackOnline),
            _ => None,
        }
    }

    /// Files were added or retried; `offline` and `waiting` are as of now.
    /// "Offline" is said if the outage has not been told yet.
    pub fn files_waiting(&mut self, offline: bool, waiting: bool) -> Option<Announcement> {
        (offline && waiting && !std::mem::replace(&mut self.told, true))
            .then_some(Announcement::WentOffline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_with_files_waiting_is_told_once_and_its_end_too() {
        let mut news = OfflineNews::default();
        assert_eq!(
            news.connectivity(false, true),
            Some(Announcement::WentOffline)
        );
        // More files during it: already said.
        assert_eq!(news.files_waiting(true, true), None);
        assert_eq!(
            news.connectivity(true, true),
            Some(Announcement::BackOnline)
        );
    }

    #[test]
    fn an_idle_outage_is_told_with_the_first_files_that_wait() {
        let mut news = OfflineNews::default();
        assert_eq!(news.connectivity(false, false), None);
        // A drop refused whole leaves nothing waiting.
        assert_eq!(news.files_waiting(true, false), None);
        assert_eq!(
            news.files_waiting(true, true),
            Some(Announcement::WentOffline)
        );
        assert_eq!(news.files_waiting(true, true), None);
        assert_eq!(
            news.connectivity(true, true),
            Some(Announcement::BackOnline)
        );
        // Online, added files wait for nothing.
        assert_eq!(news.files_waiting(false, true), None);
    }

    #[test]
    fn back_online_is_not_said_where_offline_never_was() {
        let mut news = OfflineNews::default();
        assert_eq!(news.connectivity(false, false), None);
        assert_eq!(news.connectivity(true, true), None);
        // The next outage starts afresh.
        assert_eq!(
            news.connectivity(false, true),
            Some(Announcement::WentOffline)
        );
        assert_eq!(news.connectivity(true, false), None);
        assert_eq!(news.connectivity(false, false), None);
        assert_eq!(
            news.files_waiting(true, true),
            Some(Announcement::WentOffline)
        );
    }
}
