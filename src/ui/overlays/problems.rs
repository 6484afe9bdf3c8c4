//! `!`: every finding, worst first, one per row (level word, area, host, message); the
//! selected one's full message, its fix and where Enter goes under the list.

use super::super::problems_bar::severity_style;
use super::super::style;
use super::super::text::{fit, wrap};
use super::dialog;
use crate::app::State;
use crate::app::findings::{Bar, CLEAN, Counts, Finding, NO_DATA, Target, findings};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Below this many columns inside the dialog the area and host columns go.
const WIDE: u16 = 70;
/// Lines the selected finding's detail may take at most.
const DETAIL_MAX: usize = 6;

fn title(fs: &[Finding]) -> String {
    let c = Counts::of(fs);
    let parts: Vec<String> = [(c.crit, "crit"), (c.warn, "warn"), (c.info, "info")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
    if parts.is_empty() {
        "Problems".into()
    } else {
        format!("Problems · {}", parts.join(" · "))
    }
}

fn goes_to(t: &Target) -> String {
    let tab = t.tab().title();
    match t {
        Target::Connection(name) => format!("enter → {tab} tab, {name}"),
        Target::Gpu(Some(i)) => format!("enter → {tab} tab, GPU {i}"),
        Target::Jobs(Some(id)) => format!("enter → {tab} tab, job {id}"),
        // Ids are `svc:<name>` / `port:<port>` and `<store>#<model>`; the user knows the
        // row by its name, and the store is already in the message.
        Target::Services(Some(id)) => {
            let row = id
                .strip_prefix("svc:")
                .unwrap_or(id)
                .replace("port:", "port ");
            format!("enter → {tab} tab, row {row}")
        }
        Target::Models(Some(id)) => {
            let row = id.rsplit_once('#').map_or(id.as_str(), |(_, m)| m);
            format!("enter → {tab} tab, row {row}")
        }
        _ => format!("enter → {tab} tab"),
    }
}

fn detail_lines<'a>(state: &State, f: &Finding, width: usize) -> Vec<Line<'a>> {
    let th = &state.theme;
    let mut out: Vec<Line> = Vec::new();
    let head = format!("{} · {} · ", f.area, f.host);
    for l in wrap(&format!("{head}{}", f.message), width) {
        out.push(Line::raw(l));
    }
    match &f.fix {
        Some(fix) => {
            for (i, l) in wrap(&format!("fix: {fix}"), width).into_iter().enumerate() {
                out.push(if i == 0 {
                    Line::from(vec![
                        Span::styled("fix:", style::accent(th)),
                        Span::raw(l.chars().skip(4).collect::<String>()),
                    ])
                } else {
                    Line::raw(l)
                });
            }
        }
        None => out.push(Line::styled("no fix known", style::muted(th))),
    }
    // Where Enter goes stays visible: the message gives way first.
    let goes = Line::styled(fit(&goes_to(&f.target), width), style::muted(th));
    out.truncate(DETAIL_MAX.saturating_sub(1));
    out.push(goes);
    out
}

fn row<'a>(state: &State, f: &Finding, width: usize, wide: bool, chosen: bool) -> Line<'a> {
    let th = &state.theme;
    let mark = if chosen { "▶" } else { " " };
    let mut spans = vec![
        Span::raw(mark),
        Span::styled(
            f.severity.label().to_string(),
            severity_style(th, f.severity),
        ),
        Span::raw(" "),
    ];
    if wide {
        spans.push(Span::styled(format!("{:<10} ", f.area), style::muted(th)));
        spans.push(Span::styled(
            format!("{:<12} ", fit(&f.host, 12)),
            style::muted(th),
        ));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    spans.push(Span::raw(fit(&f.message, width.saturating_sub(used))));
    let line = Line::from(spans);
    if chosen {
        line.style(style::selected(th))
    } else {
        line
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, selected: usize) {
    let th = &state.theme;
    let fs = findings(state);
    let w = area.width.min(110);
    let width = w.saturating_sub(2) as usize;
    let at = selected.min(fs.len().saturating_sub(1));
    let detail = fs
        .get(at)
        .map(|f| detail_lines(state, f, width))
        .unwrap_or_default();
    let top = u16::from(area.height > 10);
    // Borders, the rows, a rule and the detail; a short list leaves the tab visible below.
    let wanted = (fs.len() + detail.len() + 3) as u16;
    let h = wanted.max(6).min(area.height.saturating_sub(top));
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + top, w, h);
    let inner = dialog(frame, rect, state, title(&fs));
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    if fs.is_empty() {
        // Before anything arrived there is no verdict to give.
        let head = match Bar::of(state, &fs) {
            Bar::NoData => Line::styled(NO_DATA, style::muted(th)),
            _ => Line::styled(CLEAN, style::ok(th)),
        };
        let mut lines = vec![head];
        lines.extend(
            wrap(
                "connections, GPU, jobs, services and models are checked as sparkdeck \
                 doctor checks them",
                width,
            )
            .into_iter()
            .map(|l| Line::styled(l, style::muted(th))),
        );
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    // The list keeps at least two rows (or the whole inside, when that is smaller).
    let detail_h = (detail.len() as u16).min(inner.height.saturating_sub(3));
    let sep_h = u16::from(detail_h > 0);
    let [list, sep, below] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(sep_h),
        Constraint::Length(detail_h),
    ])
    .areas(inner);
    let shown = list.height as usize;
    let first = at.saturating_sub(shown.saturating_sub(1));
    let wide = inner.width >= WIDE;
    let rows: Vec<Line> = fs
        .iter()
        .enumerate()
        .skip(first)
        .take(shown)
        .map(|(i, f)| row(state, f, width, wide, i == at))
        .collect();
    frame.render_widget(Paragraph::new(rows), list);
    if sep_h > 0 {
        frame.render_widget(
            Paragraph::new(Line::styled("─".repeat(width), style::border(th))),
            sep,
        );
    }
    frame.render_widget(Paragraph::new(detail), below);
}
