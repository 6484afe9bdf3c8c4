//! GPU collectors (DESIGN §3): NVML locally, one long-running `nvidia-smi` stream over SSH,
//! a slower process/memory poll, process termination, and the one-shot read of `snapshot`.
//! Parsing lives in the pure parsers; this module only decides what runs where and when.

pub mod collect;
pub mod kill;
pub mod nvml;
pub mod once;
pub mod poll;
pub mod stream;

pub use collect::run;
pub use kill::terminate;
pub use nvml::{FakeNvml, NvmlApi, RealNvml};
pub use once::{GpuSnapshot, gpus_once};
