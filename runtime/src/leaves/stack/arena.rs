//! Arenas: one mapping carved into many stacks of the default size.

use std::io;
use std::ptr;
use std::rc::Rc;

use super::size::page_size;

/// Stacks per arena: at the default 512 KiB a mapping of about 516 MiB of
/// address space (reserved, not committed).
pub(crate) const ARENA_SLOTS: usize = 1024;

/// `madvise` advice that installs guard regions (Linux 6.13 uapi; the `libc`
/// crate does not name it yet).
const MADV_GUARD_INSTALL: libc::c_int = 102;

/// One mapping carved into `ARENA_SLOTS` stacks of the default size.
pub(crate) struct Arena {
    pub(super) start: usize,
    len: usize,
    /// A stack's bytes, its guard page included.
    pub(super) slot_size: usize,
    /// Whether each slot's lowest page is a guard region (else padding).
    pub(super) guarded: bool,
}

impl Arena {
    /// Maps an arena for stacks of `usable` bytes. `None` if it is to be
    /// `guarded` and the kernel cannot install guard regions (checked on the
    /// first slot, which every new arena carves at once).
    pub(super) fn new(usable: usize, guarded: bool) -> io::Result<Option<Rc<Arena>>> {
        let slot_size = usable + page_size();
        let len = slot_size * ARENA_SLOTS;
        // SAFETY: an anonymous private mapping at an address of the kernel's
        // choosing; nothing else is touched. The result is checked below.
        let start = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if start == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let arena = Arena {
            start: start as usize,
            len,
            slot_size,
            guarded,
        };
        if !arena.prepare(0) {
            return Ok(None); // dropped: unmapped
        }
        Ok(Some(Rc::new(arena)))
    }

    /// Readies slot `slot` to be handed out: installs its guard page in a
    /// guarded arena (`false` if the kernel refuses); nothing otherwise (the
    /// padding page of a fresh mapping reads as zero, which is its canary).
    pub(super) fn prepare(&self, slot: usize) -> bool {
        if !self.guarded {
            return true;
        }
        let page = self.start + slot * self.slot_size;
        // SAFETY: `page` is the first page of a slot inside this arena's
        // mapping, owned by the arena and not yet handed out as a stack, so no
        // live data is there. MADV_GUARD_INSTALL only makes the page fault on
        // access; it does not change the mapping.
        unsafe { libc::madvise(page as *mut libc::c_void, page_size(), MADV_GUARD_INSTALL) == 0 }
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: the whole mapping made in `new`; every stack carved from it
        // holds an `Rc` to the arena, so none is alive when this runs.
        unsafe {
            libc::munmap(self.start as *mut libc::c_void, self.len);
        }
    }
}
