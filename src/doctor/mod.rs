//! `sparkdeck doctor`: every incident check with a verdict, what was seen and the fix
//! (issue #7). The checks read through the same engines and sources as `snapshot`; this
//! module only judges what they return.

mod checks;
mod gather;
mod render;
mod xid;

pub use checks::{
    clock_check, docker_check, gpu_check, jobs_check, models_check, services_check, ssh_check,
    user_check,
};
pub use gather::{CHECK_TIMEOUT, SCAN_TIMEOUT, run, unreachable};
pub use render::{to_json, to_text};
pub use xid::{with_xid, xid_lines};

use serde::{Deserialize, Serialize};

/// The version of the `--json` document; see docs/doctor.md.
pub const SCHEMA: u32 = 1;

/// A check's verdict. Ordered by how bad it is, so the worst of a run is the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The check could not run (no credentials, no driver); `seen` says why.
    Skip,
    Ok,
    Warn,
    Crit,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Skip => "skip",
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Crit => "crit",
        }
    }
}

/// One line of the doctor's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable name: `user`, `docker`, `gpu`, `services`, `models`, `jobs`, `ssh`, `clock`.
    pub id: String,
    /// The dashboard tab or layer the finding belongs to.
    pub area: String,
    pub status: Status,
    pub seen: String,
    /// What to do; null when nothing is to be done.
    pub fix: Option<String>,
}

impl Check {
    pub fn new(id: &str, area: &str, status: Status, seen: impl Into<String>) -> Self {
        Check {
            id: id.to_string(),
            area: area.to_string(),
            status,
            seen: seen.into(),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: u32,
    pub host: String,
    pub checks: Vec<Check>,
    pub worst: Status,
}

impl Report {
    pub fn new(host: &str, checks: Vec<Check>) -> Self {
        let worst = checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Ok)
            .max(Status::Ok);
        Report {
            schema: SCHEMA,
            host: host.to_string(),
            checks,
            worst,
        }
    }

    /// 0 when everything is ok or skipped, 1 when the worst is warn, 2 when crit.
    pub fn exit_code(&self) -> u8 {
        match self.worst {
            Status::Skip | Status::Ok => 0,
            Status::Warn => 1,
            Status::Crit => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_and_exit_code() {
        let c = |s| Check::new("x", "x", s, "seen");
        assert_eq!(Report::new("h", vec![c(Status::Skip)]).worst, Status::Ok);
        assert_eq!(Report::new("h", vec![c(Status::Skip)]).exit_code(), 0);
        let r = Report::new("h", vec![c(Status::Ok), c(Status::Warn), c(Status::Skip)]);
        assert_eq!((r.worst, r.exit_code()), (Status::Warn, 1));
        let r = Report::new("h", vec![c(Status::Crit), c(Status::Warn)]);
        assert_eq!((r.worst, r.exit_code()), (Status::Crit, 2));
    }
}
