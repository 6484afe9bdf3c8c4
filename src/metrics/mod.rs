//! Pure metric logic shared by the GPU tab, alerts, history and `snapshot`: threshold levels
//! with hysteresis and the unified-memory arithmetic of DESIGN §3. No I/O, no UI.

pub mod memory;
pub mod threshold;
pub mod window;

pub use memory::{MemoryView, gpu_resident_bytes, is_unified, memory_view, on_gpu};
pub use threshold::{Level, Thresholds};
pub use window::{MinAvgMax, WindowAccumulator, WindowStats};
