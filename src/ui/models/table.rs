//! The models table: name, store (kind and path with `~`), format, size, age and the flags
//! (IN USE, PARTIAL, DUP, DEFAULT:<role>); columns drop from the right of the importance
//! order as the screen narrows, and the flags shorten.

use super::super::style;
use super::super::text::fit;
use crate::app::models::{ModelFilter, abbreviate, bytes, kind_short};
use crate::app::{State, ago, layout};
use crate::model::{ModelEntry, ModelFormat};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};

pub fn format_word(f: ModelFormat) -> &'static str {
    match f {
        ModelFormat::Safetensors => "safetensors",
        ModelFormat::Gguf => "gguf",
        ModelFormat::Pytorch => "pytorch",
        ModelFormat::Ollama => "ollama",
        ModelFormat::Other => "other",
    }
}

/// The flags of a model, as (full word, short word, style): words, so no cue is colour only.
pub fn flags(state: &State, m: &ModelEntry) -> Vec<(String, String, Style)> {
    let th = &state.theme;
    let mut out = Vec::new();
    if state.model_deleting(&m.id) {
        out.push(("DELETING".into(), "DEL…".into(), style::crit(th)));
    }
    if m.in_use.is_some() {
        out.push(("IN USE".into(), "USE".into(), style::accent(th)));
    }
    if m.partial() {
        out.push(("PARTIAL".into(), "PART".into(), style::warn(th)));
    }
    if state.model_duplicate(&m.id).is_some() {
        out.push(("DUP".into(), "DUP".into(), style::warn(th)));
    }
    for r in state.model_roles(&m.id) {
        out.push((format!("DEFAULT:{}", r.role), "DEF".into(), style::ok(th)));
    }
    out
}

/// The flags in full words when they fit in `w`, else in their short forms.
fn flag_line(state: &State, m: &ModelEntry, w: usize) -> Line<'static> {
    let all = flags(state, m);
    let full_w: usize = all.iter().map(|f| f.0.chars().count() + 1).sum();
    let short = full_w > w + 1;
    let mut spans = Vec::new();
    let mut used = 0;
    for (full, brief, st) in all {
        let word = if short { brief } else { full };
        let sep = usize::from(!spans.is_empty());
        if used + sep + word.chars().count() > w {
            spans.push(Span::styled("…", style::muted(&state.theme)));
            break;
        }
        if sep == 1 {
            spans.push(Span::raw(" "));
        }
        used += sep + word.chars().count();
        spans.push(Span::styled(word, st));
    }
    Line::from(spans)
}

/// `hf ~/.cache/huggingface/hub`, cut to `w`.
pub fn store_text(state: &State, m: &ModelEntry, w: usize) -> String {
    let user = state.models_user();
    let kind = kind_short(m.store_kind);
    let room = w.saturating_sub(kind.len() + 1);
    if room < 4 {
        return fit(kind, w);
    }
    let path = super::shorten_path(&abbreviate(&m.store, user.as_deref()), room);
    format!("{kind} {path}")
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let th = &state.theme;
    let rows = state.models_rows();
    let total = state.models_report().map_or(0, |r| {
        r.stores.iter().map(|s| s.models.len()).sum::<usize>()
    });
    let q = state.models.query.value();
    let mut title = if rows.len() == total {
        format!(" Models ({total}) ")
    } else {
        format!(" Models ({}/{total}) ", rows.len())
    };
    if !q.is_empty() || state.filter_editing {
        let cursor = if state.filter_editing { "▏" } else { "" };
        title = format!("{} /{q}{cursor} ", title.trim_end());
    }
    let block = Block::bordered()
        .border_style(if state.models.detail {
            style::muted(th)
        } else {
            style::border(th)
        })
        .title(Line::styled(
            fit(&title, area.width.saturating_sub(2) as usize),
            style::title(th),
        ));
    if rows.is_empty() {
        let lines = if total == 0 {
            nothing_found(state)
        } else {
            let why = match state.models.filter {
                ModelFilter::All => String::new(),
                f => format!("the filter '{}'", f.label()),
            };
            let why = match (why.is_empty(), q.is_empty()) {
                (true, _) => format!("the name filter '{q}'"),
                (false, true) => why,
                (false, false) => format!("{why} and the name filter '{q}'"),
            };
            vec![Line::styled(
                format!("{total} models, none matches {why} (esc clears the name filter)"),
                style::muted(th),
            )]
        };
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    let w = area.width.saturating_sub(2) as usize;
    let wide = w >= 100;
    let mid = w >= 60;
    let sel = state.models_selected_index(&rows).unwrap_or(0);
    let visible = layout::visible_rows(area);
    let offset = layout::list_offset(sel, visible);
    let (store_w, format_w, size_w, age_w, flags_w) = if wide {
        (28, 11, 10, 8, 30)
    } else if mid {
        (20, 0, 10, 8, 12)
    } else {
        (0, 0, 9, 0, 9)
    };
    let columns = 2 + usize::from(store_w > 0) + usize::from(format_w > 0) + usize::from(age_w > 0);
    let fixed = store_w + format_w + size_w + age_w + flags_w + columns;
    let name_w = w.saturating_sub(fixed).max(6);
    let mut header = vec!["NAME"];
    let mut widths = vec![Constraint::Min(6)];
    if store_w > 0 {
        header.push("STORE");
        widths.push(Constraint::Length(store_w as u16));
    }
    if format_w > 0 {
        header.push("FORMAT");
        widths.push(Constraint::Length(format_w as u16));
    }
    let size_head = format!("{:>size_w$}", "SIZE");
    header.push(&size_head);
    widths.push(Constraint::Length(size_w as u16));
    if age_w > 0 {
        header.push("MODIFIED");
        widths.push(Constraint::Length(age_w as u16));
    }
    header.push("FLAGS");
    widths.push(Constraint::Length(flags_w as u16));
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, m)| {
            let mut cells = vec![Cell::from(fit(&m.name, name_w)).style(style::base(th))];
            if store_w > 0 {
                cells.push(Cell::from(store_text(state, m, store_w)).style(style::muted(th)));
            }
            if format_w > 0 {
                cells.push(Cell::from(format_word(m.format)).style(style::muted(th)));
            }
            cells.push(
                Cell::from(format!("{:>size_w$}", bytes(m.size_bytes))).style(style::base(th)),
            );
            if age_w > 0 {
                let age = m
                    .modified
                    .map_or_else(|| "-".into(), |t| ago::short(t, now));
                cells.push(Cell::from(format!("{age:>7}")).style(style::muted(th)));
            }
            cells.push(Cell::from(flag_line(state, m, flags_w)));
            let row = Row::new(cells);
            if i == sel {
                row.style(style::selected(th))
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(body, widths)
        .block(block)
        .column_spacing(1)
        .header(Row::new(header).style(style::muted(th)));
    frame.render_widget(table, area);
}

/// No model anywhere: where the scan looked, why each place gave nothing, and how to
/// point it elsewhere.
fn nothing_found(state: &State) -> Vec<Line<'static>> {
    let th = &state.theme;
    let host = state.active_host_label().unwrap_or_default();
    let user = state.models_user();
    let mut out = vec![
        Line::styled(format!("No models found on {host}."), style::title(th)),
        Line::styled(
            "Set root, hf_cache, ollama_stores or extra under [models] in the config to look \
             elsewhere. Looked in:",
            style::muted(th),
        ),
    ];
    let stores = state.models_report().map(|r| &r.stores[..]).unwrap_or(&[]);
    if stores.is_empty() {
        let s = &state.models.settings;
        let hf = if s.hf_cache.is_empty() {
            "$HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub".to_string()
        } else {
            s.hf_cache.clone()
        };
        out.push(Line::raw(format!("  model root    {}", s.root)));
        out.push(Line::raw(format!("  HF cache      {hf}")));
        for o in &s.ollama_stores {
            out.push(Line::raw(format!("  Ollama store  {o}")));
        }
        for e in &s.extra {
            out.push(Line::raw(format!("  extra folder  {e}")));
        }
    }
    for st in stores {
        let path = abbreviate(&st.spec.path, user.as_deref());
        let mut spans = vec![Span::raw(format!(
            "  {:<7}{path}",
            kind_short(st.spec.kind)
        ))];
        match &st.error {
            Some(e) => spans.push(Span::styled(format!(": {e}"), style::warn(th))),
            None => spans.push(Span::styled(": no models in it", style::muted(th))),
        }
        out.push(Line::from(spans));
    }
    out
}
