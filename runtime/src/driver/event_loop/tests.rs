//! Timer firing on its own: a timer heap and a ready queue, no loop.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::fire_timers;
use crate::context::TimerAction;
use crate::leaves::cell::{Park, State, TaskCell, Waker};
use crate::leaves::ready::ReadyQueue;
use crate::leaves::timer::Timers;

type Heap = Rc<RefCell<Timers<TimerAction>>>;

#[test]
fn fires_what_is_due_in_deadline_order_and_keeps_the_rest() {
    let timers: Heap = Rc::default();
    let ready = ReadyQueue::default();
    let log = Rc::new(RefCell::new(Vec::new()));
    let t0 = Instant::now();
    let sleeper = Rc::new(TaskCell::new(9, None, None, Box::new(|_| {})));
    sleeper.state.set(State::Parked(Park::Internal));
    let call = |name: &'static str| {
        let log = log.clone();
        TimerAction::Call(Box::new(move || log.borrow_mut().push(name)))
    };
    {
        let mut heap = timers.borrow_mut();
        heap.insert(t0 + Duration::from_millis(20), call("second"));
        heap.insert(t0 + Duration::from_millis(30), call("not yet"));
        heap.insert(t0 + Duration::from_millis(10), call("first"));
        heap.insert(
            t0 + Duration::from_millis(15),
            TimerAction::Wake(Waker::for_next_park(sleeper.clone())),
        );
    }
    fire_timers(&timers, t0 + Duration::from_millis(20), &ready);
    assert_eq!(*log.borrow(), ["first", "second"]);
    assert_eq!(ready.pop().map(|t| t.id), Some(9));
    assert_eq!(timers.borrow().len(), 1);
}

#[test]
fn a_callback_may_arm_a_timer_that_is_already_due() {
    let timers: Heap = Rc::default();
    let ready = ReadyQueue::default();
    let fired = Rc::new(RefCell::new(0));
    let t0 = Instant::now();
    let (heap, count) = (timers.clone(), fired.clone());
    timers.borrow_mut().insert(
        t0,
        TimerAction::Call(Box::new(move || {
            *count.borrow_mut() += 1;
            let again = count.clone();
            heap.borrow_mut().insert(
                t0,
                TimerAction::Call(Box::new(move || *again.borrow_mut() += 1)),
            );
        })),
    );
    fire_timers(&timers, t0, &ready);
    assert_eq!(
        *fired.borrow(),
        2,
        "the second timer fired in the same turn"
    );
    assert_eq!(timers.borrow().len(), 0);
}
