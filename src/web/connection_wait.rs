//! Upload requests in flight per origin, page-wide. Over HTTP/1.1 a browser
//! opens at most six connections to one host; a request beyond them waits,
//! unsent, until one is free. Several widgets on a page, or a high
//! concurrency beside thumbnails and attaches, can make that wait long, and
//! it is no stall: the watchdog must not give such a request up.

use std::cell::{Cell, RefCell};

/// Connections Chromium, Firefox and Safari open to one host over HTTP/1.1.
const CONNECTIONS_PER_HOST: usize = 6;

thread_local! {
    /// Every upload request in flight in this page's module: its number,
    /// in the order sent, and its origin.
    static IN_FLIGHT: RefCell<Vec<(u64, String)>> = const { RefCell::new(Vec::new()) };
    static NEXT: Cell<u64> = const { Cell::new(0) };
}

/// One upload request, counted from its send until it is dropped.
pub struct InFlight {
    number: u64,
    origin: String,
}

impl InFlight {
    /// Counts a request to `url` (read against the document's base, as
    /// `XMLHttpRequest` reads it).
    pub fn sent_to(url: &str) -> Self {
        let origin = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.base_uri().ok().flatten())
            .and_then(|base| web_sys::Url::new_with_base(url, &base).ok())
            .map(|u| u.origin())
            .unwrap_or_else(|| url.to_owned());
        let number = NEXT.with(|n| {
            let number = n.get();
            n.set(number + 1);
            number
        });
        IN_FLIGHT.with(|all| all.borrow_mut().push((number, origin.clone())));
        Self { number, origin }
    }

    /// Whether a full set of connections' worth of uploads to the same
    /// origin, sent before this one, are still in flight: then this one
    /// may be waiting for a connection rather than stalled.
    pub fn may_wait_for_a_connection(&self) -> bool {
        IN_FLIGHT.with(|all| {
            all.borrow()
                .iter()
                .filter(|(number, origin)| *number < self.number && *origin == self.origin)
                .count()
                >= CONNECTIONS_PER_HOST
        })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.with(|all| {
            all.borrow_mut()
                .retain(|(number, _)| *number != self.number)
        });
    }
}
