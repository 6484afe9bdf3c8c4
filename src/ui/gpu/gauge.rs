//! One gauge line: label, a text bar, the value and the level's word, so a reading is
//! clear without colour. Also the number formats the GPU tab shares.

use super::super::style;
use crate::config::Theme;
use crate::metrics::Level;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const GIB: f64 = (1u64 << 30) as f64;
/// Fits `21.9 GiB / 24.0 GiB 91 %`.
const VALUE_WIDTH: usize = 24;

pub fn level_style(th: &Theme, level: Level) -> Style {
    match level {
        Level::Unknown => style::muted(th),
        Level::Ok => style::ok(th),
        Level::Warn => style::warn(th),
        Level::Crit => style::crit(th),
    }
}

/// `21.9 GiB`; below 1 GiB in MiB, so 1 MiB does not read as `0.0 GiB`.
pub fn gib(bytes: u64) -> String {
    if bytes < 1 << 30 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{:.1} GiB", bytes as f64 / GIB)
    }
}

pub fn opt<T: std::fmt::Display>(v: Option<T>, unit: &str) -> String {
    match v {
        Some(v) => format!("{v}{unit}"),
        None => "n/a".into(),
    }
}

/// `37 %`, `n/a` for unknown: never a made-up zero.
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.0} %"))
}

pub fn watts(v: f64) -> String {
    if v >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// `212 / 350 W` against a known limit, `11.17 W` without one.
pub fn power(w: Option<f64>, limit: Option<f64>) -> String {
    match (w, limit) {
        (Some(w), Some(l)) => format!("{} / {} W", watts(w), watts(l)),
        (Some(w), None) => format!("{} W", watts(w)),
        (None, Some(l)) => format!("n/a / {} W", watts(l)),
        (None, None) => "n/a".into(),
    }
}

/// A bar of `width` cells filled to `ratio` (0..=1); blank dots when unknown.
pub fn bar(ratio: Option<f64>, width: usize) -> String {
    match ratio {
        Some(r) if r.is_finite() => {
            let filled = ((r.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
            format!("{}{}", "█".repeat(filled), "·".repeat(width - filled))
        }
        _ => " ".repeat(width),
    }
}

/// `label [bar] value cue`, fitted to `width` columns; the bar goes first when room is short.
pub fn line(
    th: &Theme,
    label: &str,
    ratio: Option<f64>,
    value: String,
    level: Option<Level>,
    width: usize,
) -> Line<'static> {
    let cue = level.map(|l| l.label()).unwrap_or("");
    let bar_style = level.map_or(Style::new().fg(th.power), |l| level_style(th, l));
    // One value column on wide cards, so the bars of a card line up.
    let vw = if width >= 50 {
        VALUE_WIDTH.max(value.chars().count())
    } else {
        value.chars().count()
    };
    let value = format!("{value:>vw$}");
    let fixed = 6 + vw + 1 + 5;
    let bar_w = width.saturating_sub(fixed + 1);
    let mut spans = vec![Span::styled(format!("{label:<5} "), style::muted(th))];
    if bar_w >= 4 {
        spans.push(Span::styled(bar(ratio, bar_w), bar_style));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(value, style::base(th)));
    spans.push(Span::styled(
        format!(" {cue:<4}"),
        level.map_or(Style::new(), |l| level_style(th, l)),
    ));
    Line::from(spans)
}

/// A one-line sparkline of the last values, scaled to `max`; gaps stay blank.
pub fn spark(values: &[Option<f64>], max: f64, width: usize) -> String {
    const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let start = values.len().saturating_sub(width);
    let mut s: String = values[start..]
        .iter()
        .map(|v| match v {
            Some(v) if v.is_finite() && max > 0.0 => {
                let i = ((v / max).clamp(0.0, 1.0) * 7.0).round() as usize;
                TICKS[i.min(7)]
            }
            _ => ' ',
        })
        .collect();
    let pad = width.saturating_sub(values.len() - start);
    s.insert_str(0, &" ".repeat(pad));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_never_invent_zero() {
        assert_eq!(pct(None), "n/a");
        assert_eq!(power(None, None), "n/a");
        assert_eq!(power(Some(11.17), None), "11.17 W");
        assert_eq!(power(Some(212.0), Some(350.0)), "212 / 350 W");
        assert_eq!(bar(None, 3), "   ");
        assert_eq!(bar(Some(0.5), 4), "██··");
        assert_eq!(bar(Some(7.0), 2), "██");
    }

    #[test]
    fn sparkline_keeps_the_newest_values_right_aligned() {
        assert_eq!(spark(&[Some(0.0), None, Some(100.0)], 100.0, 5), "  ▁ █");
        assert_eq!(spark(&[Some(100.0); 8], 100.0, 3), "███");
        assert_eq!(spark(&[], 100.0, 2), "  ");
    }
}
