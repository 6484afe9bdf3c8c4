//! Host facts from `/proc` and `ps` that the GPU tab needs: headroom for unified memory
//! (`/proc/meminfo`, `/proc/pressure/memory`) and who owns a GPU process (cgroup, ps).
//! Pure parsers of the files' text; the collector reads them locally or over SSH.

pub mod cgroup;
pub mod meminfo;
pub mod pressure;
pub mod ps;

pub use cgroup::container_from_cgroup;
pub use meminfo::parse_meminfo;
pub use pressure::parse_pressure;
pub use ps::parse_ps;
