//! Per thread, the spans a [`TracedLayer`](crate::TracedLayer) saw entered, innermost last,
//! with what the sampler decided for each when that is known without a look-up (the span
//! was created on this thread right before it was entered, as the attributes do). A child's
//! sampling decision is its parent's under every standard sampler, so asking whether a
//! child may be left out reads the innermost entry instead of the `tracing` Registry.
//!
//! Anything not known for sure answers `None`, and the caller looks the parent up.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, Ordering};

/// What the sampler decided for an entered span, and so for its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decided {
    Dropped,
    Sampled,
    Unknown,
}

/// Entries past this are not kept (a thread that leaks guards); until the lost ones exit,
/// nothing is known.
const DEPTH: usize = 64;

struct Stack {
    entries: Vec<(u64, u64, Decided)>,
    lost: usize,
}

thread_local! {
    static LAST_CREATED: Cell<(u64, u64, Decided)> = const { Cell::new((0, 0, Decided::Unknown)) };
    static STACK: RefCell<Stack> = const { RefCell::new(Stack { entries: Vec::new(), lost: 0 }) };
    /// The span whose close a drop on this thread is watching for, and whether it came.
    static WATCHED_CLOSE: Cell<(u64, bool)> = const { Cell::new((0, false)) };
}

/// A number for each layer instance, so that two subscribers on one thread do not mix.
pub(crate) fn new_instance() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// `id` was just created by `layer`, with `decided`.
#[inline]
pub(crate) fn created(layer: u64, id: u64, decided: Decided) {
    let _ = LAST_CREATED.try_with(|last| last.set((layer, id, decided)));
}

#[inline]
pub(crate) fn enter(layer: u64, id: u64) {
    // The creation counts only for the very next enter on this thread: a span created
    // here and entered elsewhere leaves nothing that a later span could be taken for.
    let decided = match LAST_CREATED.try_with(|last| last.replace((0, 0, Decided::Unknown))) {
        Ok((l, i, decided)) if l == layer && i == id => decided,
        _ => Decided::Unknown,
    };
    let _ = STACK.try_with(|stack| {
        let Ok(mut stack) = stack.try_borrow_mut() else {
            return;
        };
        if stack.entries.len() < DEPTH {
            stack.entries.push((layer, id, decided));
        } else {
            stack.lost += 1;
        }
    });
}

#[inline]
pub(crate) fn exit(layer: u64, id: u64) {
    let _ = STACK.try_with(|stack| {
        let Ok(mut stack) = stack.try_borrow_mut() else {
            return;
        };
        match stack
            .entries
            .iter()
            .rposition(|&(l, i, _)| l == layer && i == id)
        {
            Some(index) => {
                stack.entries.remove(index);
            }
            None => stack.lost = stack.lost.saturating_sub(1),
        }
    });
}

/// What was decided for the innermost span entered on this thread, if it is `layer`'s
/// and known.
#[inline]
pub(crate) fn innermost(layer: u64) -> Option<Decided> {
    STACK
        .try_with(|stack| {
            let stack = stack.try_borrow().ok()?;
            if stack.lost > 0 {
                return None;
            }
            match stack.entries.last() {
                Some(&(l, _, decided)) if l == layer && decided != Decided::Unknown => {
                    Some(decided)
                }
                _ => None,
            }
        })
        .ok()
        .flatten()
}

/// Whether nothing at all is entered on this thread (then a span has no contextual parent
/// in the Registry).
#[inline]
pub(crate) fn nothing_entered() -> bool {
    STACK
        .try_with(|stack| {
            stack
                .try_borrow()
                .is_ok_and(|stack| stack.entries.is_empty() && stack.lost == 0)
        })
        .unwrap_or(false)
}

/// Starts watching for the close of `id`; hand what it returns to [`closed_since`].
#[inline]
pub(crate) fn watch_close(id: u64) -> (u64, bool) {
    WATCHED_CLOSE
        .try_with(|watched| watched.replace((id, false)))
        .unwrap_or((0, false))
}

/// `id` was closed (its layer ended it).
#[inline]
pub(crate) fn closed(id: u64) {
    let _ = WATCHED_CLOSE.try_with(|watched| {
        if watched.get().0 == id {
            watched.set((id, true));
        }
    });
}

/// Whether the span watched since `watch_close` returned `previous` was closed; watches what
/// was watched before again.
#[inline]
pub(crate) fn closed_since(previous: (u64, bool)) -> bool {
    WATCHED_CLOSE
        .try_with(|watched| watched.replace(previous).1)
        .unwrap_or(false)
}
