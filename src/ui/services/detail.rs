//! The detail pane of the selected service: every note, the owner, the unit and container
//! status, the health probe, and what the service itself reports (Ollama models and VRAM,
//! OpenAI-server models and load, cloudflared connections); it scrolls.

use super::super::gpu::gauge::gib;
use super::super::style;
use super::super::text::{fit, wrap};
use super::table::{health_text, owner_text, state_cell};
use crate::app::State;
use crate::app::services::target_of;
use crate::config::Theme;
use crate::model::{Container, ServiceDetail, ServiceRow, UnitStatus};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// Width of the field labels.
const LABEL: usize = 10;

struct Lines<'t> {
    th: &'t Theme,
    width: usize,
    out: Vec<Line<'static>>,
}

impl Lines<'_> {
    /// `label value`, the value wrapped under itself.
    fn field(&mut self, label: &str, value: &str, st: Style) {
        let value_w = self.width.saturating_sub(LABEL).max(1);
        for (i, part) in wrap(value, value_w).into_iter().enumerate() {
            let l = if i == 0 { label } else { "" };
            self.out.push(Line::from(vec![
                Span::styled(format!("{l:<LABEL$}"), style::muted(self.th)),
                Span::styled(part, st),
            ]));
        }
    }

    fn heading(&mut self, text: &str) {
        self.out.push(Line::raw(""));
        self.out
            .push(Line::styled(fit(text, self.width), style::title(self.th)));
    }

    /// A table-like line, cut at the edge rather than wrapped, so columns stay aligned.
    fn row(&mut self, text: String, st: Style) {
        self.out.push(Line::styled(fit(&text, self.width), st));
    }
}

fn unit_line(u: &UnitStatus) -> String {
    let mut parts = vec![format!("{} {}/{}", u.id, u.active_state, u.sub_state)];
    if !u.exists() {
        parts = vec![format!("{} not found ({})", u.id, u.load_state)];
    }
    if let Some(pid) = u.main_pid {
        parts.push(format!("pid {pid}"));
    }
    if let Some(n) = u.n_restarts {
        parts.push(format!("{n} restart{}", if n == 1 { "" } else { "s" }));
    }
    if let Some(s) = &u.started {
        parts.push(format!("since {s}"));
    }
    if let Some(r) = &u.result {
        parts.push(format!("result {r}"));
    }
    parts.join(" · ")
}

fn container_lines(l: &mut Lines, c: &Container) {
    let th = l.th;
    let st = if c.running() {
        style::base(th)
    } else {
        style::warn(th)
    };
    l.field("container", &c.name, style::base(th));
    l.field("image", &c.image, style::base(th));
    l.field("status", &format!("{} ({})", c.status, c.state), st);
    if let Some(h) = &c.health {
        let hs = match h.as_str() {
            "healthy" => style::ok(th),
            "unhealthy" => style::crit(th),
            _ => style::warn(th),
        };
        l.field("docker hc", h, hs);
    }
    if !c.ports.is_empty() {
        let ports: Vec<String> = c
            .ports
            .iter()
            .map(|p| {
                format!(
                    "{}:{}->{}/{}",
                    p.host_ip, p.host_port, p.container_port, p.proto
                )
            })
            .collect();
        l.field("publishes", &ports.join(", "), style::base(th));
    }
}

fn detail_lines(l: &mut Lines, d: &ServiceDetail) {
    let th = l.th;
    match d {
        ServiceDetail::None => {}
        ServiceDetail::Ollama {
            version,
            loaded,
            installed,
        } => {
            let v = version.as_deref().unwrap_or("version unknown");
            l.heading(&format!("Ollama {v} · {} loaded", loaded.len()));
            if loaded.is_empty() {
                l.row("  no model loaded".into(), style::muted(th));
            }
            for m in loaded {
                // size_vram < size: the rest of the model runs on the CPU, slowly.
                let (share, st) = if m.size_bytes == 0 || m.vram_bytes >= m.size_bytes {
                    ("100 % GPU".to_string(), style::ok(th))
                } else {
                    let pct = m.vram_bytes as f64 * 100.0 / m.size_bytes as f64;
                    (
                        format!("{pct:.0} % GPU, {:.0} % on CPU", 100.0 - pct),
                        style::warn(th),
                    )
                };
                l.row(
                    format!("  {:<24} {:>9}  {share}", m.name, gib(m.size_bytes)),
                    st,
                );
            }
            l.heading(&format!("installed models ({})", installed.len()));
            for m in installed {
                let quant = m.quantization.as_deref().unwrap_or("-");
                let params = m.parameter_size.as_deref().unwrap_or("");
                l.row(
                    format!(
                        "  {:<24} {:>9}  {quant} {params}",
                        m.name,
                        gib(m.size_bytes)
                    ),
                    style::base(th),
                );
            }
        }
        ServiceDetail::Openai { models, load } => {
            l.heading(&format!("served models ({})", models.len()));
            for m in models {
                let by = m.owned_by.as_deref().unwrap_or("?");
                let len = m
                    .max_model_len
                    .map_or_else(|| "n/a".into(), |n| n.to_string());
                l.row(
                    format!("  {} · {by} · max len {len}", m.id),
                    style::base(th),
                );
            }
            match load {
                Some(load) => {
                    let n = |v: Option<f64>| v.map_or_else(|| "n/a".into(), |v| format!("{v:.0}"));
                    let kv = load
                        .kv_cache_pct
                        .map_or_else(|| "n/a".into(), |v| format!("{v:.0} %"));
                    let busy = load.waiting.is_some_and(|w| w > 0.0);
                    l.heading("engine load");
                    l.field(
                        "requests",
                        &format!("{} running · {} waiting", n(load.running), n(load.waiting)),
                        if busy {
                            style::warn(th)
                        } else {
                            style::base(th)
                        },
                    );
                    let kv_st = match load.kv_cache_pct {
                        Some(v) if v >= 90.0 => style::crit(th),
                        Some(v) if v >= 70.0 => style::warn(th),
                        _ => style::base(th),
                    };
                    l.field("KV cache", &kv, kv_st);
                    if let Some(g) = load.generation_tokens_total {
                        let tokens = super::super::jobs::grouped(g.max(0.0) as u64);
                        l.field("generated", &format!("{tokens} tokens"), style::base(th));
                    }
                }
                None => l.row("  no /metrics: load unknown".into(), style::muted(th)),
            }
        }
        ServiceDetail::Cloudflared { ready_connections } => {
            l.heading("cloudflared");
            match ready_connections {
                Some(0) => l.field(
                    "edge",
                    "0 ready connections: the tunnel is down",
                    style::crit(th),
                ),
                Some(n) => l.field("edge", &format!("{n} ready connections"), style::ok(th)),
                None => l.field("edge", "readiness unknown", style::muted(th)),
            }
        }
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let th = &state.theme;
    let Some(row) = state.services_selected() else {
        return;
    };
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut l = Lines {
        th,
        width: inner_w,
        out: Vec::new(),
    };
    lines_of(&mut l, state, row);
    let inner_h = area.height.saturating_sub(2);
    let max_scroll = (l.out.len() as u16).saturating_sub(inner_h);
    let scroll = state.services.detail_scroll.min(max_scroll);
    let more = if max_scroll > 0 {
        format!(" {}/{} ", scroll + 1, max_scroll + 1)
    } else {
        String::new()
    };
    let title = match row.port {
        Some(p) => format!(" {} :{p} ", row.name),
        None => format!(" {} ", row.name),
    };
    // The accent marks the pane the paging keys scroll (opened with enter).
    let block = Block::bordered()
        .border_style(if state.services.detail {
            style::accent(th)
        } else {
            style::border(th)
        })
        .title(Line::styled(
            fit(&title, inner_w.saturating_sub(more.chars().count())),
            style::title(th),
        ))
        .title(Line::styled(more, style::muted(th)).right_aligned());
    frame.render_widget(Paragraph::new(l.out).block(block).scroll((scroll, 0)), area);
}

fn lines_of(l: &mut Lines, state: &State, row: &ServiceRow) {
    let th = l.th;
    let (st, st_style) = state_cell(th, row);
    let expected = if row.expected {
        if row.required {
            format!("{st} · catalogued ({}), required", row.kind.as_str())
        } else {
            format!("{st} · catalogued ({}), optional", row.kind.as_str())
        }
    } else {
        format!("{st} · not in the catalogue")
    };
    l.field("state", &expected, st_style);
    for (i, n) in row.notes.iter().enumerate() {
        l.field(
            if i == 0 { "notes" } else { "" },
            n,
            super::note_style(state, row),
        );
    }
    let listen = match (&row.bind, row.port) {
        (Some(b), Some(p)) if b.contains(':') => format!("[{b}]:{p}"),
        (Some(b), Some(p)) => format!("{b}:{p}"),
        (None, Some(p)) => format!("nothing listens on {p}"),
        _ => "-".into(),
    };
    l.field("listen", &listen, style::base(th));
    l.field("owner", &owner_text(row), style::base(th));
    match &row.health {
        Some(h) => {
            let mut text = if h.ok {
                "ok".to_string()
            } else {
                "FAIL".to_string()
            };
            if !h.detail.is_empty() {
                text.push_str(&format!(" · {}", h.detail));
            }
            if let Some(ms) = h.latency_ms {
                text.push_str(&format!(" · {ms} ms"));
            }
            let hs = health_text(th, row).map_or_else(|| style::muted(th), |(_, s)| s);
            l.field("health", &text, hs);
        }
        None => l.field("health", "not probed", style::muted(th)),
    }
    detail_lines(l, &row.detail);
    if !matches!(row.detail, ServiceDetail::None) {
        l.out.push(Line::raw(""));
    }
    if let Some(u) = &row.unit {
        let st = match u.active_state.as_str() {
            "active" => style::ok(th),
            "failed" => style::crit(th),
            _ => style::warn(th),
        };
        l.field("unit", &unit_line(u), st);
    }
    if let Some(c) = &row.container {
        container_lines(l, c);
    }
    let acts = match target_of(row) {
        Ok(t) if state.read_only_now() => format!("{} (read-only: no actions)", t.name()),
        Ok(t) => t.name().to_string(),
        Err(why) => why,
    };
    l.field("acts on", &acts, style::muted(th));
}
