//! The scheduler on its own: tasks built by hand, no runtime installed.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use super::Scheduler;
use crate::leaves::cell::{Entry, Interrupt, Park, Start, State, TaskCell, Waker};
use crate::leaves::stack::{StackGuards, StackPool};

type Log = Rc<RefCell<Vec<String>>>;

fn scheduler() -> Scheduler {
    Scheduler::new(StackPool::new(64 * 1024, 8, true, StackGuards::Always))
}

/// Spawns a task running `body`, which gets its own cell (to park on).
fn spawn(
    sched: &Scheduler,
    stack_size: Option<usize>,
    body: impl FnOnce(Result<&Rc<TaskCell>, String>) + 'static,
) -> Rc<TaskCell> {
    let me: Rc<OnceCell<Rc<TaskCell>>> = Rc::default();
    let slot = me.clone();
    let entry: Entry = Box::new(move |start| {
        let task = slot.get().expect("set before spawn").clone();
        drop(slot);
        match start {
            Start::Run => body(Ok(&task)),
            Start::NoStack(reason) => body(Err(reason)),
            Start::Cancelled => body(Err("cancelled".into())),
        }
    });
    let cell = Rc::new(TaskCell::new(sched.next_id(), None, stack_size, entry));
    me.set(cell.clone()).ok().expect("fresh cell");
    sched.spawn(cell.clone());
    cell
}

fn logger(log: &Log, line: &'static str) -> impl FnOnce(Result<&Rc<TaskCell>, String>) {
    let log = log.clone();
    move |_| log.borrow_mut().push(line.to_owned())
}

#[test]
fn runs_ready_tasks_in_fifo_order_up_to_the_batch_size() {
    let sched = scheduler();
    let log = Log::default();
    for line in ["a", "b", "c"] {
        spawn(&sched, None, logger(&log, line));
    }
    sched.run_ready(2, &|| false);
    assert_eq!(*log.borrow(), ["a", "b"]);
    assert_eq!(sched.ready().len(), 1);
    sched.run_ready(64, &|| false);
    assert_eq!(*log.borrow(), ["a", "b", "c"]);
    assert_eq!(sched.live_tasks(), 0);
}

#[test]
fn stop_ends_the_batch_after_the_running_task() {
    let sched = scheduler();
    let log = Log::default();
    spawn(&sched, None, logger(&log, "a"));
    spawn(&sched, None, logger(&log, "b"));
    let l = log.clone();
    sched.run_ready(64, &move || l.borrow().len() == 1);
    assert_eq!(*log.borrow(), ["a"]);
}

#[test]
fn a_parked_task_resumes_where_it_stopped_once_woken() {
    let sched = Rc::new(scheduler());
    let log = Log::default();
    let (l, s) = (log.clone(), Rc::downgrade(&sched));
    let task = spawn(&sched, None, move |me| {
        let me = me.unwrap();
        let sched = s.upgrade().unwrap();
        assert!(
            Rc::ptr_eq(&sched.current().unwrap(), me),
            "current while running"
        );
        drop(sched);
        l.borrow_mut().push("before".into());
        me.park(Park::Internal);
        l.borrow_mut().push("after".into());
    });
    sched.run_ready(64, &|| false);
    assert_eq!(*log.borrow(), ["before"]);
    assert_eq!(task.state.get(), State::Parked(Park::Internal));
    assert!(sched.current().is_none(), "no current task between resumes");
    sched.run_ready(64, &|| false);
    assert_eq!(log.borrow().len(), 1, "parked tasks are not in the queue");

    sched.ready().wake(&Waker::for_next_park(task.clone()));
    sched.run_ready(64, &|| false);
    assert_eq!(*log.borrow(), ["before", "after"]);
    assert_eq!(task.state.get(), State::Done);
}

#[test]
fn tasks_forked_while_running_run_in_the_same_batch_after_the_others() {
    let sched = Rc::new(scheduler());
    let log = Log::default();
    let (l, s) = (log.clone(), Rc::downgrade(&sched));
    spawn(&sched, None, move |_| {
        spawn(&s.upgrade().unwrap(), None, logger(&l, "child"));
        l.borrow_mut().push("parent".into());
    });
    spawn(&sched, None, logger(&log, "sibling"));
    sched.run_ready(64, &|| false);
    assert_eq!(*log.borrow(), ["parent", "sibling", "child"]);
}

#[test]
fn finished_tasks_give_their_stack_back_for_the_next() {
    let sched = scheduler();
    let log = Log::default();
    spawn(&sched, None, logger(&log, "a"));
    sched.run_ready(64, &|| false);
    assert_eq!(sched.idle_stacks(), 1);
    spawn(&sched, None, logger(&log, "b"));
    sched.run_ready(1, &|| false);
    assert_eq!(
        sched.idle_stacks(),
        1,
        "the stack was reused, then returned"
    );
}

#[test]
fn a_task_without_a_stack_learns_why_and_finishes() {
    let sched = scheduler();
    let reason = Rc::new(RefCell::new(None));
    let r = reason.clone();
    // More address space than a process has: the mapping fails.
    let task = spawn(&sched, Some(1 << 62), move |start| {
        *r.borrow_mut() = Some(start.err().expect("never runs on a stack"));
    });
    sched.run_ready(64, &|| false);
    let reason = reason.borrow().clone().expect("the entry was told");
    assert!(reason.starts_with("no stack for the coroutine"), "{reason}");
    assert_eq!(task.state.get(), State::Done);
    assert_eq!(sched.live_tasks(), 0);
}

#[test]
fn unwind_drops_a_suspended_coroutine_running_its_destructors_as_current() {
    struct Guard(Log, std::rc::Weak<Scheduler>);
    impl Drop for Guard {
        fn drop(&mut self) {
            let current = self.1.upgrade().and_then(|s| s.current());
            let unwinding = current.is_some_and(|t| t.unwinding.get());
            self.0
                .borrow_mut()
                .push(format!("dropped, unwinding={unwinding}"));
        }
    }
    let sched = Rc::new(scheduler());
    let log = Log::default();
    let (l, s) = (log.clone(), Rc::downgrade(&sched));
    let task = spawn(&sched, None, move |me| {
        let _guard = Guard(l, s);
        me.unwrap().park(Park::Internal);
        unreachable!("never woken");
    });
    sched.run_ready(64, &|| false);
    assert!(log.borrow().is_empty());
    for live in sched.drain_live() {
        sched.unwind(&live);
    }
    assert_eq!(*log.borrow(), ["dropped, unwinding=true"]);
    assert_eq!(task.state.get(), State::Done);
    assert!(sched.current().is_none());
}

#[test]
fn a_task_cancelled_before_it_started_never_runs() {
    let sched = scheduler();
    let seen = Rc::new(RefCell::new(None));
    let s = seen.clone();
    let task = spawn(&sched, None, move |start| {
        *s.borrow_mut() = Some(start.map(|_| ()).unwrap_err());
    });
    assert!(
        !task.request_interrupt(Interrupt::Cancel),
        "ready, not parked"
    );
    sched.run_ready(64, &|| false);
    assert_eq!(seen.borrow().as_deref(), Some("cancelled"));
    assert_eq!(sched.idle_stacks(), 0, "no stack was taken");
    assert_eq!(sched.live_tasks(), 0);
}

#[test]
fn an_interrupt_unwinds_a_parked_task_from_its_park() {
    let sched = scheduler();
    let log = Log::default();
    let l = log.clone();
    let task = spawn(&sched, None, move |me| {
        let me = me.unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            me.park(Park::Internal);
            l.borrow_mut().push("woke normally".into());
        }));
        let payload = caught.unwrap_err();
        let interrupted = payload.downcast_ref::<crate::leaves::cell::Interrupted>();
        l.borrow_mut().push(format!("{interrupted:?}"));
    });
    sched.run_ready(64, &|| false);
    assert!(task.request_interrupt(Interrupt::Deadline(4)));
    sched.ready().push(task.clone());
    sched.run_ready(64, &|| false);
    assert_eq!(*log.borrow(), ["Some(Interrupted(Deadline(4)))"]);
    assert_eq!(task.state.get(), State::Done);
    assert!(!task.cancelled.get(), "a deadline does not cancel the task");
}
