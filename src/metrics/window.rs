//! Folding GPU samples into fixed history windows (min / avg / max per metric per GPU), the
//! unit `store::history` persists. Pure: the caller supplies the clock.
//!
//! Windows are aligned to multiples of `window_s` since the Unix epoch, so a restarted
//! dashboard (or two hosts) write windows with the same boundaries and the rows line up.

use crate::model::GpuSample;
use std::collections::BTreeMap;

/// Min, mean and max of the known values of one metric in one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinAvgMax {
    pub min: f64,
    pub avg: f64,
    pub max: f64,
}

/// One finished window of one GPU. A metric no sample in the window reported is `None`
/// (stored as NULL), never 0.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowStats {
    pub gpu_index: u32,
    /// The UUID last seen for this index in the window.
    pub gpu_uuid: Option<String>,
    /// Unix seconds, a multiple of `window_s`.
    pub window_start: i64,
    pub window_s: i64,
    /// Samples of this GPU that fell into the window.
    pub samples: u32,
    pub utilization_pct: Option<MinAvgMax>,
    /// Dedicated GPUs: framebuffer used. Unified GPUs: whatever the caller passed (the
    /// GPU-resident sum of process memory, DESIGN §3).
    pub memory_used_bytes: Option<MinAvgMax>,
    pub temperature_c: Option<MinAvgMax>,
    pub power_w: Option<MinAvgMax>,
    /// Graphics clock; the SM clock when a source reports only that (on NVIDIA GPUs both
    /// are the same clock domain, and the schema column is `clock_gr_mhz`).
    pub clock_mhz: Option<MinAvgMax>,
}

impl WindowStats {
    pub fn window_end(&self) -> i64 {
        self.window_start + self.window_s
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    min: f64,
    max: f64,
    sum: f64,
    n: u32,
}

impl Acc {
    fn add(&mut self, v: Option<f64>) {
        // NaN or infinity from a garbled source is "unknown", like a missing field.
        let Some(v) = v.filter(|v| v.is_finite()) else {
            return;
        };
        if self.n == 0 {
            (self.min, self.max) = (v, v);
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.sum += v;
        self.n += 1;
    }

    fn finish(&self) -> Option<MinAvgMax> {
        (self.n > 0).then(|| MinAvgMax {
            min: self.min,
            avg: self.sum / f64::from(self.n),
            max: self.max,
        })
    }
}

#[derive(Debug, Clone, Default)]
struct GpuAcc {
    uuid: Option<String>,
    samples: u32,
    util: Acc,
    mem: Acc,
    temp: Acc,
    power: Acc,
    clock: Acc,
}

/// Collects samples into aligned windows until they are due.
#[derive(Debug, Clone)]
pub struct WindowAccumulator {
    window_s: i64,
    /// Keyed by (window_start, gpu_index): samples may straddle a border before `take_due`.
    open: BTreeMap<(i64, u32), GpuAcc>,
    /// End of the newest window handed out; later samples for it are dropped rather than
    /// written as a second row for a window already stored.
    taken_until: i64,
}

impl WindowAccumulator {
    /// `window_s` below 1 is taken as 1.
    pub fn new(window_s: u64) -> Self {
        Self {
            window_s: i64::try_from(window_s).unwrap_or(i64::MAX).max(1),
            open: BTreeMap::new(),
            taken_until: i64::MIN,
        }
    }

    pub fn window_s(&self) -> i64 {
        self.window_s
    }

    /// Start of the window `at` (Unix seconds) falls into.
    pub fn window_start(&self, at: f64) -> i64 {
        let secs = at.floor() as i64;
        secs - secs.rem_euclid(self.window_s)
    }

    /// Adds one sample of every GPU taken at `at`, using each sample's own
    /// `memory_used_bytes` (right for dedicated-memory GPUs).
    pub fn push(&mut self, at: f64, samples: &[GpuSample]) {
        self.push_with(at, samples, |s| s.memory_used_bytes);
    }

    /// As `push`, with the memory figure chosen by the caller per sample: for a unified GPU
    /// pass the GPU-resident bytes (`metrics::gpu_resident_bytes`), since its
    /// `memory_used_bytes` is unknown.
    pub fn push_with(
        &mut self,
        at: f64,
        samples: &[GpuSample],
        memory_used_bytes: impl Fn(&GpuSample) -> Option<u64>,
    ) {
        if !at.is_finite() {
            return;
        }
        let start = self.window_start(at);
        if start < self.taken_until {
            return;
        }
        for s in samples {
            let acc = self.open.entry((start, s.index)).or_default();
            if s.uuid.is_some() {
                acc.uuid.clone_from(&s.uuid);
            }
            acc.samples += 1;
            acc.util.add(s.utilization_pct);
            acc.mem.add(memory_used_bytes(s).map(|b| b as f64));
            acc.temp.add(s.temperature_c);
            acc.power.add(s.power_w);
            acc.clock
                .add(s.clock_graphics_mhz.or(s.clock_sm_mhz).map(f64::from));
        }
    }

    /// The windows that ended at or before `now`, oldest first, GPUs in index order.
    pub fn take_due(&mut self, now: f64) -> Vec<WindowStats> {
        let window_s = self.window_s;
        let due: Vec<(i64, u32)> = self
            .open
            .keys()
            .take_while(|(start, _)| (start.saturating_add(window_s) as f64) <= now)
            .copied()
            .collect();
        let mut out = Vec::with_capacity(due.len());
        for key in due {
            let Some(acc) = self.open.remove(&key) else {
                continue;
            };
            self.taken_until = self.taken_until.max(key.0.saturating_add(window_s));
            out.push(WindowStats {
                gpu_index: key.1,
                gpu_uuid: acc.uuid,
                window_start: key.0,
                window_s,
                samples: acc.samples,
                utilization_pct: acc.util.finish(),
                memory_used_bytes: acc.mem.finish(),
                temperature_c: acc.temp.finish(),
                power_w: acc.power.finish(),
                clock_mhz: acc.clock.finish(),
            });
        }
        out
    }

    /// Everything still open, finished or not (at shutdown, so the last partial window is
    /// not lost).
    pub fn take_all(&mut self) -> Vec<WindowStats> {
        self.take_due(f64::INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(index: u32, util: Option<f64>, temp: Option<f64>, mem: Option<u64>) -> GpuSample {
        GpuSample {
            index,
            uuid: Some(format!("GPU-{index}")),
            utilization_pct: util,
            temperature_c: temp,
            memory_used_bytes: mem,
            power_w: Some(10.0 + f64::from(index)),
            clock_sm_mhz: Some(2400),
            ..GpuSample::default()
        }
    }

    const T: f64 = 1_790_000_000.0; // a multiple of 20

    #[test]
    fn min_avg_max_per_gpu_with_peaks_and_nulls() {
        let mut w = WindowAccumulator::new(20);
        w.push(
            T + 1.0,
            &[
                sample(0, Some(10.0), None, Some(1000)),
                sample(1, None, None, None),
            ],
        );
        w.push(
            T + 3.0,
            &[
                sample(0, Some(100.0), Some(50.0), None),
                sample(1, None, None, None),
            ],
        );
        w.push(
            T + 5.0,
            &[
                sample(0, Some(40.0), Some(70.0), Some(3000)),
                sample(1, None, None, None),
            ],
        );
        assert!(w.take_due(T + 19.9).is_empty(), "window not over yet");
        let got = w.take_due(T + 20.0);
        assert_eq!(got.len(), 2);
        let g0 = &got[0];
        assert_eq!(
            (g0.gpu_index, g0.window_start, g0.window_s, g0.samples),
            (0, T as i64, 20, 3)
        );
        assert_eq!(g0.window_end(), T as i64 + 20);
        assert_eq!(g0.gpu_uuid.as_deref(), Some("GPU-0"));
        assert_eq!(
            g0.utilization_pct,
            Some(MinAvgMax {
                min: 10.0,
                avg: 50.0,
                max: 100.0
            })
        );
        // The sample without temperature does not drag the average toward 0.
        assert_eq!(
            g0.temperature_c,
            Some(MinAvgMax {
                min: 50.0,
                avg: 60.0,
                max: 70.0
            })
        );
        assert_eq!(
            g0.memory_used_bytes,
            Some(MinAvgMax {
                min: 1000.0,
                avg: 2000.0,
                max: 3000.0
            })
        );
        assert_eq!(g0.clock_mhz.map(|c| c.max), Some(2400.0));
        let g1 = &got[1];
        assert_eq!((g1.gpu_index, g1.samples), (1, 3));
        assert_eq!(
            (g1.utilization_pct, g1.temperature_c, g1.memory_used_bytes),
            (None, None, None)
        );
        assert_eq!(
            g1.power_w,
            Some(MinAvgMax {
                min: 11.0,
                avg: 11.0,
                max: 11.0
            })
        );
        assert!(w.take_due(T + 1000.0).is_empty(), "nothing left");
    }

    #[test]
    fn windows_align_to_multiples_of_window_s() {
        let mut w = WindowAccumulator::new(20);
        w.push(T + 17.0, &[sample(0, Some(1.0), None, None)]);
        w.push(T + 21.5, &[sample(0, Some(2.0), None, None)]);
        w.push(T + 39.999, &[sample(0, Some(3.0), None, None)]);
        let got = w.take_due(T + 45.0);
        let starts: Vec<i64> = got.iter().map(|s| s.window_start).collect();
        assert_eq!(starts, [T as i64, T as i64 + 20]);
        assert_eq!(
            got[1].utilization_pct.map(|u| (u.min, u.max)),
            Some((2.0, 3.0))
        );
        assert_eq!(
            w.window_start(-5.0),
            -20,
            "before the epoch still rounds down"
        );
        let mut w300 = WindowAccumulator::new(300);
        assert_eq!(w300.window_start(T + 299.0) % 300, 0);
        w300.push(T + 299.0, &[sample(0, Some(1.0), None, None)]);
        assert_eq!(w300.take_all()[0].window_start % 300, 0);
    }

    #[test]
    fn late_samples_for_a_taken_window_are_dropped() {
        let mut w = WindowAccumulator::new(20);
        w.push(T + 1.0, &[sample(0, Some(5.0), None, None)]);
        assert_eq!(w.take_due(T + 20.0).len(), 1);
        w.push(T + 2.0, &[sample(0, Some(99.0), None, None)]);
        w.push(f64::NAN, &[sample(0, Some(99.0), None, None)]);
        assert!(w.take_all().is_empty());
    }

    #[test]
    fn caller_supplies_memory_for_unified_gpus_and_garbage_is_unknown() {
        let mut w = WindowAccumulator::new(20);
        let s = sample(0, Some(f64::NAN), Some(f64::INFINITY), None);
        w.push_with(T, std::slice::from_ref(&s), |_| Some(4 << 30));
        w.push_with(T + 1.0, &[s], |_| Some(6 << 30));
        let got = w.take_all();
        assert_eq!(
            got[0].memory_used_bytes.map(|m| m.avg),
            Some((5u64 << 30) as f64)
        );
        assert_eq!((got[0].utilization_pct, got[0].temperature_c), (None, None));
    }
}
