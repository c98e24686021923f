//! When a moment of live-region news ends and is read out. News the user
//! just caused (files added, a bulk button, a deletion) ends its moment as
//! soon as the code telling it has run. News that comes on its own (an
//! upload finishing or failing) is read as soon, unless such news was read
//! less than [`GATHER_WINDOW_MS`] ago: then it waits out the rest of that
//! window and is read with what came meanwhile. Fifty files finishing
//! within half a second are two sentences ("a.txt uploaded", then "49
//! files uploaded"), not fifty that a screen reader queues or cuts off one
//! after another, and a lone upload is still heard at once. A drop's moment
//! waits up to the window for its folders to be read, so that a folder
//! with a loose file beside it is heard as one count of files added, not
//! in pieces. While such news keeps coming (fifty files finishing over
//! half a minute), each window is twice the last, up to
//! [`LONGEST_GATHER_MS`]: seven sentences, not one a second.

/// How long after news that came on its own more such news waits. About
/// the time a screen reader takes to say one such sentence.
pub const GATHER_WINDOW_MS: u64 = 1_000;

/// The longest a window grows to while news keeps coming.
pub const LONGEST_GATHER_MS: u64 = 8_000;

/// How soon a piece of news wants to be heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    /// The user's own doing: read once the telling code has run.
    Now,
    /// News that came on its own: may wait for more of its kind.
    MayWait,
}

/// What the controller must set going after news was told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MomentEnd {
    /// Nothing new: the moment's end is already on its way.
    AlreadySet,
    /// End the moment once the current task has run.
    AfterThisTask,
    /// Tell [`NewsMoment::window_passed`] of `window` after `wait_ms`.
    AfterWindow { window: u64, wait_ms: u64 },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Closed,
    EndsAfterTask,
    /// Gathers news that came on its own until its window passes; news
    /// of the user's doing ends it at once, with what it gathered.
    EndsAfterWindow(u64),
    /// Waits for a folder's news, or the window, whichever comes first;
    /// news told meanwhile joins it.
    HeldForFolder(u64),
}

/// Whether a moment is open, what ends it, and until when news that came
/// on its own waits. Each window has a number of its own, so that the
/// timer of one cut short never ends a later one.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NewsMoment {
    state: State,
    /// Clock time (ms) before which news that came on its own waits.
    calm_from_ms: f64,
    /// Windows started so far.
    windows: u64,
    /// Whether the open moment holds news that came on its own: heard,
    /// it starts the calm.
    came_on_its_own: bool,
    /// Windows waited out in a row: news that came on its own during the
    /// calm, each time. The next calm is that much longer.
    streak: u32,
}

/// The calm after a window's news is heard, `streak` windows into a run.
fn gather_window_ms(streak: u32) -> f64 {
    let doubled = GATHER_WINDOW_MS.saturating_mul(1 << streak.min(8));
    doubled.min(LONGEST_GATHER_MS) as f64
}

impl NewsMoment {
    /// Whether news told now joins the moment already open.
    pub fn is_open(&self) -> bool {
        self.state != State::Closed
    }

    fn next_window(&mut self) -> u64 {
        self.windows = self.windows.wrapping_add(1);
        self.windows
    }

    /// News of `urgency` was told at `now_ms`: what ends its moment.
    pub fn told(&mut self, urgency: Urgency, now_ms: f64) -> MomentEnd {
        let waits = urgency == Urgency::MayWait;
        self.came_on_its_own |= waits;
        match self.state {
            State::Closed if waits && now_ms < self.calm_from_ms => {
                let window = self.next_window();
                self.state = State::EndsAfterWindow(window);
                // Never longer than the calm, whatever the clock did.
                let wait_ms = (self.calm_from_ms - now_ms).min(gather_window_ms(self.streak));
                self.streak = self.streak.saturating_add(1);
                MomentEnd::AfterWindow {
                    window,
                    wait_ms: wait_ms as u64,
                }
            }
            State::Closed if waits => {
                // A calm passed in quiet: the run is over.
                self.streak = 0;
                self.state = State::EndsAfterTask;
                MomentEnd::AfterThisTask
            }
            State::Closed => {
                self.state = State::EndsAfterTask;
                MomentEnd::AfterThisTask
            }
            State::EndsAfterWindow(_) if !waits => {
                self.state = State::EndsAfterTask;
                MomentEnd::AfterThisTask
            }
            State::EndsAfterTask | State::EndsAfterWindow(_) | State::HeldForFolder(_) => {
                MomentEnd::AlreadySet
            }
        }
    }

    /// A folder started to be read: the moment open (a drop's loose files,
    /// its refusals), or a new one with nothing told yet, takes the
    /// folder's refusals and waits for its news, up to the window. Returns
    /// the hold's number, for [`Self::folder_read`], and what ends it.
    pub fn hold_for_folder(&mut self) -> (u64, MomentEnd) {
        match self.state {
            State::Closed | State::EndsAfterTask => {
                let window = self.next_window();
                self.state = State::HeldForFolder(window);
                let end = MomentEnd::AfterWindow {
                    window,
                    wait_ms: GATHER_WINDOW_MS,
                };
                (window, end)
            }
            // Its window is already counting.
            State::EndsAfterWindow(window) | State::HeldForFolder(window) => {
                self.state = State::HeldForFolder(window);
                (window, MomentEnd::AlreadySet)
            }
        }
    }

    /// The folder of `hold` has been read (its news, if any, told): the
    /// moment ends after this task.
    pub fn folder_read(&mut self, hold: u64) -> MomentEnd {
        if self.state == State::HeldForFolder(hold) {
            self.state = State::EndsAfterTask;
            return MomentEnd::AfterThisTask;
        }
        MomentEnd::AlreadySet
    }

    /// `window` has passed: whether it is still the one open and waiting,
    /// so that its moment is to end now.
    pub fn window_passed(&mut self, window: u64) -> bool {
        match self.state {
            State::EndsAfterWindow(open) | State::HeldForFolder(open) if open == window => {
                self.state = State::EndsAfterTask;
                true
            }
            _ => false,
        }
    }

    /// Whether news that came on its own waits out a window.
    pub fn waits_out_a_window(&self) -> bool {
        matches!(self.state, State::EndsAfterWindow(_))
    }

    /// The widget went idle at `now_ms`: news waiting out its window is
    /// due now, so that a page acting on the idle (a form submitted at
    /// `busy-change`) does not leave it unsaid; whether there was such
    /// news. The run of news is over too: the next upload's is heard
    /// within a window, not after the longest wait the run had come to.
    pub fn went_idle(&mut self, now_ms: f64) -> bool {
        self.streak = 0;
        self.calm_from_ms = self.calm_from_ms.min(now_ms + GATHER_WINDOW_MS as f64);
        if let State::EndsAfterWindow(_) = self.state {
            self.state = State::EndsAfterTask;
            return true;
        }
        false
    }

    /// Ends the moment at `now_ms` if it is due (not waiting out its
    /// window): whether it ended, so that its news is to be read now. News
    /// that came on its own, heard now, makes more such news wait.
    pub fn end(&mut self, now_ms: f64) -> bool {
        if self.state != State::EndsAfterTask {
            return false;
        }
        self.state = State::Closed;
        if std::mem::take(&mut self.came_on_its_own) {
            self.calm_from_ms = now_ms + gather_window_ms(self.streak);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u64 = GATHER_WINDOW_MS;

    fn window(window: u64, wait_ms: u64) -> MomentEnd {
        MomentEnd::AfterWindow { window, wait_ms }
    }

    #[test]
    fn urgent_news_ends_its_moment_after_the_task() {
        let mut moment = NewsMoment::default();
        assert!(!moment.is_open());
        assert_eq!(moment.told(Urgency::Now, 0.0), MomentEnd::AfterThisTask);
        assert!(moment.is_open());
        // More news in the same task joins it.
        assert_eq!(moment.told(Urgency::Now, 0.0), MomentEnd::AlreadySet);
        assert!(moment.end(0.0));
        assert!(!moment.is_open());
        assert!(!moment.end(0.0), "ended once");
        // Urgent news never waits, however often it comes.
        assert_eq!(moment.told(Urgency::Now, 1.0), MomentEnd::AfterThisTask);
    }

    #[test]
    fn news_that_came_on_its_own_is_read_at_once_then_gathered_for_a_window() {
        let mut moment = NewsMoment::default();
        // A lone upload: heard at once.
        assert_eq!(
            moment.told(Urgency::MayWait, 10_000.0),
            MomentEnd::AfterThisTask
        );
        assert!(moment.end(10_000.0));
        // The next, 300 ms later, waits out the rest of the window with
        // what follows.
        assert_eq!(moment.told(Urgency::MayWait, 10_300.0), window(1, W - 300));
        assert_eq!(
            moment.told(Urgency::MayWait, 10_500.0),
            MomentEnd::AlreadySet
        );
        // A drain or a refusal task ending meanwhile does not end it.
        assert!(!moment.end(10_600.0));
        assert!(moment.window_passed(1));
        assert!(moment.end(11_000.0));
        // Heard at the window's end: a steady stream is heard once a
        // window, each twice the last.
        assert_eq!(
            moment.told(Urgency::MayWait, 11_001.0),
            window(2, 2 * W - 1)
        );
        assert!(moment.window_passed(2));
        assert!(moment.end(13_000.0));
        assert_eq!(
            moment.told(Urgency::MayWait, 13_500.0),
            window(3, 4 * W - 500)
        );
        assert!(moment.window_passed(3));
        assert!(moment.end(17_000.0));
        // Up to the longest window.
        assert_eq!(
            moment.told(Urgency::MayWait, 17_000.0),
            window(4, LONGEST_GATHER_MS)
        );
        assert!(moment.window_passed(4));
        assert!(moment.end(25_000.0));
        assert_eq!(
            moment.told(Urgency::MayWait, 25_000.0),
            window(5, LONGEST_GATHER_MS)
        );
        assert!(moment.window_passed(5));
        assert!(moment.end(33_000.0));
        // After a quiet calm, at once again, and the next window is one.
        assert_eq!(
            moment.told(Urgency::MayWait, 41_000.0),
            MomentEnd::AfterThisTask
        );
        assert!(moment.end(41_000.0));
        assert_eq!(moment.told(Urgency::MayWait, 41_100.0), window(6, W - 100));
    }

    #[test]
    fn the_calm_starts_when_such_news_is_heard_not_when_told() {
        let mut moment = NewsMoment::default();
        // Told in an urgent moment that ends late (listing held it).
        moment.told(Urgency::Now, 5_000.0);
        assert_eq!(
            moment.told(Urgency::MayWait, 5_000.0),
            MomentEnd::AlreadySet
        );
        assert!(moment.end(8_000.0));
        assert_eq!(moment.told(Urgency::MayWait, 8_100.0), window(1, W - 100));
        // An urgent moment alone starts no calm.
        let mut urgent = NewsMoment::default();
        urgent.told(Urgency::Now, 0.0);
        urgent.end(0.0);
        assert_eq!(
            urgent.told(Urgency::MayWait, 10.0),
            MomentEnd::AfterThisTask
        );
    }

    #[test]
    fn a_clock_set_back_never_makes_news_wait_past_a_window() {
        let mut moment = NewsMoment::default();
        moment.told(Urgency::MayWait, 1e12);
        moment.end(1e12);
        assert_eq!(moment.told(Urgency::MayWait, 0.0), window(1, W));
    }

    #[test]
    fn news_waiting_out_its_window_is_due_when_the_widget_goes_idle() {
        let mut moment = NewsMoment::default();
        assert!(!moment.went_idle(0.0), "nothing open");
        moment.told(Urgency::MayWait, 0.0);
        moment.end(0.0);
        moment.told(Urgency::MayWait, 10.0);
        assert!(moment.waits_out_a_window());
        assert!(moment.went_idle(10.0));
        assert!(!moment.waits_out_a_window());
        assert!(moment.end(10.0));
        assert!(!moment.window_passed(1), "its timer finds it ended");
        moment.told(Urgency::Now, 2_000.0);
        assert!(!moment.went_idle(2_000.0), "due already");
    }

    /// A long run of news makes its waits long; going idle ends it, and
    /// the next upload's news is heard within a window, not eight seconds
    /// on (the review's case: 6.7 s).
    #[test]
    fn going_idle_ends_the_run_of_news() {
        let mut moment = NewsMoment::default();
        let mut now = 0.0;
        moment.told(Urgency::MayWait, now);
        moment.end(now);
        for window in 1..=5 {
            now += 500.0;
            let MomentEnd::AfterWindow { wait_ms, .. } = moment.told(Urgency::MayWait, now) else {
                panic!("a window");
            };
            assert!(moment.window_passed(window));
            now += wait_ms as f64;
            assert!(moment.end(now));
        }
        moment.went_idle(now);
        // Within a window of the idle: the rest of that window only.
        let mut soon = moment;
        assert_eq!(soon.told(Urgency::MayWait, now + 400.0), window(6, W - 400));
        // Later: at once.
        assert_eq!(
            moment.told(Urgency::MayWait, now + 1_300.0),
            MomentEnd::AfterThisTask
        );
    }

    #[test]
    fn urgent_news_cuts_a_waiting_moment_short_and_its_timer_then_does_nothing() {
        let mut moment = NewsMoment::default();
        moment.told(Urgency::MayWait, 0.0);
        moment.end(0.0);
        assert_eq!(moment.told(Urgency::MayWait, 100.0), window(1, W - 100));
        assert_eq!(moment.told(Urgency::Now, 200.0), MomentEnd::AfterThisTask);
        assert!(moment.end(200.0));
        // The next moment waits too (twice the window, the run going on,
        // from when the first was heard); the first one's timer must not
        // end it.
        assert_eq!(moment.told(Urgency::MayWait, 300.0), window(2, 2 * W - 100));
        assert!(!moment.window_passed(1));
        assert!(!moment.end(1_000.0));
        assert!(moment.window_passed(2));
        assert!(moment.end(1_200.0));
    }

    #[test]
    fn a_folder_holds_the_drop_s_moment_for_its_news_up_to_the_window() {
        let mut moment = NewsMoment::default();
        // A folder alone: a moment of its own is held open for it.
        let (hold, end) = moment.hold_for_folder();
        assert_eq!(end, window(hold, W));
        assert!(moment.is_open());
        assert_eq!(moment.folder_read(hold), MomentEnd::AfterThisTask);
        assert!(moment.end(0.0));
        moment.told(Urgency::Now, 0.0);
        let (hold, end) = moment.hold_for_folder();
        assert_eq!(end, window(hold, W));
        assert!(!moment.end(0.0), "the drop's task ending does not end it");
        // The folder's refusals, then its own news, join the drop's.
        assert_eq!(moment.told(Urgency::Now, 0.0), MomentEnd::AlreadySet);
        assert!(!moment.end(0.0));
        assert_eq!(moment.folder_read(hold), MomentEnd::AfterThisTask);
        assert!(moment.end(0.0));
        assert!(!moment.window_passed(hold), "the timer finds it ended");
        // A slow folder: the window ends the drop's moment without it, and
        // its news is a moment of its own.
        moment.told(Urgency::Now, 0.0);
        let (hold, _) = moment.hold_for_folder();
        assert!(moment.window_passed(hold));
        assert!(moment.end(0.0));
        assert_eq!(moment.folder_read(hold), MomentEnd::AlreadySet);
        assert!(!moment.is_open());
    }

    #[test]
    fn a_window_cut_short_does_not_end_a_folder_hold_begun_after() {
        let mut moment = NewsMoment::default();
        moment.told(Urgency::MayWait, 0.0);
        moment.end(0.0);
        // An upload gathering at 100 ms, its timer due at 1000 ms.
        let MomentEnd::AfterWindow { window: first, .. } = moment.told(Urgency::MayWait, 100.0)
        else {
            panic!("a window");
        };
        // A drop at 900 ms cuts it short and holds for its folder.
        assert_eq!(moment.told(Urgency::Now, 900.0), MomentEnd::AfterThisTask);
        let (hold, end) = moment.hold_for_folder();
        assert_ne!(hold, first);
        assert_eq!(end, window(hold, W));
        assert!(!moment.window_passed(first), "the old timer");
        assert!(!moment.end(1_000.0));
        assert_eq!(moment.folder_read(hold), MomentEnd::AfterThisTask);
        // A waiting moment is held on the window it already has.
        assert!(moment.end(1_100.0));
        let MomentEnd::AfterWindow {
            window: waiting, ..
        } = moment.told(Urgency::MayWait, 1_200.0)
        else {
            panic!("a window");
        };
        assert_eq!(moment.hold_for_folder(), (waiting, MomentEnd::AlreadySet));
        assert!(moment.window_passed(waiting));
        assert!(moment.end(2_200.0));
    }
}
