//! Unpredictable numbers for masking keys and handshake keys, from the
//! standard library's randomly keyed SipHash (seeded by the OS), stirred with a
//! counter and the clock. RFC 6455 asks masks to be unpredictable to
//! intermediaries, not cryptographically strong; keys only need to be fresh.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

thread_local! {
    static STATE: (RandomState, Cell<u64>) = (RandomState::new(), Cell::new(0));
}

/// The next 64 unpredictable bits.
pub(crate) fn next_u64() -> u64 {
    STATE.with(|(keys, counter)| {
        let n = counter.get().wrapping_add(1);
        counter.set(n);
        let mut hasher = keys.build_hasher();
        hasher.write_u64(n);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        hasher.finish()
    })
}
