//! A limit on how long a connection may take none of what the server
//! writes. A client that asks for a large file (or any answer larger than
//! the socket buffers) and then stops reading would otherwise hold its
//! connection, and the open file behind the answer, forever: once the
//! buffers are full, hyper's writes wait, hyper stops polling the body, and
//! nothing in hyper 1.x (which has a read timeout for heads only) ends the
//! wait.
//!
//! [`WriteIdle`] wraps the connection's socket: when a write has to wait,
//! a timer starts; a write that goes through stops it. When it runs out,
//! the kernel is asked whether the client took anything meanwhile (the
//! send queue shrank): a socket becomes writable again only once a good
//! share of its send buffer, up to megabytes, has drained, which a client
//! that reads slowly but steadily may take longer than the limit to do.
//! If it did, the timer starts afresh; if not, the write fails with
//! `TimedOut`, hyper ends the connection with that error, and the
//! response (its body: the open file) is dropped. The timer wakes the
//! connection's task, and hyper then tries its write again, so the check
//! needs no task of its own. This sits under every route: downloads,
//! thumbnails, proxied answers, any answer at all.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::idle_timer::IdleTimer;

/// A connection that can say how much of what was written to it the peer
/// has not taken yet.
pub trait SendQueue {
    /// Bytes written but not yet acknowledged by the peer (sent or not);
    /// `None` when the system does not say.
    fn queued(&self) -> Option<u64>;
}

impl SendQueue for TcpStream {
    #[cfg(target_os = "linux")]
    fn queued(&self) -> Option<u64> {
        use std::os::fd::AsRawFd;
        let mut queued: libc::c_int = 0;
        // SAFETY: `SIOCOUTQ` (`TIOCOUTQ`) writes one `int` through the
        // pointer, which points at one; the descriptor is the stream's own
        // and open while `self` is borrowed.
        let result = unsafe { libc::ioctl(self.as_raw_fd(), libc::TIOCOUTQ, &mut queued) };
        (result == 0).then(|| u64::try_from(queued).ok()).flatten()
    }

    #[cfg(not(target_os = "linux"))]
    fn queued(&self) -> Option<u64> {
        None
    }
}

pub struct WriteIdle<S> {
    inner: S,
    timer: IdleTimer,
    /// The send queue when the timer was last started.
    queued: Option<u64>,
}

impl<S: SendQueue> WriteIdle<S> {
    pub fn new(inner: S, idle: Duration) -> Self {
        Self {
            inner,
            timer: IdleTimer::new(idle),
            queued: None,
        }
    }

    /// Passes on what the inner write gave, starting the timer when it
    /// waits (and failing once the timer has run out with nothing taken),
    /// stopping it when it went through (or failed).
    fn guard<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.timer.stop();
            return polled;
        }
        loop {
            let (ran_out, started) = self.timer.poll_wait(cx);
            if started {
                self.queued = self.inner.queued();
            }
            if ran_out.is_pending() {
                return Poll::Pending;
            }
            // The client took some (the socket is not yet writable again):
            // it is slow, not gone.
            let queued = self.inner.queued();
            if queued
                .zip(self.queued)
                .is_some_and(|(now, then)| now < then)
            {
                self.queued = queued;
                self.timer.restart();
                continue;
            }
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the client took nothing of the answer for {:?}",
                    self.timer.idle()
                ),
            )));
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteIdle<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + SendQueue + Unpin> AsyncWrite for WriteIdle<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.guard(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.guard(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    // Not guarded: a socket's flush and shutdown never wait, and one that
    // went through must not count as bytes taken while a write waits.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const IDLE: Duration = Duration::from_millis(200);

    impl SendQueue for tokio::io::DuplexStream {
        fn queued(&self) -> Option<u64> {
            None
        }
    }

    #[tokio::test]
    async fn a_write_nobody_takes_fails_after_the_idle_time() {
        let (near, _far) = tokio::io::duplex(64);
        let mut guarded = WriteIdle::new(near, IDLE);
        let started = std::time::Instant::now();
        let error = guarded.write_all(&[7; 1000]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= IDLE, "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_slow_reader_that_keeps_taking_is_not_cut_off() {
        let (near, mut far) = tokio::io::duplex(64);
        let mut guarded = WriteIdle::new(near, IDLE);
        let reader = tokio::spawn(async move {
            let mut read = Vec::new();
            let mut buf = [0u8; 64];
            loop {
                // Each pause shorter than the limit, all of them far longer.
                tokio::time::sleep(IDLE / 4).await;
                match far.read(&mut buf).await.unwrap() {
                    0 => return read,
                    n => read.extend_from_slice(&buf[..n]),
                }
            }
        });
        let data: Vec<u8> = (0..=255).cycle().take(64 * 12).collect();
        guarded.write_all(&data).await.unwrap();
        guarded.shutdown().await.unwrap();
        drop(guarded);
        assert_eq!(reader.await.unwrap(), data);
    }
}
