//! Terminating a GPU process on its host (the confirmation, read-only refusal and audit
//! entry are the caller's).

use crate::host::Host;

/// Sends SIGTERM (or SIGKILL with `force`) to `pid` on `host`. The pid travels as its own
/// argv element. `Err` carries kill's own words, e.g. "Operation not permitted".
pub async fn terminate(host: &dyn Host, pid: u32, force: bool) -> Result<(), String> {
    let signal = if force { "-KILL" } else { "-TERM" };
    let pid_arg = pid.to_string();
    // `kill` is a shell builtin on most systems; /bin/kill may be absent, so it runs in sh.
    let out = host
        .exec(&["sh", "-c", "kill \"$1\" \"$2\"", "sh", signal, &pid_arg])
        .await
        .map_err(|e| format!("cannot send {signal} to pid {pid} on {}: {e}", host.name()))?;
    if out.success() {
        return Ok(());
    }
    let stderr = out.stderr_str();
    let why = stderr.trim();
    Err(format!(
        "kill {signal} {pid} on {} failed: {}",
        host.name(),
        if why.is_empty() {
            format!("exit status {:?}", out.status)
        } else {
            why.to_string()
        }
    ))
}
