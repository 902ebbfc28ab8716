//! Steering connections among the listeners of one `SO_REUSEPORT` group by
//! the CPU that received them, instead of the kernel's hash of addresses.
//!
//! The kernel runs a classic BPF program attached to the group for each new
//! connection; the number it returns picks the listener by its position in
//! the group (the order the listeners started listening), and an index out
//! of range falls back to the hash (socket(7), `SO_ATTACH_REUSEPORT_CBPF`,
//! Linux 4.5 and later). Ours returns `cpu % listeners`.

use std::io;
use std::os::fd::AsFd;

use nix::libc::{sock_filter, sock_fprog};
use nix::sys::socket::{setsockopt, sockopt::AttachReusePortCbpf};

// Classic BPF opcodes and the ancillary load of the current CPU, as
// `linux/filter.h` and `linux/bpf_common.h` define them.
const BPF_LD: u16 = 0x00;
const BPF_W: u16 = 0x00;
const BPF_ABS: u16 = 0x20;
const BPF_ALU: u16 = 0x04;
const BPF_MOD: u16 = 0x90;
const BPF_K: u16 = 0x00;
const BPF_RET: u16 = 0x06;
const BPF_A: u16 = 0x10;
/// `SKF_AD_OFF + SKF_AD_CPU`: a load from this offset yields the CPU number.
const LOAD_CPU: u32 = (-0x1000i32 + 36) as u32;

fn op(code: u16, k: u32) -> sock_filter {
    sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

/// Attaches the CPU-modulo program to the reuseport group of `socket`.
pub(crate) fn steer_by_cpu(socket: &impl AsFd, listeners: usize) -> io::Result<()> {
    let listeners = u32::try_from(listeners)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "listeners must be 1 or more")
        })?;
    let program = [
        op(BPF_LD | BPF_W | BPF_ABS, LOAD_CPU),
        op(BPF_ALU | BPF_MOD | BPF_K, listeners),
        op(BPF_RET | BPF_A, 0),
    ];
    let fprog = sock_fprog {
        len: program.len() as u16,
        // The kernel copies the program during the call; it only reads it.
        filter: program.as_ptr().cast_mut(),
    };
    setsockopt(socket, AttachReusePortCbpf, &fprog).map_err(io::Error::from)
}
