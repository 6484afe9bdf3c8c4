//! STAND-INS, NOT THE REAL PARSERS. The parser engineer writes `sources::gpu::{csv,apps,xml}`
//! and `sources::proc` in parallel; these minimal private versions only let the collectors
//! compile and be tested meanwhile. The lead deletes this file at merge and points the one
//! `use crate::gpu::standins::{…}` block per file at the real modules.

#![allow(dead_code)] // the real parsers carry more than the collectors read

use crate::model::{GpuProcess, GpuSample, GpuStatic, HostMemory};

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

pub fn query_gpu_arg() -> String {
    format!("--query-gpu={}", QUERY_GPU_FIELDS.join(","))
}

#[derive(Debug)]
pub struct CsvError(pub String);

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn field(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty() && !s.starts_with('[') && s != "N/A").then_some(s)
}

fn num(s: &str) -> Option<f64> {
    field(s).and_then(|v| v.parse().ok())
}

pub fn parse_gpu_line(line: &str) -> Result<GpuSample, CsvError> {
    let cols: Vec<&str> = line.split(',').collect();
    if cols.len() != QUERY_GPU_FIELDS.len() {
        return Err(CsvError(format!(
            "expected {} columns",
            QUERY_GPU_FIELDS.len()
        )));
    }
    let index = cols[0]
        .trim()
        .parse()
        .map_err(|_| CsvError("index is not a number".into()))?;
    let mib = |s: &str| num(s).map(|v| (v * 1024.0 * 1024.0) as u64);
    let u = |s: &str| num(s).map(|v| v as u32);
    Ok(GpuSample {
        index,
        uuid: field(cols[1]).map(String::from),
        name: field(cols[2]).map(String::from),
        utilization_pct: num(cols[3]),
        memory_utilization_pct: num(cols[4]),
        memory_total_bytes: mib(cols[5]),
        memory_used_bytes: mib(cols[6]),
        temperature_c: num(cols[7]),
        power_w: num(cols[8]),
        power_limit_w: num(cols[9]),
        clock_graphics_mhz: u(cols[10]),
        clock_sm_mhz: u(cols[11]),
        clock_memory_mhz: u(cols[12]),
        fan_pct: num(cols[13]),
        pstate: field(cols[14]).map(String::from),
    })
}

pub const QUERY_APPS_FIELDS: &[&str] = &["gpu_uuid", "pid", "process_name", "used_memory"];

pub fn parse_compute_apps(text: &str) -> Vec<GpuProcess> {
    text.lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c.len() == 4).then_some(())?;
            Some(GpuProcess {
                pid: c[1].trim().parse().ok()?,
                gpu_uuid: field(c[0]).map(String::from),
                name: c[2].trim().to_string(),
                used_memory_bytes: num(c[3]).map(|v| (v * 1024.0 * 1024.0) as u64),
                ..Default::default()
            })
        })
        .collect()
}

#[derive(Debug, Default)]
pub struct XmlReport {
    pub driver_version: Option<String>,
    pub cuda_version: Option<String>,
    pub statics: Vec<GpuStatic>,
    pub samples: Vec<GpuSample>,
    pub processes: Vec<GpuProcess>,
}

#[derive(Debug)]
pub struct XmlError(pub String);

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn tag<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{name}>"))?;
    field(&text[start..start + end])
}

pub fn parse_xml(text: &str) -> Result<XmlReport, XmlError> {
    if !text.contains("<nvidia_smi_log>") {
        return Err(XmlError("no <nvidia_smi_log> element".into()));
    }
    let driver_version = tag(text, "driver_version").map(String::from);
    let cuda_version = tag(text, "cuda_version").map(String::from);
    let statics = text
        .split("<gpu id=")
        .skip(1)
        .enumerate()
        .map(|(i, g)| GpuStatic {
            index: i as u32,
            uuid: tag(g, "uuid").map(String::from),
            name: tag(g, "product_name").map(String::from),
            driver_version: driver_version.clone(),
            cuda_version: cuda_version.clone(),
            ..Default::default()
        })
        .collect();
    Ok(XmlReport {
        driver_version,
        cuda_version,
        statics,
        samples: Vec::new(),
        processes: Vec::new(),
    })
}

pub fn parse_meminfo(text: &str) -> HostMemory {
    let kib = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map(|v| v * 1024)
    };
    HostMemory {
        mem_total_bytes: kib("MemTotal"),
        mem_available_bytes: kib("MemAvailable"),
        swap_free_bytes: kib("SwapFree"),
        ..Default::default()
    }
}

pub fn parse_pressure(text: &str) -> (Option<f64>, Option<f64>) {
    let avg10 = |kind: &str| {
        text.lines()
            .find(|l| l.starts_with(kind))?
            .split_whitespace()
            .find_map(|w| w.strip_prefix("avg10="))?
            .parse()
            .ok()
    };
    (avg10("some"), avg10("full"))
}

pub fn container_from_cgroup(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let i = l
            .find("docker-")
            .map(|i| i + 7)
            .or_else(|| l.find("/docker/").map(|i| i + 8))?;
        Some(l[i..].chars().take(12).collect())
    })
}

pub fn parse_ps(text: &str) -> Vec<(u32, String, String)> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let pid = it.next()?.parse().ok()?;
            let user = it.next()?.to_string();
            Some((pid, user, it.collect::<Vec<_>>().join(" ")))
        })
        .collect()
}
