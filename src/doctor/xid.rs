//! NVIDIA XID errors in the kernel log (`NVRM: Xid (PCI:…): 79, …`): the driver's own
//! report of a GPU fault, often before nvidia-smi shows anything.

use super::{Check, Status};

/// The XID lines of a kernel log (`dmesg` output), oldest first.
pub fn xid_lines(kernel_log: &str) -> Vec<String> {
    kernel_log
        .lines()
        .filter(|l| l.contains("NVRM: Xid"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// The GPU check with what the kernel log says added: any XID since boot makes it crit.
/// `log`: the XID lines, or why the log could not be read (which changes no status: reading
/// it needs root on most hosts).
pub fn with_xid(mut gpu: Check, log: Result<Vec<String>, String>) -> Check {
    match log {
        Ok(lines) if lines.is_empty() => gpu,
        Ok(lines) => {
            let last = lines.last().map(String::as_str).unwrap_or_default();
            let seen = format!(
                "{} XID error(s) in the kernel log since boot, last: {last}",
                lines.len()
            );
            gpu.seen = if gpu.status == Status::Skip {
                seen
            } else {
                format!("{}; {seen}", gpu.seen)
            };
            gpu.status = Status::Crit;
            gpu.fix = Some(
                "look the XID up in NVIDIA's XID catalogue; collect nvidia-bug-report.sh, then \
                 stop the GPU's processes and reboot"
                    .to_string(),
            );
            gpu
        }
        Err(_) => gpu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "[    2.1] usb 1-1: new device\n\
        [ 8120.5] NVRM: Xid (PCI:000f:01:00): 13, pid=4242, name=python3, Graphics Exception\n\
        [ 9000.0] eth0: link up\n\
        [ 9100.2] NVRM: Xid (PCI:000f:01:00): 79, pid=0, GPU has fallen off the bus.\n";

    #[test]
    fn finds_xid_lines_only() {
        let lines = xid_lines(LOG);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with("79, pid=0, GPU has fallen off the bus."));
        assert!(xid_lines("").is_empty());
        assert!(xid_lines("\u{0}\u{1}garbage\nNVRM: loading driver").is_empty());
    }

    #[test]
    fn any_xid_makes_the_gpu_crit() {
        let ok = Check::new("gpu", "gpu", Status::Ok, "0 NVIDIA GB10 mem 10%");
        assert_eq!(with_xid(ok.clone(), Ok(Vec::new())), ok);
        assert_eq!(
            with_xid(ok.clone(), Err("Operation not permitted".into())),
            ok
        );
        let c = with_xid(ok, Ok(xid_lines(LOG)));
        assert_eq!(c.status, Status::Crit);
        assert!(
            c.seen.starts_with("0 NVIDIA GB10 mem 10%; 2 XID error(s)"),
            "{}",
            c.seen
        );
        assert!(c.seen.ends_with("GPU has fallen off the bus."));
        assert!(c.fix.unwrap().contains("nvidia-bug-report.sh"));
    }
}
