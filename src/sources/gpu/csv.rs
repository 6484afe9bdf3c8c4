//! `nvidia-smi --query-gpu=… --format=csv[,noheader][,nounits]`: the per-tick stream the
//! remote GPU collector reads, and the same format with a header and units as captured in
//! the fixtures.
//!
//! nvidia-smi never quotes CSV cells, and none of the fields queried here can hold a comma,
//! so a plain split is exact.

use thiserror::Error;

use super::value::{parse_f64, parse_mib_bytes, parse_text, parse_u32};
use crate::model::GpuSample;

/// The fields of the stream, in the order [`parse_gpu_line`] expects them.
pub const QUERY_GPU_FIELDS: &[&str] = &[
    "index",
    "uuid",
    "name",
    "utilization.gpu",
    "utilization.memory",
    "memory.total",
    "memory.used",
    "temperature.gpu",
    "power.draw",
    "power.limit",
    "clocks.gr",
    "clocks.sm",
    "clocks.mem",
    "fan.speed",
    "pstate",
];

/// `--query-gpu=index,uuid,…` for [`QUERY_GPU_FIELDS`].
pub fn query_gpu_arg() -> String {
    format!("--query-gpu={}", QUERY_GPU_FIELDS.join(","))
}

/// A line the stream cannot use; the collector counts these as garbage.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvError {
    #[error(
        "nvidia-smi --query-gpu line has {found} fields, expected {expected} (line: {excerpt:?}); \
         the driver may not know one of the queried fields"
    )]
    FieldCount {
        expected: usize,
        found: usize,
        excerpt: String,
    },
    #[error("nvidia-smi --query-gpu line has a GPU index that is not a number: {value:?}")]
    BadIndex { value: String },
}

/// Long enough to recognise the line in a log, short enough not to flood it.
const EXCERPT_CHARS: usize = 80;

fn excerpt(line: &str) -> String {
    line.chars().take(EXCERPT_CHARS).collect()
}

/// The field a name (as queried, or as printed in the header) stands for. nvidia-smi prints
/// the long name in the header for a short alias (`clocks.gr` → `clocks.current.graphics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Index,
    Uuid,
    Name,
    UtilGpu,
    UtilMemory,
    MemoryTotal,
    MemoryUsed,
    Temperature,
    PowerDraw,
    PowerDrawInstant,
    PowerDrawAverage,
    PowerLimit,
    EnforcedPowerLimit,
    ClockGraphics,
    ClockSm,
    ClockMemory,
    Fan,
    Pstate,
    Other,
}

fn field_of(name: &str) -> Field {
    // Header cells carry the unit: "memory.total [MiB]".
    let name = name.split(" [").next().unwrap_or(name).trim();
    match name.to_ascii_lowercase().as_str() {
        "index" => Field::Index,
        "uuid" | "gpu_uuid" => Field::Uuid,
        "name" | "gpu_name" => Field::Name,
        "utilization.gpu" => Field::UtilGpu,
        "utilization.memory" => Field::UtilMemory,
        "memory.total" => Field::MemoryTotal,
        "memory.used" => Field::MemoryUsed,
        "temperature.gpu" => Field::Temperature,
        "power.draw" => Field::PowerDraw,
        "power.draw.instant" => Field::PowerDrawInstant,
        "power.draw.average" => Field::PowerDrawAverage,
        "power.limit" => Field::PowerLimit,
        "enforced.power.limit" => Field::EnforcedPowerLimit,
        "clocks.gr" | "clocks.current.graphics" => Field::ClockGraphics,
        "clocks.sm" | "clocks.current.sm" => Field::ClockSm,
        "clocks.mem" | "clocks.current.memory" => Field::ClockMemory,
        "fan.speed" => Field::Fan,
        "pstate" => Field::Pstate,
        _ => Field::Other,
    }
}

/// Builds one sample from the cells of a row; `position` is the index used when the query
/// has no `index` field.
fn sample_from_cells(
    fields: &[Field],
    cells: &[&str],
    line: &str,
    position: u32,
) -> Result<GpuSample, CsvError> {
    if cells.len() != fields.len() {
        return Err(CsvError::FieldCount {
            expected: fields.len(),
            found: cells.len(),
            excerpt: excerpt(line),
        });
    }
    let mut s = GpuSample {
        index: position,
        ..GpuSample::default()
    };
    let (mut instant, mut average, mut enforced) = (None, None, None);
    for (field, cell) in fields.iter().zip(cells) {
        match field {
            Field::Index => {
                s.index = parse_u32(cell).ok_or_else(|| CsvError::BadIndex {
                    value: excerpt(cell.trim()),
                })?;
            }
            Field::Uuid => s.uuid = parse_text(cell),
            Field::Name => s.name = parse_text(cell),
            Field::UtilGpu => s.utilization_pct = parse_f64(cell),
            Field::UtilMemory => s.memory_utilization_pct = parse_f64(cell),
            Field::MemoryTotal => s.memory_total_bytes = parse_mib_bytes(cell),
            Field::MemoryUsed => s.memory_used_bytes = parse_mib_bytes(cell),
            Field::Temperature => s.temperature_c = parse_f64(cell),
            Field::PowerDraw => s.power_w = parse_f64(cell),
            Field::PowerDrawInstant => instant = parse_f64(cell),
            Field::PowerDrawAverage => average = parse_f64(cell),
            Field::PowerLimit => s.power_limit_w = parse_f64(cell),
            Field::EnforcedPowerLimit => enforced = parse_f64(cell),
            Field::ClockGraphics => s.clock_graphics_mhz = parse_u32(cell),
            Field::ClockSm => s.clock_sm_mhz = parse_u32(cell),
            Field::ClockMemory => s.clock_memory_mhz = parse_u32(cell),
            Field::Fan => s.fan_pct = parse_f64(cell),
            Field::Pstate => s.pstate = parse_text(cell),
            Field::Other => {}
        }
    }
    // Newer drivers may drop the plain `power.draw` for the instant/average pair.
    s.power_w = s.power_w.or(instant).or(average);
    s.power_limit_w = s.power_limit_w.or(enforced);
    Ok(s)
}

fn split_cells(line: &str) -> Vec<&str> {
    line.split(',').collect()
}

/// One `--format=csv,noheader,nounits` line with the fields of [`QUERY_GPU_FIELDS`].
pub fn parse_gpu_line(line: &str) -> Result<GpuSample, CsvError> {
    static FIELDS: [Field; 15] = [
        Field::Index,
        Field::Uuid,
        Field::Name,
        Field::UtilGpu,
        Field::UtilMemory,
        Field::MemoryTotal,
        Field::MemoryUsed,
        Field::Temperature,
        Field::PowerDraw,
        Field::PowerLimit,
        Field::ClockGraphics,
        Field::ClockSm,
        Field::ClockMemory,
        Field::Fan,
        Field::Pstate,
    ];
    let line = line.trim_end_matches(['\r', '\n']);
    sample_from_cells(&FIELDS, &split_cells(line), line, 0)
}

/// Whether `line` is the header nvidia-smi prints for a query starting with `first`.
fn is_header(line: &str, first: Option<&str>) -> bool {
    let Some(cell) = line.split(',').next() else {
        return false;
    };
    let name = cell.split(" [").next().unwrap_or(cell).trim();
    match first {
        Some(first) => {
            let f = field_of(first);
            if f == Field::Other {
                name.eq_ignore_ascii_case(first.trim())
            } else {
                field_of(name) == f
            }
        }
        None => false,
    }
}

/// Any `--query-gpu` output: any field list, with or without the header line, with or
/// without units. With a header, its names decide the column order (they are what
/// nvidia-smi actually printed); `fields` is the query that was asked for. Blank lines are
/// skipped; each other line gives one result.
pub fn parse_query_gpu(text: &str, fields: &[&str]) -> Vec<Result<GpuSample, CsvError>> {
    let mut columns: Vec<Field> = fields.iter().map(|f| field_of(f)).collect();
    let mut header: Option<&str> = None;
    let mut out = Vec::new();
    let mut position = 0u32;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        // `-l` repeats only the data rows, but a restarted command prints its header again.
        if header == Some(line) {
            continue;
        }
        if header.is_none() && out.is_empty() && is_header(line, fields.first().copied()) {
            header = Some(line);
            columns = split_cells(line).into_iter().map(field_of).collect();
            continue;
        }
        out.push(sample_from_cells(
            &columns,
            &split_cells(line),
            line,
            position,
        ));
        position = position.saturating_add(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_lists_fields_in_order() {
        assert!(query_gpu_arg().starts_with("--query-gpu=index,uuid,name,utilization.gpu,"));
        assert!(query_gpu_arg().ends_with(",fan.speed,pstate"));
    }

    #[test]
    fn gb10_line() {
        let s = parse_gpu_line(
            "0, GPU-a1b2, NVIDIA GB10, 0, 0, [N/A], [N/A], 35, 11.17, [N/A], 2405, 2405, [N/A], [N/A], P0",
        )
        .unwrap();
        assert_eq!(s.index, 0);
        assert_eq!(s.name.as_deref(), Some("NVIDIA GB10"));
        assert_eq!(s.memory_total_bytes, None);
        assert_eq!(s.memory_used_bytes, None);
        assert_eq!(s.utilization_pct, Some(0.0));
        assert_eq!(s.power_w, Some(11.17));
        assert_eq!(s.power_limit_w, None);
        assert_eq!(s.temperature_c, Some(35.0));
        assert_eq!(s.clock_sm_mhz, Some(2405));
        assert_eq!(s.pstate.as_deref(), Some("P0"));
    }

    #[test]
    fn wrong_count_and_bad_index_are_errors() {
        assert!(matches!(
            parse_gpu_line("0, GPU-x, name"),
            Err(CsvError::FieldCount {
                expected: 15,
                found: 3,
                ..
            })
        ));
        assert!(matches!(
            parse_gpu_line("x, a, b, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, P0"),
            Err(CsvError::BadIndex { .. })
        ));
        assert!(parse_gpu_line("").is_err());
    }

    #[test]
    fn header_with_units_and_aliases() {
        let text = "index, clocks.current.graphics [MHz], power.draw.instant [W]\n\
                    0, 1965 MHz, 70.72 W\n1, [N/A], [N/A]\n";
        let rows = parse_query_gpu(text, &["index", "clocks.gr", "power.draw.instant"]);
        assert_eq!(rows.len(), 2);
        let a = rows[0].as_ref().unwrap();
        assert_eq!((a.clock_graphics_mhz, a.power_w), (Some(1965), Some(70.72)));
        let b = rows[1].as_ref().unwrap();
        assert_eq!((b.index, b.clock_graphics_mhz, b.power_w), (1, None, None));
    }

    #[test]
    fn without_index_rows_are_numbered() {
        let rows = parse_query_gpu("35\n40\n", &["temperature.gpu"]);
        let idx: Vec<u32> = rows.iter().map(|r| r.as_ref().unwrap().index).collect();
        assert_eq!(idx, vec![0, 1]);
    }
}
