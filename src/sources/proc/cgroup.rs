//! `/proc/<pid>/cgroup` → the container a process runs in.
//!
//! Runtimes name the cgroup after the 64-hex container id, each in its own way:
//! docker on cgroup v2 `/system.slice/docker-<id>.scope`, on v1 `/docker/<id>`;
//! containerd/Kubernetes `…/cri-containerd-<id>.scope` or `/kubepods/…/pod<uid>/<id>`;
//! CRI-O `crio-<id>.scope`; podman `libpod-<id>.scope`.

/// Length of a full container id, and of the short id `docker ps` shows.
const FULL_ID_LEN: usize = 64;
const SHORT_ID_LEN: usize = 12;

/// Prefixes runtimes put before the id in a systemd scope name. `libpod-conmon-` (podman's
/// monitor, not the container) deliberately does not match: what follows is not hex.
const PREFIXES: &[&str] = &[
    "docker-",
    "libpod-",
    "cri-containerd-",
    "crio-",
    "containerd-",
];

fn container_id(segment: &str) -> Option<&str> {
    let name = segment.strip_suffix(".scope").unwrap_or(segment);
    let id = PREFIXES
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name);
    (id.len() == FULL_ID_LEN && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

/// The 12-character short id of the container the process is in, or `None` when its
/// cgroup names no container (a host process). The innermost match wins (nested runtimes).
pub fn container_from_cgroup(text: &str) -> Option<String> {
    text.lines()
        // `hierarchy-id:controllers:path`; the path may itself hold ':'.
        .filter_map(|line| line.splitn(3, ':').nth(2))
        .filter_map(|path| path.split('/').filter_map(container_id).next_back())
        .next()
        .map(|id| id[..SHORT_ID_LEN].to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f7b4c5e3a0d9d7e6b1a2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef";

    #[test]
    fn docker_v2_and_v1() {
        let v2 = format!("0::/system.slice/docker-{ID}.scope\n");
        assert_eq!(container_from_cgroup(&v2).as_deref(), Some("4f7b4c5e3a0d"));
        let v1 = format!("12:memory:/docker/{ID}\n11:cpu,cpuacct:/docker/{ID}\n");
        assert_eq!(container_from_cgroup(&v1).as_deref(), Some("4f7b4c5e3a0d"));
    }

    #[test]
    fn host_process_and_conmon_are_not_containers() {
        assert_eq!(
            container_from_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n"),
            None
        );
        let conmon = format!("0::/machine.slice/libpod-conmon-{ID}.scope\n");
        assert_eq!(container_from_cgroup(&conmon), None);
        assert_eq!(container_from_cgroup(""), None);
    }
}
