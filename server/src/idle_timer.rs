//! The clock of an idle limit: started when a poll has to wait, stopped
//! when one goes through, run out after `idle` of waiting without a stop.
//! Shared by the upload bodies' limit (`routes::upload`) and the answers'
//! write limit (`write_idle`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

pub struct IdleTimer {
    idle: Duration,
    /// Made on the first wait, then only reset.
    timer: Option<Pin<Box<Sleep>>>,
    /// The timer runs: a poll waits and none has gone through since.
    waiting: bool,
}

impl IdleTimer {
    pub fn new(idle: Duration) -> Self {
        Self {
            idle,
            timer: None,
            waiting: false,
        }
    }

    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// A poll went through: the next wait starts the clock afresh.
    pub fn stop(&mut self) {
        self.waiting = false;
    }

    /// A poll has to wait: starts the clock if it is not running, and is
    /// ready once it has run out (the task is woken then). The first poll
    /// of a wait returns `true` in `started`.
    pub fn poll_wait(&mut self, cx: &mut Context<'_>) -> (Poll<()>, bool) {
        let deadline = Instant::now() + self.idle;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        let started = !self.waiting;
        if started {
            timer.as_mut().reset(deadline);
            self.waiting = true;
        }
        (timer.as_mut().poll(cx), started)
    }

    /// Gives the running wait a whole `idle` again from now.
    pub fn restart(&mut self) {
        if let Some(timer) = self.timer.as_mut() {
            timer.as_mut().reset(Instant::now() + self.idle);
        }
    }
}
