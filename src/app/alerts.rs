//! When a GPU metric becomes an alert: red (`Level::Crit`, already with hysteresis) for N
//! samples in a row raises it; leaving red clears it. Pure, so the rules are unit-tested.

use super::gpu::GpuMetric;

/// One alert as the alert list shows it (from this session or from the store).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    /// Connection name.
    pub name: String,
    pub gpu_index: u32,
    pub metric: GpuMetric,
    /// Unix seconds.
    pub raised_at: i64,
    pub cleared_at: Option<i64>,
    /// Highest value seen while it was red.
    pub peak: f64,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AlertChange {
    /// The metric has been red for the configured number of samples; `peak` is the highest
    /// value of that run.
    Raised {
        peak: f64,
    },
    Cleared,
}

/// The alert state of one metric of one GPU.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AlertTracker {
    red_run: u32,
    peak: f64,
    raised: bool,
}

impl AlertTracker {
    pub fn raised(&self) -> bool {
        self.raised
    }

    /// Feed one sample's level and value. An unknown value (`Level::Unknown`) neither counts
    /// towards an alert nor clears one: a missing reading says nothing about the GPU.
    pub fn observe(
        &mut self,
        level: crate::metrics::Level,
        value: Option<f64>,
        after: u32,
    ) -> Option<AlertChange> {
        use crate::metrics::Level;
        match level {
            Level::Unknown => {
                self.red_run = 0;
                None
            }
            Level::Crit => {
                let v = value.unwrap_or(f64::NEG_INFINITY);
                self.peak = if self.red_run == 0 && !self.raised {
                    v
                } else {
                    self.peak.max(v)
                };
                self.red_run = self.red_run.saturating_add(1);
                if !self.raised && self.red_run >= after.max(1) {
                    self.raised = true;
                    return Some(AlertChange::Raised { peak: self.peak });
                }
                None
            }
            Level::Ok | Level::Warn => {
                self.red_run = 0;
                if self.raised {
                    self.raised = false;
                    return Some(AlertChange::Cleared);
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Level, Thresholds};

    fn run(values: &[f64], after: u32) -> Vec<(usize, AlertChange)> {
        let t = Thresholds::new(50.0, 80.0, 3.0);
        let mut level = Level::Unknown;
        let mut a = AlertTracker::default();
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            level = t.level(Some(*v), level);
            if let Some(c) = a.observe(level, Some(*v), after) {
                out.push((i, c));
            }
        }
        out
    }

    #[test]
    fn raises_after_n_red_samples_in_a_row_with_the_peak() {
        // 70 is yellow; the red run is 85, 95, 90. The drop to 60 leaves red (60 < 80 - 3).
        let out = run(&[70.0, 85.0, 95.0, 90.0, 60.0], 3);
        assert_eq!(
            out,
            vec![
                (3, AlertChange::Raised { peak: 95.0 }),
                (4, AlertChange::Cleared)
            ]
        );
    }

    #[test]
    fn an_interrupted_red_run_starts_over() {
        assert_eq!(run(&[85.0, 85.0, 40.0, 85.0, 85.0], 3), vec![]);
    }

    #[test]
    fn clearing_waits_for_the_hysteresis_margin() {
        // 78 and 77.5 are below 80 but within 3 of it: still red, still raised.
        let out = run(&[90.0, 90.0, 78.0, 77.5, 76.0], 2);
        assert_eq!(
            out,
            vec![
                (1, AlertChange::Raised { peak: 90.0 }),
                (4, AlertChange::Cleared)
            ]
        );
    }

    #[test]
    fn unknown_values_neither_raise_nor_clear() {
        let mut a = AlertTracker::default();
        assert_eq!(a.observe(Level::Crit, Some(90.0), 2), None);
        assert_eq!(a.observe(Level::Unknown, None, 2), None);
        assert_eq!(a.observe(Level::Crit, Some(91.0), 2), None);
        assert_eq!(
            a.observe(Level::Crit, Some(92.0), 2),
            Some(AlertChange::Raised { peak: 92.0 })
        );
        assert_eq!(a.observe(Level::Unknown, None, 2), None);
        assert!(a.raised());
        assert_eq!(
            a.observe(Level::Ok, Some(10.0), 2),
            Some(AlertChange::Cleared)
        );
    }
}
