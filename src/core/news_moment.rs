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
//! in pieces.

/// How long after news that came on its own more such news waits. About
/// the time a screen reader takes to say one such sentence.
pub const GATHER_WINDOW_MS: u64 = 1_000;

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
    /// Tell [`NewsMoment::window_passed`] of moment `number` after
    /// `wait_ms`.
    AfterWindow { number: u64, wait_ms: u64 },
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
/// on its own waits.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NewsMoment {
    state: State,
    /// Clock time (ms) before which news that came on its own waits.
    calm_from_ms: f64,
}

impl NewsMoment {
    /// Whether news told now joins the moment already open.
    pub fn is_open(&self) -> bool {
        self.state != State::Closed
    }

    /// News of `urgency` was told in moment `number` at `now_ms`: what
    /// ends the moment.
    pub fn told(&mut self, number: u64, urgency: Urgency, now_ms: f64) -> MomentEnd {
        match (self.state, urgency) {
            (State::Closed, Urgency::MayWait) if now_ms < self.calm_from_ms => {
                self.state = State::EndsAfterWindow(number);
                // Never longer than a window, whatever the clock did.
                let wait_ms = (self.calm_from_ms - now_ms).min(GATHER_WINDOW_MS as f64);
                MomentEnd::AfterWindow {
                    number,
                    wait_ms: wait_ms as u64,
                }
            }
            (State::Closed, _) | (State::EndsAfterWindow(_), Urgency::Now) => {
                if urgency == Urgency::MayWait {
                    self.calm(now_ms);
                }
                self.state = State::EndsAfterTask;
                MomentEnd::AfterThisTask
            }
            (State::EndsAfterTask, Urgency::MayWait) => {
                // Read with this moment, at once: the next such news waits.
                self.calm(now_ms);
                MomentEnd::AlreadySet
            }
            (State::EndsAfterTask, Urgency::Now)
            | (State::EndsAfterWindow(_), Urgency::MayWait)
            | (State::HeldForFolder(_), _) => MomentEnd::AlreadySet,
        }
    }

    fn calm(&mut self, now_ms: f64) {
        self.calm_from_ms = now_ms + GATHER_WINDOW_MS as f64;
    }

    /// A folder started to be read: moment `number` (the one open, or a
    /// new one with nothing told yet) takes the folder's refusals and waits
    /// for its news, up to the window. Nothing when one is held already.
    pub fn hold_for_folder(&mut self, number: u64) -> MomentEnd {
        match self.state {
            State::Closed | State::EndsAfterTask => {
                self.state = State::HeldForFolder(number);
                MomentEnd::AfterWindow {
                    number,
                    wait_ms: GATHER_WINDOW_MS,
                }
            }
            // Its window is already counting.
            State::EndsAfterWindow(at) => {
                self.state = State::HeldForFolder(at);
                MomentEnd::AlreadySet
            }
            State::HeldForFolder(_) => MomentEnd::AlreadySet,
        }
    }

    /// The folder that held moment `number` has been read (its news, if
    /// any, told): the moment ends after this task.
    pub fn folder_read(&mut self, number: u64) -> MomentEnd {
        if self.state == State::HeldForFolder(number) {
            self.state = State::EndsAfterTask;
            return MomentEnd::AfterThisTask;
        }
        MomentEnd::AlreadySet
    }

    /// Moment `number`'s window has passed at `now_ms`: whether it is
    /// still the one open and waiting, so that it is to end now.
    pub fn window_passed(&mut self, number: u64, now_ms: f64) -> bool {
        match self.state {
            State::EndsAfterWindow(at) if at == number => {
                // What it gathered is read now: more waits again.
                self.calm(now_ms);
                self.state = State::EndsAfterTask;
                true
            }
            State::HeldForFolder(at) if at == number => {
                self.state = State::EndsAfterTask;
                true
            }
            _ => false,
        }
    }

    /// Ends the moment if it is due (not waiting out its window): whether
    /// it ended, so that its news is to be read now.
    pub fn end(&mut self) -> bool {
        if self.state == State::EndsAfterTask {
            self.state = State::Closed;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u64 = GATHER_WINDOW_MS;

    fn window(number: u64, wait_ms: u64) -> MomentEnd {
        MomentEnd::AfterWindow { number, wait_ms }
    }

    #[test]
    fn urgent_news_ends_its_moment_after_the_task() {
        let mut moment = NewsMoment::default();
        assert!(!moment.is_open());
        assert_eq!(moment.told(1, Urgency::Now, 0.0), MomentEnd::AfterThisTask);
        assert!(moment.is_open());
        // More news in the same task joins it.
        assert_eq!(moment.told(1, Urgency::Now, 0.0), MomentEnd::AlreadySet);
        assert!(moment.end());
        assert!(!moment.is_open());
        assert!(!moment.end(), "ended once");
        // Urgent news never waits, however often it comes.
        assert_eq!(moment.told(2, Urgency::Now, 1.0), MomentEnd::AfterThisTask);
    }

    #[test]
    fn news_that_came_on_its_own_is_read_at_once_then_gathered_for_a_window() {
        let mut moment = NewsMoment::default();
        // A lone upload: heard at once.
        assert_eq!(
            moment.told(1, Urgency::MayWait, 10_000.0),
            MomentEnd::AfterThisTask
        );
        assert!(moment.end());
        // The next, 300 ms later, waits out the rest of the window with
        // what follows.
        assert_eq!(
            moment.told(2, Urgency::MayWait, 10_300.0),
            window(2, W - 300)
        );
        assert_eq!(
            moment.told(2, Urgency::MayWait, 10_500.0),
            MomentEnd::AlreadySet
        );
        // A drain or a refusal task ending meanwhile does not end it.
        assert!(!moment.end());
        assert!(moment.window_passed(2, 10_000.0 + W as f64));
        assert!(moment.end());
        // Read at the window's end: a steady stream is heard once a window.
        assert_eq!(
            moment.told(3, Urgency::MayWait, 10_000.0 + W as f64 + 1.0),
            window(3, W - 1)
        );
        // After a quiet window, at once again.
        assert!(moment.window_passed(3, 12_000.0));
        assert!(moment.end());
        assert_eq!(
            moment.told(4, Urgency::MayWait, 13_500.0),
            MomentEnd::AfterThisTask
        );
    }

    #[test]
    fn news_that_came_on_its_own_in_an_urgent_moment_starts_a_window() {
        let mut moment = NewsMoment::default();
        moment.told(1, Urgency::Now, 5_000.0);
        assert_eq!(
            moment.told(1, Urgency::MayWait, 5_000.0),
            MomentEnd::AlreadySet
        );
        assert!(moment.end());
        assert_eq!(
            moment.told(2, Urgency::MayWait, 5_100.0),
            window(2, W - 100)
        );
    }

    #[test]
    fn a_clock_set_back_never_makes_news_wait_past_a_window() {
        let mut moment = NewsMoment::default();
        moment.told(1, Urgency::MayWait, 1e12);
        moment.end();
        assert_eq!(moment.told(2, Urgency::MayWait, 0.0), window(2, W));
    }

    #[test]
    fn urgent_news_cuts_a_waiting_moment_short_and_its_timer_then_does_nothing() {
        let mut moment = NewsMoment::default();
        moment.told(6, Urgency::MayWait, 0.0);
        moment.end();
        assert_eq!(moment.told(7, Urgency::MayWait, 100.0), window(7, W - 100));
        assert_eq!(
            moment.told(7, Urgency::Now, 200.0),
            MomentEnd::AfterThisTask
        );
        assert!(moment.end());
        // The next moment waits too; the first one's timer must not end it.
        assert_eq!(moment.told(8, Urgency::MayWait, 300.0), window(8, W - 300));
        assert!(!moment.window_passed(7, 1_100.0));
        assert!(!moment.end());
        assert!(moment.window_passed(8, 1_100.0));
        assert!(moment.end());
    }

    #[test]
    fn a_folder_holds_the_drop_s_moment_for_its_news_up_to_the_window() {
        let mut moment = NewsMoment::default();
        // A folder alone: a moment of its own is held open for it.
        assert_eq!(moment.hold_for_folder(1), window(1, W));
        assert!(moment.is_open());
        assert_eq!(moment.folder_read(1), MomentEnd::AfterThisTask);
        assert!(moment.end());
        moment.told(2, Urgency::Now, 0.0);
        assert_eq!(moment.hold_for_folder(2), window(2, W));
        assert!(!moment.end(), "the drop's task ending does not end it");
        // The folder's refusals, then its own news, join the drop's.
        assert_eq!(moment.told(2, Urgency::Now, 0.0), MomentEnd::AlreadySet);
        assert!(!moment.end());
        assert_eq!(moment.folder_read(2), MomentEnd::AfterThisTask);
        assert!(moment.end());
        assert!(!moment.window_passed(2, 0.0), "the timer finds it ended");
        // A slow folder: the window ends the drop's moment without it, and
        // its news is a moment of its own.
        moment.told(3, Urgency::Now, 0.0);
        moment.hold_for_folder(3);
        assert!(moment.window_passed(3, 0.0));
        assert!(moment.end());
        assert_eq!(moment.folder_read(3), MomentEnd::AlreadySet);
        assert!(!moment.is_open());
        // A waiting moment is held on the window it already has.
        moment.told(4, Urgency::MayWait, 0.0);
        moment.end();
        moment.told(5, Urgency::MayWait, 10.0);
        assert_eq!(moment.hold_for_folder(5), MomentEnd::AlreadySet);
        assert_eq!(moment.told(5, Urgency::Now, 20.0), MomentEnd::AlreadySet);
        assert!(moment.window_passed(5, 1_000.0));
        assert!(moment.end());
    }
}
