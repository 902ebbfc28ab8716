//! The event loop of one runtime: run ready coroutines, poll I/O, fire
//! timers; how it stops ([`exit`]) and what it unwinds when it does.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::context::{self, Context, TimerAction};
use crate::leaves::cell::TaskCell;
use crate::leaves::ready::ReadyQueue;
use crate::leaves::timer::Timers;
use crate::metrics;
use crate::task;

/// How many ready coroutines run before the loop polls for I/O again, so a
/// stream of `yield_now` calls cannot starve sockets and timers. Polling costs an
/// `epoll_wait`; once per 64 switches it is a few percent of a switch (Tokio
/// settled on 61 for the same trade).
const MAX_BATCH: usize = 64;

/// Stops the runtime and ends the process with `code` once the loop has stopped
/// and every live coroutine has been unwound.
///
/// Called from a coroutine, it does not return. Called outside a runtime, it exits
/// the process at once.
pub fn exit(code: i32) -> ! {
    let in_task = context::try_with(|cx| {
        cx.exit_code.set(Some(code));
        cx.scheduler.in_task()
    });
    match in_task {
        Some(true) => task::park_forever(),
        _ => std::process::exit(code),
    }
}

/// The event loop: run ready coroutines, poll I/O (blocking only when nothing
/// is ready, and no longer than the next timer), wake waiters, fire timers.
pub(super) fn drive(cx: &Context, done: impl Fn() -> bool) {
    let ready = cx.scheduler.ready();
    loop {
        let stop = || done() || cx.exit_code.get().is_some();
        cx.scheduler.run_ready(MAX_BATCH, &stop);
        if stop() {
            return;
        }
        let timeout = if ready.len() > 0 {
            Some(Duration::ZERO)
        } else {
            let timers = cx.timers.borrow().next_deadline();
            let io = cx.reactor.next_deadline();
            let next = match (timers, io) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            next.map(|deadline| deadline.saturating_duration_since(Instant::now()))
        };
        if timeout.is_none()
            && cx.reactor.len() == 0
            && cx.blocking.pending() == 0
            && cx.remote_waits() == 0
        {
            panic!(
                "silly::run: deadlock: the main task waits, and no coroutine is ready, \
                 no timer is armed, no socket is open, no blocking call is pending \
                 and nothing waits for another thread"
            );
        }
        metrics::turn_done(cx.loop_now.get());
        let posted = cx.reactor.poll(timeout, ready);
        let now = Instant::now();
        cx.loop_now.set(now);
        metrics::turn_began(now);
        if posted {
            for job in cx.inbox.take() {
                job();
            }
        }
        cx.reactor.expire(now, ready);
        fire_timers(&cx.timers, now, ready);
    }
}

/// Fires every timer due at `now`, in deadline order: a sleep's task is made
/// ready, a callback is called.
fn fire_timers(timers: &RefCell<Timers<TimerAction>>, now: Instant, ready: &ReadyQueue) {
    loop {
        // One at a time, the borrow released before the action runs: a callback
        // forks a task, or arms or cancels timers.
        let expired = timers.borrow_mut().pop_expired(now);
        match expired {
            Some(TimerAction::Wake(waker)) => ready.wake_owned(waker),
            Some(TimerAction::Call(callback)) => callback(),
            None => return,
        }
    }
}

/// Unwinds every live coroutine. Destructors that run during the unwind may
/// fork new tasks or arm timers; those are dropped too, until nothing is left.
pub(super) fn shutdown(cx: &Context) {
    loop {
        let tasks: Vec<Rc<TaskCell>> = cx.scheduler.drain_live();
        let ready = cx.scheduler.take_ready();
        let timers = cx.timers.borrow_mut().take_all();
        if tasks.is_empty() && ready.is_empty() && timers.len() == 0 {
            break;
        }
        for task in tasks {
            cx.scheduler.unwind(&task);
        }
        // Dropping these runs user destructors (captured by `after` callbacks,
        // unpark values) that may fork or arm timers: go round until nothing is left.
        drop(ready);
        drop(timers);
    }
    // Nothing more comes in from other threads; what did is dropped here.
    drop(cx.inbox.close());
    // Per-runtime state (the signal hub) holds registrations that refer back
    // to the runtime: dropped here, or the two would keep each other alive.
    let locals = std::mem::take(&mut *cx.locals.borrow_mut());
    drop(locals);
}

#[cfg(test)]
mod tests;
