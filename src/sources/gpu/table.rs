//! The plain `nvidia-smi` table: the fallback when `--query-compute-apps` is unavailable,
//! and the only format some captures (GB10 forum posts, 8×V100) exist in.
//!
//! The table is meant for eyes: cells are padded, long names and figures are cut with `...`,
//! and the header wording drifts between drivers (610 prints `KMD Version` and
//! `CUDA UMD Version`). Everything here reads what is clearly there and leaves the rest
//! unknown.

use super::value::{parse_f64, parse_mib_bytes, parse_text, parse_u32};
use crate::model::{GpuProcess, GpuSample};

/// Versions from the table's first box.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableHeader {
    pub smi_version: Option<String>,
    /// `Driver Version`, or `KMD Version` from driver 610 on.
    pub driver_version: Option<String>,
    /// `CUDA Version`, or `CUDA UMD Version` from driver 610 on.
    pub cuda_version: Option<String>,
}

/// The value after `label` on `line` (the next whitespace-separated word).
fn word_after<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let at = line.find(label)? + label.len();
    line[at..].split_whitespace().next()
}

/// Versions from the header box; drivers before and after 610 both read.
pub fn parse_table_header(text: &str) -> TableHeader {
    let mut h = TableHeader::default();
    let Some(line) = text.lines().find(|l| l.contains("NVIDIA-SMI ")) else {
        return h;
    };
    h.smi_version = word_after(line, "NVIDIA-SMI ").and_then(parse_text);
    h.driver_version = word_after(line, "Driver Version:")
        .or_else(|| word_after(line, "KMD Version:"))
        .and_then(parse_text);
    h.cuda_version = word_after(line, "CUDA Version:")
        .or_else(|| word_after(line, "CUDA UMD Version:"))
        .and_then(parse_text);
    h
}

/// The text between the outer `|` of a table row, or `None` for a rule or other line.
fn row_body(line: &str) -> Option<&str> {
    let t = line.trim();
    let inner = t.strip_prefix('|')?;
    Some(inner.strip_suffix('|').unwrap_or(inner))
}

/// `C`, `G`, `C+G`, `M`, `M+C`: the process types the table prints.
fn is_process_type(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, 'C' | 'G' | 'M' | '+'))
}

/// One process row, in the layout with GI/CI columns (drivers ≥ 450) or without.
fn process_row(body: &str) -> Option<GpuProcess> {
    let tokens: Vec<&str> = body.split_whitespace().collect();
    let (gpu, pid, name_from) = if tokens.len() >= 7 && is_process_type(tokens[4]) {
        (tokens[0], tokens[3], 5)
    } else if tokens.len() >= 5 && is_process_type(tokens[2]) {
        (tokens[0], tokens[1], 3)
    } else {
        return None;
    };
    let memory = *tokens.last()?;
    let name_tokens = tokens.get(name_from..tokens.len() - 1)?;
    Some(GpuProcess {
        pid: parse_u32(pid)?,
        gpu_index: Some(parse_u32(gpu)?),
        name: name_tokens.join(" "),
        // `10794...` (a cut ≥ 100 GiB figure) is unknown, not 10794 MiB.
        used_memory_bytes: parse_mib_bytes(memory),
        ..GpuProcess::default()
    })
}

/// Processes from the table's `Processes:` box. Names are as printed (the table cuts long
/// ones with a leading `...`); memory that is `N/A` or truncated is `None`.
pub fn parse_process_table(text: &str) -> Vec<GpuProcess> {
    let mut lines = text.lines().skip_while(|l| !l.contains("Processes:"));
    // Column titles end at the `|===|` rule.
    if lines.by_ref().find(|l| l.contains("|===")).is_none() {
        return Vec::new();
    }
    lines
        .take_while(|l| l.trim_start().starts_with('|') || l.trim_start().starts_with('+'))
        .filter_map(row_body)
        .filter_map(process_row)
        .collect()
}

/// Fills `s` from the first line of a GPU box: `0  NVIDIA GB10  On | 0000000F:01:00.0 Off | N/A`.
fn gpu_first_line(cells: &[&str]) -> Option<GpuSample> {
    let tokens: Vec<&str> = cells.first()?.split_whitespace().collect();
    let index = parse_u32(tokens.first()?)?;
    // The last word is the persistence mode (Linux) or driver model (Windows).
    let name = tokens.get(1..tokens.len().saturating_sub(1)).unwrap_or(&[]);
    Some(GpuSample {
        index,
        name: (!name.is_empty()).then(|| name.join(" ")),
        ..GpuSample::default()
    })
}

/// The two sides of a `used / total` cell. Split on the `/` word, not the character:
/// `N/A` holds a slash too.
fn halves(cell: &str) -> Option<(String, String)> {
    let tokens: Vec<&str> = cell.split_whitespace().collect();
    let at = tokens.iter().position(|t| *t == "/")?;
    Some((tokens[..at].join(" "), tokens[at + 1..].join(" ")))
}

/// `N/A   44C    P0   11W /  N/A | Not Supported | 0%  Default`.
fn gpu_second_line(s: &mut GpuSample, cells: &[&str]) {
    if let Some((left, cap)) = cells.first().and_then(|c| halves(c)) {
        let tokens: Vec<&str> = left.split_whitespace().collect();
        if let [fan, temp, perf, power] = tokens.as_slice() {
            s.fan_pct = parse_f64(fan);
            s.temperature_c = parse_f64(temp);
            s.pstate = parse_text(perf);
            s.power_w = parse_f64(power);
        }
        s.power_limit_w = parse_f64(&cap);
    }
    if let Some((used, total)) = cells.get(1).and_then(|c| halves(c)) {
        s.memory_used_bytes = parse_mib_bytes(&used);
        s.memory_total_bytes = parse_mib_bytes(&total);
    }
    if let Some(util) = cells.get(2).and_then(|c| c.split_whitespace().next()) {
        s.utilization_pct = parse_f64(util);
    }
}

/// The GPU boxes of the table (before `MIG devices:` and `Processes:`), one sample each.
pub fn parse_table_gpus(text: &str) -> Vec<GpuSample> {
    let mut out = Vec::new();
    let mut lines = text
        .lines()
        .take_while(|l| !l.contains("Processes:") && !l.contains("MIG devices:"))
        .skip_while(|l| !l.contains("|===="));
    lines.next();
    let mut current: Option<GpuSample> = None;
    let mut line_in_box = 0;
    for line in lines {
        let Some(body) = row_body(line) else {
            // A `+---+` rule closes the box.
            out.extend(current.take());
            line_in_box = 0;
            continue;
        };
        let cells: Vec<&str> = body.split('|').collect();
        match line_in_box {
            0 => current = gpu_first_line(&cells),
            1 => {
                if let Some(s) = current.as_mut() {
                    gpu_second_line(s, &cells);
                }
            }
            _ => {}
        }
        line_in_box += 1;
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_layout_without_gi_ci() {
        let p =
            process_row("    0      1234      C   python train.py              4000MiB ").unwrap();
        assert_eq!((p.pid, p.gpu_index), (1234, Some(0)));
        assert_eq!(p.name, "python train.py");
        assert_eq!(p.used_memory_bytes, Some(4000 << 20));
    }

    #[test]
    fn no_processes_line_is_not_a_process() {
        assert_eq!(process_row("  No running processes found   "), None);
    }
}
