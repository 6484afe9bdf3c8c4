//! `nvidia-smi -q -x`: the one-off rich read for static facts (driver, CUDA, architecture,
//! persistence, addressing mode, MIG, vGPU), which also carries a sample and the processes.
//!
//! Schemas v10–v13 differ in where they put things: power moved from `<power_readings>` to
//! `<gpu_power_readings>` (v12), v13 dropped `<power_draw>` for `<instant_power_draw>` and
//! `<average_power_draw>`, and the power limit is `<power_limit>`/`<enforced_power_limit>`
//! before v12 and `<current_power_limit>` after. Missing elements are unknown, not errors.

use roxmltree::{Document, Node, ParsingOptions};
use thiserror::Error;

use super::value::{parse_f64, parse_mib_bytes, parse_text, parse_u32};
use crate::model::{GpuProcess, GpuSample, GpuStatic};

/// What one `nvidia-smi -q -x` document says about every GPU in it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct XmlReport {
    pub driver_version: Option<String>,
    pub cuda_version: Option<String>,
    pub statics: Vec<GpuStatic>,
    pub samples: Vec<GpuSample>,
    pub processes: Vec<GpuProcess>,
}

#[derive(Debug, Error)]
pub enum XmlError {
    #[error("nvidia-smi -q -x printed text that is not XML: {0}")]
    Malformed(#[from] roxmltree::Error),
    #[error(
        "nvidia-smi -q -x printed a <{0}> document, expected <nvidia_smi_log>; \
         the command on the remote PATH may not be nvidia-smi"
    )]
    NotNvidiaSmi(String),
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// Text of the element at `path` below `node`, direct children only: a MIG device's
/// `<fb_memory_usage>` must not be read as the GPU's.
fn text_at<'a>(node: Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    let mut n = node;
    for name in path {
        n = child(n, name)?;
    }
    n.text()
}

fn first_of<T>(node: Node, paths: &[&[&str]], parse: fn(&str) -> Option<T>) -> Option<T> {
    paths.iter().find_map(|p| text_at(node, p).and_then(parse))
}

/// A version is one word. Driver 610 appends a note to the old names in `-q`
/// (`610.57.04 [Deprecated; … Use KMD Version instead]`) and names the new ones `KMD Version`
/// / `kmd_version` (its `--help-query-gpu`); both spellings are read, the note is dropped.
fn version(s: &str) -> Option<String> {
    parse_text(s)?.split_whitespace().next().map(str::to_string)
}

fn enabled(s: &str) -> Option<bool> {
    match s.trim() {
        "Enabled" => Some(true),
        "Disabled" => Some(false),
        _ => None,
    }
}

fn gpu_static(gpu: Node, index: u32, report: &XmlReport) -> GpuStatic {
    GpuStatic {
        index,
        uuid: text_at(gpu, &["uuid"]).and_then(parse_text),
        name: text_at(gpu, &["product_name"]).and_then(parse_text),
        driver_version: report.driver_version.clone(),
        cuda_version: report.cuda_version.clone(),
        architecture: text_at(gpu, &["product_architecture"]).and_then(parse_text),
        persistence_mode: text_at(gpu, &["persistence_mode"]).and_then(enabled),
        // `None` here is nvidia-smi's word for "no special addressing", which the model
        // spells as an absent value; `HMM` and `ATS` (GB10) are kept.
        addressing_mode: text_at(gpu, &["addressing_mode"])
            .and_then(parse_text)
            .filter(|m| m != "None"),
        memory_total_bytes: text_at(gpu, &["fb_memory_usage", "total"]).and_then(parse_mib_bytes),
        power_limit_w: power_limit(gpu),
        pci_bus_id: text_at(gpu, &["pci", "pci_bus_id"])
            .or_else(|| gpu.attribute("id"))
            .and_then(parse_text),
        mig_enabled: text_at(gpu, &["mig_mode", "current_mig"]).and_then(enabled),
        virtualization_mode: text_at(gpu, &["gpu_virtualization_mode", "virtualization_mode"])
            .and_then(parse_text),
    }
}

/// The readings block: `<gpu_power_readings>` from v12, `<power_readings>` before.
fn power_block<'a, 'i>(gpu: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    child(gpu, "gpu_power_readings").or_else(|| child(gpu, "power_readings"))
}

fn power_limit(gpu: Node) -> Option<f64> {
    let block = power_block(gpu)?;
    first_of(
        block,
        &[
            &["current_power_limit"],
            &["enforced_power_limit"],
            &["power_limit"],
        ],
        parse_f64,
    )
}

fn gpu_sample(gpu: Node, index: u32) -> GpuSample {
    let power_w = power_block(gpu).and_then(|b| {
        first_of(
            b,
            &[
                &["power_draw"],
                &["instant_power_draw"],
                &["average_power_draw"],
            ],
            parse_f64,
        )
    });
    GpuSample {
        index,
        uuid: text_at(gpu, &["uuid"]).and_then(parse_text),
        name: text_at(gpu, &["product_name"]).and_then(parse_text),
        utilization_pct: text_at(gpu, &["utilization", "gpu_util"]).and_then(parse_f64),
        memory_utilization_pct: text_at(gpu, &["utilization", "memory_util"]).and_then(parse_f64),
        memory_total_bytes: text_at(gpu, &["fb_memory_usage", "total"]).and_then(parse_mib_bytes),
        memory_used_bytes: text_at(gpu, &["fb_memory_usage", "used"]).and_then(parse_mib_bytes),
        temperature_c: text_at(gpu, &["temperature", "gpu_temp"]).and_then(parse_f64),
        power_w,
        power_limit_w: power_limit(gpu),
        clock_graphics_mhz: text_at(gpu, &["clocks", "graphics_clock"]).and_then(parse_u32),
        clock_sm_mhz: text_at(gpu, &["clocks", "sm_clock"]).and_then(parse_u32),
        clock_memory_mhz: text_at(gpu, &["clocks", "mem_clock"]).and_then(parse_u32),
        fan_pct: text_at(gpu, &["fan_speed"]).and_then(parse_f64),
        pstate: text_at(gpu, &["performance_state"]).and_then(parse_text),
    }
}

fn gpu_processes(gpu: Node, index: u32, uuid: Option<&String>) -> Vec<GpuProcess> {
    let Some(list) = child(gpu, "processes") else {
        return Vec::new();
    };
    list.children()
        .filter(|n| n.is_element() && n.tag_name().name() == "process_info")
        .filter_map(|p| {
            Some(GpuProcess {
                pid: text_at(p, &["pid"]).and_then(parse_u32)?,
                gpu_uuid: uuid.cloned(),
                gpu_index: Some(index),
                name: text_at(p, &["process_name"])
                    .and_then(parse_text)
                    .unwrap_or_default(),
                used_memory_bytes: text_at(p, &["used_memory"]).and_then(parse_mib_bytes),
                ..GpuProcess::default()
            })
        })
        .collect()
}

/// Parses one `nvidia-smi -q -x` document. GPUs are numbered in document order, which is
/// nvidia-smi's index order (not `<minor_number>`).
pub fn parse_xml(text: &str) -> Result<XmlReport, XmlError> {
    // Every nvidia-smi document names its DTD; roxmltree refuses any DOCTYPE unless told.
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options)?;
    let root = doc.root_element();
    if root.tag_name().name() != "nvidia_smi_log" {
        return Err(XmlError::NotNvidiaSmi(root.tag_name().name().to_string()));
    }
    let mut report = XmlReport {
        driver_version: first_of(root, &[&["kmd_version"], &["driver_version"]], version),
        cuda_version: first_of(root, &[&["cuda_umd_version"], &["cuda_version"]], version),
        ..XmlReport::default()
    };
    let gpus = root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "gpu");
    for (index, gpu) in (0u32..).zip(gpus) {
        let stat = gpu_static(gpu, index, &report);
        report
            .processes
            .extend(gpu_processes(gpu, index, stat.uuid.as_ref()));
        report.samples.push(gpu_sample(gpu, index));
        report.statics.push(stat);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_xml_and_wrong_root_are_errors() {
        assert!(matches!(
            parse_xml("NVIDIA-SMI has failed"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(parse_xml("<html/>"), Err(XmlError::NotNvidiaSmi(r)) if r == "html"));
    }

    #[test]
    fn version_note_is_dropped_and_kmd_version_preferred() {
        let r = parse_xml(
            "<nvidia_smi_log><driver_version>610.57.04 [Deprecated; use KMD Version]</driver_version>\
             <cuda_version>13.3 [Deprecated]</cuda_version></nvidia_smi_log>",
        )
        .unwrap();
        assert_eq!(r.driver_version.as_deref(), Some("610.57.04"));
        assert_eq!(r.cuda_version.as_deref(), Some("13.3"));
        let r = parse_xml(
            "<nvidia_smi_log><driver_version>N/A</driver_version><kmd_version>611.1</kmd_version></nvidia_smi_log>",
        )
        .unwrap();
        assert_eq!(r.driver_version.as_deref(), Some("611.1"));
    }

    #[test]
    fn empty_log_has_no_gpus() {
        let r = parse_xml("<nvidia_smi_log></nvidia_smi_log>").unwrap();
        assert!(r.statics.is_empty() && r.samples.is_empty() && r.processes.is_empty());
        assert_eq!(r.driver_version, None);
    }
}
