//! The two process-control calls std does not offer, declared directly
//! against the C library std already links (no `libc` crate, to keep xtask
//! dependency-free). Both are no-ops where they do not apply.

use std::process::Command;

/// Makes the kernel send SIGTERM to the child when xtask dies, however it
/// dies (SIGKILL, a crash, a closed terminal), so a server never outlives
/// the command that started it. Linux only; elsewhere the `Drop` guard and
/// the shared process group are all there is.
#[cfg(target_os = "linux")]
pub fn die_with_parent(cmd: &mut Command) {
    use std::ffi::{c_int, c_ulong};
    use std::os::unix::process::CommandExt;

    unsafe extern "C" {
        fn prctl(option: c_int, ...) -> c_int;
    }
    const PR_SET_PDEATHSIG: c_int = 1;
    const SIGTERM: c_ulong = 15;

    // SAFETY: the closure runs in the forked child before exec and only
    // makes one async-signal-safe system call, as `pre_exec` requires.
    unsafe {
        cmd.pre_exec(|| {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
pub fn die_with_parent(_cmd: &mut Command) {}

/// Lets Ctrl-C reach only the children. The terminal sends SIGINT to the
/// whole foreground process group, so the server still gets it; xtask
/// itself survives, waits for the server to shut down, prints its last
/// lines and exits 0 instead of dying mid-output. Call it only after
/// spawning: an ignored signal stays ignored across exec, and the server
/// must keep the default disposition.
#[cfg(unix)]
pub fn ignore_interrupts() {
    use std::ffi::c_int;

    unsafe extern "C" {
        fn signal(signum: c_int, handler: usize) -> usize;
    }
    const SIGINT: c_int = 2;
    const SIG_IGN: usize = 1;

    // SAFETY: installing SIG_IGN runs no code of ours in signal context.
    unsafe {
        signal(SIGINT, SIG_IGN);
    }
}

#[cfg(not(unix))]
pub fn ignore_interrupts() {}
