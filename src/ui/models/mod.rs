//! The Models tab: a status line (counts, reclaimable bytes, sort, filter, freshness or
//! the scan's progress), one gauge per filesystem, the stores with the default roles and
//! duplicates, the models table and the detail of the selected model; without data, a
//! message that says why and what to do.

mod detail;
mod disks;
mod stores;
mod table;

use super::style;
use super::tab_message::{self, conn_word};
use super::text::fit;
use crate::app::action::Action;
use crate::app::models::{ModelFilter, ModelSort, Totals, bytes};
use crate::app::{State, ago};
use crate::model::{ConnState, ScanProgress};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let key = |a: Action| super::hints::key_label(state, a);
    let Some(name) = state.active.as_deref() else {
        tab_message::render(
            frame,
            area,
            state,
            "Models",
            vec![format!(
                "No active connection. Pick the host whose models to show on the \
                 Connections tab ({}).",
                key(Action::Tab1)
            )],
        );
        return;
    };
    if state.models_report().is_none() {
        let host = state
            .active_host_label()
            .unwrap_or_else(|| name.to_string());
        let lines = match state.conn_state(name) {
            ConnState::Connected { .. } => {
                let since = state
                    .models_view()
                    .and_then(|v| v.last_sent)
                    .map(|t| format!(" ({})", ago::short(t, now)))
                    .unwrap_or_default();
                let mut l = vec![format!("Scanning model stores on {host}…{since}")];
                match state.models_view().and_then(|v| v.progress.as_ref()) {
                    Some(p) => l.push(progress_text(state, p)),
                    None => l.push("starting the walk…".into()),
                }
                l.push(String::new());
                l.push(
                    "The model root, the Hugging Face cache and the Ollama stores are walked \
                     once (du-style); later scans reuse what did not change."
                        .into(),
                );
                l
            }
            other => vec![
                format!("'{name}' is not connected ({}).", conn_word(&other)),
                String::new(),
                format!(
                    "Connect it on the Connections tab ({}, then {}) to see its models.",
                    key(Action::Tab1),
                    key(Action::Connect)
                ),
            ],
        };
        tab_message::render(frame, area, state, "Models", lines);
        return;
    }
    // The area given, not `state.size`: the frame is what is drawn on.
    let fs = state.models_report().map_or(0, |r| r.filesystems.len());
    let rows = state.models_rows().len();
    let l = crate::app::models::layout(
        area,
        fs,
        state.models_store_lines(),
        rows,
        state.models.detail,
    );
    status_line(frame, l.status, state, now, l.stores.height > 0);
    disks::render(frame, l.disks, l.disks_boxed, state);
    stores::render(frame, l.stores, l.stores_boxed, state);
    if l.table.height > 0 {
        table::render(frame, l.table, state, now);
    }
    if let Some(d) = l.detail {
        detail::render(frame, d, state, now);
    }
}

/// Cuts `s` to `w` columns from the left, marking the cut with `…`: the end of a path says
/// more than its start.
pub(super) fn fit_left(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let tail: String = s.chars().skip(n - (w - 1)).collect();
    format!("…{tail}")
}

/// Fits a path into `w` columns: directories are shortened to their first letter from the
/// left (`~/.c/h/hub`, as shells' prompts do) until it fits, and only then is it cut.
pub(super) fn shorten_path(path: &str, w: usize) -> String {
    if path.chars().count() <= w {
        return path.to_string();
    }
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    let last = parts.len().saturating_sub(1);
    for i in 0..last {
        let p = &parts[i];
        // Keep the dot of hidden directories and `~`, so `.cache` reads `.c`.
        let keep = if p.starts_with('.') { 2 } else { 1 };
        if p.chars().count() > keep {
            parts[i] = p.chars().take(keep).collect();
        }
        let joined = parts.join("/");
        if joined.chars().count() <= w {
            return joined;
        }
    }
    fit_left(&parts.join("/"), w)
}

/// `walking ~/.cache/huggingface/hub: 12 840 files, 212.4 GiB so far`.
fn progress_text(state: &State, p: &ScanProgress) -> String {
    let user = state.models_user();
    format!(
        "walking {}: {} files, {} so far",
        crate::app::models::abbreviate(&p.store, user.as_deref()),
        crate::app::models::count(p.files),
        bytes(p.bytes)
    )
}

/// Parts joined with ` · `, each cut to what is left of the line, none dropped silently
/// mid-word: the first ones matter most.
pub(super) fn joined(parts: Vec<(String, Style)>, width: usize, sep_style: Style) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, (t, st)) in parts.into_iter().enumerate() {
        let sep = if i == 0 { "" } else { " · " };
        let room = width.saturating_sub(used + sep.chars().count());
        if room < 2 {
            break;
        }
        let t = fit(&t, room);
        used += sep.chars().count() + t.chars().count();
        if !sep.is_empty() {
            spans.push(Span::styled(sep, sep_style));
        }
        spans.push(Span::styled(t, st));
    }
    Line::from(spans)
}

/// `panel`: the stores panel is on screen and already tells the reclaimable bytes and
/// the missing defaults.
fn status_line(frame: &mut Frame, area: Rect, state: &State, now: i64, panel: bool) {
    if area.height == 0 {
        return;
    }
    let th = &state.theme;
    let Some(view) = state.models_view() else {
        return;
    };
    let Some(report) = &view.report else {
        return;
    };
    let w = area.width as usize;
    let short = w < 100;
    let t = Totals::of(report);
    let at = if report.at > 0 {
        report.at
    } else {
        view.received_at.unwrap_or(now)
    };
    let mut parts: Vec<(String, Style)> = Vec::new();
    if state.models_stale() {
        let word = state
            .active
            .as_deref()
            .map(|n| {
                let cs = state.conn_state(n);
                if short {
                    cs.label().to_string()
                } else {
                    conn_word(&cs)
                }
            })
            .unwrap_or_default();
        parts.push((
            format!("STALE {} old · {word}", ago::short(at, now)),
            style::crit(th),
        ));
    }
    parts.push((
        format!("{} models, {}", t.models, bytes(t.bytes)),
        style::base(th),
    ));
    if let Some(p) = view.progress.as_ref().filter(|_| view.in_flight.is_some()) {
        let since = view
            .last_sent
            .map(|t| format!(" {}", ago::short(t, now)))
            .unwrap_or_default();
        // Narrow screens keep the counts that show it moving; the store name goes.
        let text = if short {
            format!(
                "scanning{since}: {} files, {}",
                crate::app::models::count(p.files),
                bytes(p.bytes)
            )
        } else {
            format!("scanning{since}: {}", progress_text(state, p))
        };
        // On a narrow line the moving counts come first.
        let at = if w < 60 { 0 } else { parts.len() };
        parts.insert(at, (text, style::accent(th)));
    } else if view.in_flight.is_some() && !state.models_stale() {
        parts.push((
            format!("rescanning… ({} old)", ago::short(at, now)),
            style::muted(th),
        ));
    }
    if t.reclaimable > 0 && !panel {
        parts.push((
            format!("{} reclaimable", bytes(t.reclaimable)),
            style::warn(th),
        ));
    }
    if t.defaults_missing > 0 && !panel {
        parts.push((
            format!("{} default(s) MISSING", t.defaults_missing),
            style::crit(th),
        ));
    }
    if state.models.filter != ModelFilter::All {
        parts.push((
            format!("filter: {}", state.models.filter.label()),
            style::accent(th),
        ));
    }
    if state.models.sort != ModelSort::Size || !short {
        parts.push((
            format!("sort: {}", state.models.sort.label()),
            style::muted(th),
        ));
    }
    if !state.models_stale() && view.in_flight.is_none() {
        let age = ago::short(at, now);
        let text = if short {
            format!("{age} ago")
        } else {
            format!("scanned {age} ago")
        };
        parts.push((text, style::muted(th)));
    }
    frame.render_widget(Paragraph::new(joined(parts, w, style::muted(th))), area);
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_shorten_from_the_left() {
        use super::shorten_path as s;
        assert_eq!(
            s("~/.cache/huggingface/hub", 30),
            "~/.cache/huggingface/hub"
        );
        assert_eq!(s("~/.cache/huggingface/hub", 20), "~/.c/huggingface/hub");
        assert_eq!(s("~/.cache/huggingface/hub", 12), "~/.c/h/hub");
        assert_eq!(
            s("/usr/share/ollama/.ollama/models", 16),
            "/u/s/o/.o/models"
        );
        assert_eq!(s("/usr/share/ollama/.ollama/models", 10), "….o/models");
        assert_eq!(s("", 3), "");
    }

    #[test]
    fn fit_left_keeps_the_end() {
        assert_eq!(super::fit_left("/usr/share/ollama", 8), "…/ollama");
        assert_eq!(super::fit_left("/a", 8), "/a");
        assert_eq!(super::fit_left("/abc", 0), "");
    }
}
