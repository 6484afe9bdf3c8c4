//! The one long-running `nvidia-smi --query-gpu … -lms N` stream: lines are grouped into one
//! `Samples` per tick, garbage is skipped, and a stream that dies or keeps printing garbage
//! is restarted with a backoff (1 s doubling to 30 s) while the tab says so.

use crate::host::{Backoff, Host, StreamEvent};
use crate::model::{GpuEvent, GpuSample, GpuSourceState};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::sources::gpu::{parse_gpu_line, query_gpu_arg};

/// Unreadable lines in a row after which the stream is restarted.
pub const GARBAGE_LIMIT: u32 = 3;

pub const RESTART_BACKOFF: Backoff = Backoff {
    initial: Duration::from_secs(1),
    max: Duration::from_secs(30),
    jitter: 0.2,
};

/// The stream's argv; `-lms` repeats only the data rows, one line per GPU per tick.
pub fn argv(smi: &str, interval_ms: u64) -> Vec<String> {
    vec![
        smi.to_string(),
        query_gpu_arg(),
        "--format=csv,noheader,nounits".to_string(),
        "-lms".to_string(),
        interval_ms.max(1).to_string(),
    ]
}

/// What one line did to the tick being assembled.
#[derive(Debug, Clone, PartialEq)]
pub enum Fed {
    /// Kept (part of a tick not yet complete), or a blank line.
    Nothing,
    /// A tick is complete: one sample per GPU.
    Tick(Vec<GpuSample>),
    /// Not a sample line; skipped. `in_a_row` counts consecutive unreadable lines.
    Garbage { in_a_row: u32 },
}

/// Groups sample lines into ticks. A tick is complete when it holds `expected` GPUs (the
/// count `-q -x` reported) or, when that is unknown, when a line's index does not increase.
#[derive(Debug, Default)]
pub struct Ticks {
    expected: Option<usize>,
    current: Vec<GpuSample>,
    garbage_in_a_row: u32,
    /// Every unreadable line since the stream started (for the log).
    pub garbage_total: u64,
}

impl Ticks {
    pub fn new(expected: Option<usize>) -> Ticks {
        Ticks {
            expected: expected.filter(|&n| n > 0),
            ..Default::default()
        }
    }

    pub fn feed(&mut self, line: &str) -> Fed {
        if line.trim().is_empty() {
            return Fed::Nothing;
        }
        let sample = match parse_gpu_line(line) {
            Ok(s) => s,
            Err(_) => {
                self.garbage_in_a_row += 1;
                self.garbage_total += 1;
                return Fed::Garbage {
                    in_a_row: self.garbage_in_a_row,
                };
            }
        };
        self.garbage_in_a_row = 0;
        let mut done = None;
        if self
            .current
            .last()
            .is_some_and(|last| sample.index <= last.index)
        {
            done = Some(std::mem::take(&mut self.current));
        }
        self.current.push(sample);
        if self.expected == Some(self.current.len()) {
            // With a known count the tick is emitted at once instead of one interval late.
            debug_assert!(done.is_none());
            done = Some(std::mem::take(&mut self.current));
        }
        done.map_or(Fed::Nothing, Fed::Tick)
    }
}

/// Unix time in fractional seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn clip(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

/// Runs the stream until `cancel`, restarting it whenever it ends. `healthy` is the state
/// announced again when a restarted stream delivers its first tick.
pub async fn run(
    host: &dyn Host,
    smi: &str,
    interval_ms: u64,
    gpu_count: Option<usize>,
    healthy: GpuSourceState,
    emit: &UnboundedSender<GpuEvent>,
    cancel: &CancellationToken,
) {
    let argv = argv(smi, interval_ms);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut attempt = 0u32;
    loop {
        let started = tokio::select! {
            _ = cancel.cancelled() => return,
            s = host.stream_lines(&argv) => s,
        };
        let (reason, ticked) = match started {
            Err(e) => (format!("cannot start {smi} on {}: {e}", host.name()), false),
            Ok(mut lines) => {
                let mut ticks = Ticks::new(gpu_count);
                let mut last_stderr = String::new();
                let mut ticked = false;
                let reason = loop {
                    let ev = tokio::select! {
                        // Dropping `lines` on return stops the remote nvidia-smi.
                        _ = cancel.cancelled() => return,
                        ev = lines.next() => ev,
                    };
                    match ev {
                        Some(StreamEvent::Stdout(line)) => match ticks.feed(&line) {
                            Fed::Nothing => {}
                            Fed::Tick(samples) => {
                                if !ticked && attempt > 0 {
                                    let _ = emit.send(GpuEvent::Source(healthy.clone()));
                                }
                                ticked = true;
                                attempt = 0;
                                if emit.send(GpuEvent::Samples { at: now(), samples }).is_err() {
                                    return;
                                }
                            }
                            Fed::Garbage { in_a_row } => {
                                tracing::debug!(host = host.name(), line = %clip(&line), total = ticks.garbage_total, "skipped an unreadable nvidia-smi line");
                                if in_a_row >= GARBAGE_LIMIT {
                                    break format!(
                                        "{smi} on {} printed {in_a_row} unreadable lines in a row (last: {:?})",
                                        host.name(),
                                        clip(&line)
                                    );
                                }
                            }
                        },
                        Some(StreamEvent::Stderr(line)) => {
                            if !line.trim().is_empty() {
                                last_stderr = line;
                            }
                        }
                        Some(StreamEvent::Exit(code)) => {
                            let status =
                                code.map_or("a signal".to_string(), |c| format!("status {c}"));
                            let tail = if last_stderr.is_empty() {
                                String::new()
                            } else {
                                format!(": {}", clip(last_stderr.trim()))
                            };
                            break format!(
                                "{smi} stream on {} exited with {status}{tail}",
                                host.name()
                            );
                        }
                        None => {
                            break format!(
                                "{smi} stream on {} ended without an exit status",
                                host.name()
                            );
                        }
                    }
                };
                (reason, ticked)
            }
        };
        attempt = if ticked { 1 } else { attempt.saturating_add(1) };
        tracing::warn!(host = host.name(), attempt, %reason, "restarting the nvidia-smi stream");
        if emit
            .send(GpuEvent::Source(GpuSourceState::Restarting {
                reason,
                attempt,
            }))
            .is_err()
        {
            return;
        }
        let delay = RESTART_BACKOFF.delay(attempt, rand::random::<f64>());
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: u32) -> String {
        format!(
            "{i}, GPU-{i}, NVIDIA RTX A5000, 3, 1, 24564, 1, 40, 20.5, 230.00, 210, 210, 405, 30, P8"
        )
    }

    #[test]
    fn ticks_close_at_the_known_gpu_count() {
        let mut t = Ticks::new(Some(2));
        assert_eq!(t.feed(&line(0)), Fed::Nothing);
        match t.feed(&line(1)) {
            Fed::Tick(s) => assert_eq!(s.iter().map(|s| s.index).collect::<Vec<_>>(), [0, 1]),
            other => panic!("{other:?}"),
        }
        assert_eq!(t.feed(&line(0)), Fed::Nothing);
    }

    #[test]
    fn without_a_count_a_non_increasing_index_starts_a_tick() {
        let mut t = Ticks::new(None);
        assert_eq!(t.feed(&line(0)), Fed::Nothing);
        assert_eq!(t.feed(&line(1)), Fed::Nothing);
        assert_eq!(t.feed(""), Fed::Nothing);
        match t.feed(&line(0)) {
            Fed::Tick(s) => assert_eq!(s.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_is_counted_in_a_row_and_reset_by_a_good_line() {
        let mut t = Ticks::new(Some(1));
        assert_eq!(
            t.feed("Unable to determine the device handle"),
            Fed::Garbage { in_a_row: 1 }
        );
        assert_eq!(t.feed("\u{fffd}\u{fffd}"), Fed::Garbage { in_a_row: 2 });
        assert!(matches!(t.feed(&line(0)), Fed::Tick(_)));
        assert_eq!(t.feed("x"), Fed::Garbage { in_a_row: 1 });
        assert_eq!(t.garbage_total, 3);
    }

    #[test]
    fn stream_argv_has_no_shell_and_the_interval() {
        let v = argv("/opt/nv/nvidia-smi", 2000);
        assert_eq!(v[0], "/opt/nv/nvidia-smi");
        assert!(v[1].starts_with("--query-gpu="));
        assert_eq!(&v[2..], ["--format=csv,noheader,nounits", "-lms", "2000"]);
    }
}
