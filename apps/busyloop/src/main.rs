//! busyloop: an app that overruns its time. It spins on arithmetic forever (no system calls),
//! so only the sandbox's wall-clock timeout or fuel limit stops it.

use std::hint::black_box;

fn main() {
    println!("busyloop: spinning until stopped");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    loop {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        black_box(x);
    }
}
