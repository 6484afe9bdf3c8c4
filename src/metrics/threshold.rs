//! Green / yellow / red with hysteresis, so a value hovering at a border does not flicker.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No value (not supported or not sampled yet).
    Unknown,
    Ok,
    Warn,
    Crit,
}

impl Level {
    /// The text cue shown next to every coloured value, so colour is never the only signal.
    pub fn label(self) -> &'static str {
        match self {
            Level::Unknown => "n/a",
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Crit => "CRIT",
        }
    }
}

/// `value >= warn` is yellow, `value > crit` is red (the seed's "<50 / 50-80 / >80").
/// Leaving a level needs the value to fall `hysteresis` below its border.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub warn: f64,
    pub crit: f64,
    pub hysteresis: f64,
}

impl Thresholds {
    pub const fn new(warn: f64, crit: f64, hysteresis: f64) -> Self {
        Self {
            warn,
            crit,
            hysteresis,
        }
    }

    /// The level without memory of the previous one.
    pub fn classify(&self, value: Option<f64>) -> Level {
        self.level(value, Level::Unknown)
    }

    /// The level of `value` given the level shown so far.
    pub fn level(&self, value: Option<f64>, prev: Level) -> Level {
        let Some(v) = value.filter(|v| v.is_finite()) else {
            return Level::Unknown;
        };
        let raw = if v > self.crit {
            Level::Crit
        } else if v >= self.warn {
            Level::Warn
        } else {
            Level::Ok
        };
        if raw >= prev || prev == Level::Unknown {
            return raw;
        }
        // Falling: stay at the previous level until clearly below its border.
        let hold = match prev {
            Level::Crit => v > self.crit - self.hysteresis,
            Level::Warn => v >= self.warn - self.hysteresis,
            _ => false,
        };
        if hold {
            prev
        } else if prev == Level::Crit && v >= self.warn - self.hysteresis && raw == Level::Ok {
            // Dropping out of red straight into the warn band's hysteresis: yellow, not green.
            Level::Warn
        } else {
            raw
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Thresholds = Thresholds::new(50.0, 80.0, 5.0);

    #[test]
    fn seed_bands() {
        assert_eq!(T.classify(Some(0.0)), Level::Ok);
        assert_eq!(T.classify(Some(49.9)), Level::Ok);
        assert_eq!(T.classify(Some(50.0)), Level::Warn);
        assert_eq!(T.classify(Some(80.0)), Level::Warn);
        assert_eq!(T.classify(Some(80.1)), Level::Crit);
        assert_eq!(T.classify(None), Level::Unknown);
        assert_eq!(T.classify(Some(f64::NAN)), Level::Unknown);
    }

    #[test]
    fn rising_is_immediate_falling_needs_the_margin() {
        assert_eq!(T.level(Some(81.0), Level::Ok), Level::Crit);
        assert_eq!(T.level(Some(79.0), Level::Crit), Level::Crit);
        assert_eq!(T.level(Some(75.1), Level::Crit), Level::Crit);
        assert_eq!(T.level(Some(75.0), Level::Crit), Level::Warn);
        assert_eq!(T.level(Some(48.0), Level::Warn), Level::Warn);
        assert_eq!(T.level(Some(45.0), Level::Warn), Level::Warn);
        assert_eq!(T.level(Some(44.9), Level::Warn), Level::Ok);
        assert_eq!(T.level(Some(46.0), Level::Crit), Level::Warn);
        assert_eq!(T.level(Some(10.0), Level::Crit), Level::Ok);
    }

    #[test]
    fn a_value_hovering_at_the_border_does_not_flicker() {
        let mut level = Level::Unknown;
        let mut changes = 0;
        for v in [79.0, 81.0, 79.0, 80.5, 78.0, 81.0, 77.0] {
            let next = T.level(Some(v), level);
            if next != level {
                changes += 1;
            }
            level = next;
        }
        // Unknown → Warn → Crit, then it stays red.
        assert_eq!(changes, 2);
        assert_eq!(level, Level::Crit);
    }
}
