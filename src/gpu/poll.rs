//! The slow poll (every `processes_interval_s`): GPU processes, the host's memory and memory
//! pressure, and who runs each GPU process, gathered by ONE `sh -c` run so a remote Spark
//! sees one SSH channel per poll, never one per sample.
//!
//! The script is a fixed string. Everything variable (the nvidia-smi program, the field
//! list, the pids) is passed as separate argv elements and read through `$1…`/`"$@"`, so no
//! value is ever parsed by the shell as code.

use crate::host::Host;
use crate::model::{GpuProcess, HostMemory};
use std::collections::{BTreeMap, BTreeSet};

use crate::sources::gpu::{QUERY_APPS_FIELDS, parse_compute_apps};
use crate::sources::proc::{container_from_cgroup, parse_meminfo, parse_pressure, parse_ps};

const MARK: &str = "@@sparkdeck ";

/// `$1` = full | enrich, `$2` = nvidia-smi program, `$3` = compute-apps fields, then pids.
const SCRIPT: &str = r#"mode=$1; smi=$2; fields=$3; shift 3
if [ "$mode" = full ]; then
  echo '@@sparkdeck apps'
  "$smi" --query-compute-apps="$fields" --format=csv,noheader,nounits
  echo "@@sparkdeck apps-exit $?"
  echo '@@sparkdeck meminfo'
  cat /proc/meminfo
  echo '@@sparkdeck pressure'
  cat /proc/pressure/memory 2>/dev/null
fi
[ $# -gt 0 ] || exit 0
echo '@@sparkdeck ps'
pids=$(IFS=,; echo "$*")
ps -o pid=,user=,args= -p "$pids" 2>/dev/null
for p in "$@"; do
  echo "@@sparkdeck cgroup $p"
  cat "/proc/$p/cgroup" 2>/dev/null
done
exit 0
"#;

/// Who runs a GPU process, from `ps` and its cgroup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    pub user: Option<String>,
    pub command: Option<String>,
    pub container: Option<String>,
}

/// What one run of the poll script printed, cut at its section markers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollOutput {
    /// `None` when the script did not query nvidia-smi (enrich mode).
    pub apps: Option<Vec<GpuProcess>>,
    pub apps_exit: Option<i32>,
    pub memory: Option<HostMemory>,
    pub owners: BTreeMap<u32, Owner>,
}

/// The argv of one poll: `sh -c SCRIPT sh MODE SMI FIELDS PID…`.
pub fn argv(full: bool, smi: &str, pids: &[u32]) -> Vec<String> {
    let mut v = vec![
        "sh".to_string(),
        "-c".to_string(),
        SCRIPT.to_string(),
        "sh".to_string(),
        if full { "full" } else { "enrich" }.to_string(),
        smi.to_string(),
        QUERY_APPS_FIELDS.join(","),
    ];
    v.extend(pids.iter().map(u32::to_string));
    v
}

/// Cuts the script's output into its sections. Unknown or garbled text is ignored.
pub fn parse_output(text: &str) -> PollOutput {
    let mut sections: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix(MARK) {
            sections.push((name, String::new()));
        } else if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    let mut out = PollOutput::default();
    let mut ps = Vec::new();
    let mut cgroups = BTreeMap::new();
    let mut pressure = (None, None);
    for (name, body) in &sections {
        match name.split_once(' ').unwrap_or((name, "")) {
            ("apps", _) => out.apps = Some(parse_compute_apps(body)),
            ("apps-exit", code) => out.apps_exit = code.trim().parse().ok(),
            ("meminfo", _) => out.memory = Some(parse_meminfo(body)),
            ("pressure", _) => pressure = parse_pressure(body),
            ("ps", _) => ps = parse_ps(body),
            ("cgroup", pid) => {
                if let Ok(pid) = pid.trim().parse::<u32>() {
                    cgroups.insert(pid, container_from_cgroup(body));
                }
            }
            _ => {}
        }
    }
    if let Some(m) = out.memory.as_mut() {
        m.pressure_some_avg10 = pressure.0;
        m.pressure_full_avg10 = pressure.1;
    }
    for (pid, user, args) in ps {
        let o = out.owners.entry(pid).or_default();
        o.user = Some(user).filter(|u| !u.is_empty());
        o.command = Some(args).filter(|a| !a.is_empty());
    }
    for (pid, container) in cgroups {
        // A pid that vanished between nvidia-smi and ps has neither: leave it unknown.
        if let Some(o) = out.owners.get_mut(&pid) {
            o.container = container;
        }
    }
    out
}

/// Fills user, command and container from what is known about each pid.
pub fn enrich(processes: &mut [GpuProcess], owners: &BTreeMap<u32, Owner>) {
    for p in processes {
        if let Some(o) = owners.get(&p.pid) {
            p.user = o.user.clone();
            p.command = o.command.clone();
            p.container = o.container.clone();
        }
    }
}

/// The distinct pids of a process list, in order.
pub fn pids(processes: &[GpuProcess]) -> Vec<u32> {
    processes
        .iter()
        .map(|p| p.pid)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Result of one poll with its owners merged in.
#[derive(Debug, Clone, PartialEq)]
pub struct Polled {
    pub processes: Result<Vec<GpuProcess>, String>,
    pub memory: Option<HostMemory>,
}

/// Keeps who-runs-what between polls so a steady process set costs one exec per poll.
#[derive(Debug, Default)]
pub struct Poller {
    owners: BTreeMap<u32, Owner>,
}

impl Poller {
    /// One full poll: one exec; a second, enrichment-only exec only when new pids appeared.
    pub async fn poll(&mut self, host: &dyn Host, smi: &str) -> Polled {
        let known: Vec<u32> = self.owners.keys().copied().collect();
        let out = match run(host, true, smi, &known).await {
            Ok(out) => out,
            Err(e) => {
                return Polled {
                    processes: Err(e),
                    memory: None,
                };
            }
        };
        let processes = match (out.apps, out.apps_exit) {
            (Some(apps), Some(0)) => Ok(apps),
            (_, code) => Err(format!(
                "{smi} --query-compute-apps on {} failed (exit {})",
                host.name(),
                code.map_or("unknown".to_string(), |c| c.to_string())
            )),
        };
        self.owners = out.owners;
        // A pid that was asked about stays known even when ps did not list it (another
        // namespace, or gone): asking again on every poll would cost an exec each time.
        for pid in known {
            self.owners.entry(pid).or_default();
        }
        let processes = match processes {
            Ok(mut procs) => {
                let fresh: Vec<u32> = pids(&procs)
                    .into_iter()
                    .filter(|p| !self.owners.contains_key(p))
                    .collect();
                self.enrich_fresh(host, &fresh).await;
                let live: BTreeSet<u32> = pids(&procs).into_iter().collect();
                self.owners.retain(|pid, _| live.contains(pid));
                enrich(&mut procs, &self.owners);
                Ok(procs)
            }
            Err(e) => Err(e),
        };
        Polled {
            processes,
            memory: out.memory,
        }
    }

    /// Enriches processes that came from elsewhere (NVML): one exec for the pids.
    pub async fn enrich_only(&mut self, host: &dyn Host, procs: &mut [GpuProcess]) {
        let all = pids(procs);
        self.owners.retain(|pid, _| all.contains(pid));
        let fresh: Vec<u32> = all
            .into_iter()
            .filter(|p| !self.owners.contains_key(p))
            .collect();
        self.enrich_fresh(host, &fresh).await;
        enrich(procs, &self.owners);
    }

    /// One enrichment-only exec for pids seen for the first time.
    async fn enrich_fresh(&mut self, host: &dyn Host, fresh: &[u32]) {
        if fresh.is_empty() {
            return;
        }
        if let Ok(more) = run(host, false, "nvidia-smi", fresh).await {
            self.owners.extend(more.owners);
        }
        for pid in fresh {
            self.owners.entry(*pid).or_default();
        }
    }
}

async fn run(host: &dyn Host, full: bool, smi: &str, pids: &[u32]) -> Result<PollOutput, String> {
    let argv = argv(full, smi, pids);
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = host
        .exec(&refs)
        .await
        .map_err(|e| format!("GPU process poll on {}: {e}", host.name()))?;
    if !out.success() {
        return Err(format!(
            "GPU process poll on {} exited with {}: {}",
            host.name(),
            out.status
                .map_or("a signal".to_string(), |c| format!("status {c}")),
            out.stderr_str().trim()
        ));
    }
    Ok(parse_output(&out.stdout_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_cut_and_owners_merged() {
        let text = "@@sparkdeck apps\n\
            42, python3, GPU-a, 100\n\
            @@sparkdeck apps-exit 0\n\
            @@sparkdeck meminfo\n\
            MemTotal: 1000 kB\nMemAvailable: 400 kB\nSwapFree: 100 kB\n\
            @@sparkdeck pressure\n\
            some avg10=1.25 avg60=0.00 avg300=0.00 total=1\n\
            full avg10=0.50 avg60=0.00 avg300=0.00 total=1\n\
            @@sparkdeck ps\n\
               42 alice    python3 serve.py --port 8000\n\
            @@sparkdeck cgroup 42\n\
            0::/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n\
            @@sparkdeck cgroup 77\n";
        let out = parse_output(text);
        assert_eq!(out.apps_exit, Some(0));
        let apps = out.apps.unwrap();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].pid, 42);
        let m = out.memory.unwrap();
        assert_eq!(m.mem_available_bytes, Some(400 * 1024));
        assert_eq!(m.pressure_some_avg10, Some(1.25));
        assert_eq!(m.pressure_full_avg10, Some(0.5));
        let o = &out.owners[&42];
        assert_eq!(o.user.as_deref(), Some("alice"));
        assert_eq!(o.command.as_deref(), Some("python3 serve.py --port 8000"));
        assert_eq!(o.container.as_deref(), Some("0123456789ab"));
        assert!(
            !out.owners.contains_key(&77),
            "a pid ps did not list stays unknown"
        );

        let mut procs = apps;
        enrich(&mut procs, &out.owners);
        assert_eq!(procs[0].user.as_deref(), Some("alice"));
        assert_eq!(procs[0].container.as_deref(), Some("0123456789ab"));
    }

    #[test]
    fn garbage_and_missing_sections_leave_unknowns() {
        let out = parse_output("no markers\n\u{fffd}\u{fffd}\n@@sparkdeck\n@@sparkdeck cgroup x\n");
        assert_eq!(out, PollOutput::default());
    }

    #[test]
    fn pids_travel_as_their_own_arguments() {
        let v = argv(true, "nvidia-smi", &[12, 7, 12]);
        assert_eq!(&v[..2], ["sh", "-c"]);
        assert!(!v[2].contains("12"), "no pid is spliced into the script");
        assert_eq!(&v[3..6], ["sh", "full", "nvidia-smi"]);
        assert_eq!(&v[7..], ["12", "7", "12"]);
        assert_eq!(
            pids(&[
                GpuProcess {
                    pid: 9,
                    ..Default::default()
                },
                GpuProcess {
                    pid: 3,
                    ..Default::default()
                },
                GpuProcess {
                    pid: 9,
                    ..Default::default()
                },
            ]),
            vec![3, 9]
        );
    }
}
