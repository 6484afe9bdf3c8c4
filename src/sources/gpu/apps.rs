//! `nvidia-smi --query-compute-apps=pid,process_name,gpu_uuid,used_memory --format=csv,…`:
//! the processes holding a GPU context. On GB10 this is the only per-process memory figure
//! there is, so it feeds the unified-memory view too.

use super::value::{parse_mib_bytes, parse_text, parse_u32};
use crate::model::GpuProcess;

/// The fields polled, in the order [`parse_compute_apps`] expects without a header.
pub const QUERY_APPS_FIELDS: &[&str] = &["pid", "process_name", "gpu_uuid", "used_memory"];

/// `--query-compute-apps=pid,process_name,gpu_uuid,used_memory`.
pub fn query_apps_arg() -> String {
    format!("--query-compute-apps={}", QUERY_APPS_FIELDS.join(","))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Pid,
    Name,
    Uuid,
    Memory,
    Other,
}

fn col_of(name: &str) -> Col {
    let name = name.split(" [").next().unwrap_or(name).trim();
    match name.to_ascii_lowercase().as_str() {
        "pid" => Col::Pid,
        "process_name" | "name" => Col::Name,
        "gpu_uuid" => Col::Uuid,
        // The header prints `used_gpu_memory` for the `used_memory` alias.
        "used_memory" | "used_gpu_memory" => Col::Memory,
        _ => Col::Other,
    }
}

fn is_header(line: &str) -> bool {
    line.split(',').any(|c| col_of(c) == Col::Pid)
}

/// One data row; `None` when it is not a usable process line.
fn process_from_cells(cols: &[Col], cells: &[&str]) -> Option<GpuProcess> {
    let mut cells: Vec<String> = cells.iter().map(|c| (*c).to_string()).collect();
    // A process name may itself hold commas (nvidia-smi does not quote): the name column
    // takes whatever cells are left over.
    if cells.len() > cols.len() {
        let p = cols.iter().position(|c| *c == Col::Name)?;
        let extra = cells.len() - cols.len();
        let joined = cells[p..=p + extra].join(",");
        cells.splice(p..=p + extra, [joined]);
    }
    if cells.len() != cols.len() {
        return None;
    }
    let mut p = GpuProcess::default();
    let mut has_pid = false;
    for (col, cell) in cols.iter().zip(&cells) {
        match col {
            Col::Pid => {
                p.pid = parse_u32(cell)?;
                has_pid = true;
            }
            Col::Name => p.name = parse_text(cell).unwrap_or_default(),
            Col::Uuid => p.gpu_uuid = parse_text(cell),
            Col::Memory => p.used_memory_bytes = parse_mib_bytes(cell),
            Col::Other => {}
        }
    }
    has_pid.then_some(p)
}

/// Processes from `--query-compute-apps` output, `noheader,nounits` in
/// [`QUERY_APPS_FIELDS`] order or with a header (then its names decide the columns) and
/// units. Lines that are not a process (blank, wrong field count, non-numeric pid) are
/// skipped; memory nvidia-smi cannot tell (`[N/A]`, WDDM) is `None`.
pub fn parse_compute_apps(text: &str) -> Vec<GpuProcess> {
    let mut cols: Vec<Col> = QUERY_APPS_FIELDS.iter().map(|f| col_of(f)).collect();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if is_header(line) {
            cols = line.split(',').map(col_of).collect();
            continue;
        }
        let cells: Vec<&str> = line.split(',').collect();
        if let Some(p) = process_from_cells(&cols, &cells) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noheader_nounits() {
        let ps = parse_compute_apps(
            "2693630, VLLM::EngineCore, GPU-a1, 61383\n3060, /usr/bin/gnome-shell, GPU-a1, [N/A]\n",
        );
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].pid, 2693630);
        assert_eq!(ps[0].name, "VLLM::EngineCore");
        assert_eq!(ps[0].gpu_uuid.as_deref(), Some("GPU-a1"));
        assert_eq!(ps[0].used_memory_bytes, Some(61383 << 20));
        assert_eq!(ps[1].used_memory_bytes, None);
    }

    #[test]
    fn bad_lines_are_skipped_and_commas_stay_in_names() {
        let ps = parse_compute_apps("garbage\nx, a, b, 1\n7, python a,b.py, GPU-1, 5\n");
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].pid, 7);
        assert_eq!(ps[0].name, "python a,b.py");
        assert_eq!(ps[0].used_memory_bytes, Some(5 << 20));
    }

    #[test]
    fn arg() {
        assert_eq!(
            query_apps_arg(),
            "--query-compute-apps=pid,process_name,gpu_uuid,used_memory"
        );
    }
}
