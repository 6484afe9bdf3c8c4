//! The Connections tab: the merged list and the detail pane of the selected row.

use super::style;
use super::text::fit;
use crate::app::State;
use crate::app::action::Action;
use crate::app::ago;
use crate::app::entries::Entry;
use crate::app::layout;
use crate::model::{ConnOrigin, ConnState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Padding, Paragraph, Row, Table, TableState, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let visible = state.visible_entries();
    let l = layout::connections(area, visible.len());
    render_list(frame, l.list, state, &visible, now);
    if let Some(detail) = l.detail {
        match state.selected_index(&visible).and_then(|i| visible.get(i)) {
            Some(e) => render_detail(frame, detail, state, e, now),
            None => frame.render_widget(
                Block::bordered().border_style(style::border(&state.theme)),
                detail,
            ),
        }
    }
}

/// Which columns fit, widest first to go.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Narrow,
    Medium,
    Wide,
    Full,
}

fn tier(inner_width: u16) -> Tier {
    match inner_width {
        0..=45 => Tier::Narrow,
        46..=69 => Tier::Medium,
        70..=99 => Tier::Wide,
        _ => Tier::Full,
    }
}

fn tags(e: &Entry) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    if e.read_only {
        out.push(Span::raw("RO "));
    }
    if let Some(c) = &e.color {
        out.push(Span::raw(format!("■ {c} ")));
    }
    match e.origin {
        ConnOrigin::SshConfig => out.push(Span::raw("ssh-config")),
        ConnOrigin::Local => out.push(Span::raw("this host")),
        ConnOrigin::Saved => {}
    }
    out
}

fn list_title(state: &State, shown: usize) -> Line<'_> {
    let th = &state.theme;
    let total = state.entries().len();
    let mut spans = vec![Span::styled(" Connections ", style::title(th))];
    let q = state.filter_text();
    if !state.loaded {
        spans.push(Span::styled(
            "· loading saved connections… ",
            style::muted(th),
        ));
    } else if q.is_empty() && !state.filter_editing {
        spans.push(Span::styled(format!("({total}) "), style::muted(th)));
    } else {
        spans.push(Span::styled(
            format!("({shown}/{total}) "),
            style::muted(th),
        ));
        spans.push(Span::styled("filter: ", style::muted(th)));
        let cursor = if state.filter_editing { "▏" } else { "" };
        spans.push(Span::styled(format!("{q}{cursor} "), style::accent(th)));
    }
    Line::from(spans)
}

fn render_list(frame: &mut Frame, area: Rect, state: &State, visible: &[Entry], now: i64) {
    let th = &state.theme;
    let block = Block::bordered()
        .border_style(style::border(th))
        .title(list_title(state, visible.len()));
    if visible.is_empty() {
        let text = if !state.loaded {
            "loading saved connections and ~/.ssh/config…".to_string()
        } else {
            let esc = super::hints::key_label(state, Action::Back);
            format!(
                "no connection matches \"{}\" ({esc} clears the filter)",
                state.filter_text()
            )
        };
        let p = Paragraph::new(Line::styled(text, style::muted(th)))
            .block(block)
            .wrap(Wrap { trim: true });
        frame.render_widget(p, area);
        return;
    }
    let t = tier(area.width.saturating_sub(4));
    let header_cells: Vec<&str> = match t {
        Tier::Narrow => vec!["state", "name"],
        Tier::Medium => vec!["state", "name", "address"],
        Tier::Wide => vec!["state", "name", "address", "last conn.", "tags"],
        Tier::Full => vec!["state", "name", "address", "jump", "last connected", "tags"],
    };
    let widths: Vec<Constraint> = match t {
        Tier::Narrow => vec![Constraint::Length(14), Constraint::Fill(1)],
        Tier::Medium => vec![
            Constraint::Length(14),
            Constraint::Length(14),
            Constraint::Fill(1),
        ],
        Tier::Wide => vec![
            Constraint::Length(14),
            Constraint::Length(12),
            Constraint::Fill(1),
            Constraint::Length(12),
            Constraint::Length(10),
        ],
        Tier::Full => vec![
            Constraint::Length(14),
            Constraint::Length(16),
            Constraint::Fill(1),
            Constraint::Length(14),
            Constraint::Length(15),
            Constraint::Length(22),
        ],
    };
    let rows: Vec<Row> = visible
        .iter()
        .map(|e| {
            let cs = state.conn_state(&e.name);
            let (dot, dot_style) = style::conn_dot(th, &cs);
            let mut cells = vec![
                Cell::from(Line::from(vec![
                    Span::styled(dot, dot_style),
                    Span::raw(" "),
                    Span::styled(cs.label(), dot_style),
                ])),
                Cell::from(e.name.clone()),
            ];
            if t >= Tier::Medium {
                cells.push(Cell::from(e.address()));
            }
            if t == Tier::Full {
                cells.push(Cell::from(e.jump.clone().unwrap_or_else(|| "-".into())));
            }
            if t >= Tier::Wide {
                let last = match e.origin {
                    ConnOrigin::Local => "-".to_string(),
                    _ => ago::long(e.last_connected_at, now),
                };
                cells.push(Cell::from(last));
                let mut tag_spans = tags(e);
                if let Some(c) = &e.color
                    && let Some(s) = tag_spans.iter_mut().find(|s| s.content.starts_with('■'))
                {
                    *s = Span::styled(format!("■ {c} "), style::tag(th, c));
                }
                cells.push(Cell::from(Line::from(tag_spans)));
            }
            let active = state.active.as_deref() == Some(e.name.as_str());
            let row_style = if active {
                Style::new().add_modifier(ratatui::style::Modifier::BOLD)
            } else {
                Style::new()
            };
            Row::new(cells).style(row_style)
        })
        .collect();
    let sel = state.selected_index(visible);
    let offset = sel
        .map(|i| layout::list_offset(i, layout::visible_rows(area)))
        .unwrap_or(0);
    let mut ts = TableState::default().with_offset(offset).with_selected(sel);
    let table = Table::new(rows, widths)
        .header(Row::new(header_cells).style(style::muted(th)))
        .block(block)
        .row_highlight_style(style::selected(th))
        .highlight_symbol("▶ ");
    frame.render_stateful_widget(table, area, &mut ts);
    if state.filter_editing && state.overlay.is_none() {
        // The title reads " Connections (n/m) filter: <text>▏"; put the real cursor there too.
        let title_w = list_title(state, visible.len()).width() as u16;
        let x = area.x + 1 + title_w.saturating_sub(2);
        if x < area.right() {
            frame.set_cursor_position(Position::new(x, area.y));
        }
    }
}

fn field<'a>(state: &State, label: &'a str, value: Vec<Span<'a>>) -> Line<'a> {
    let mut spans = vec![Span::styled(
        format!("{label:<11}"),
        style::muted(&state.theme),
    )];
    spans.extend(value);
    Line::from(spans)
}

fn render_detail(frame: &mut Frame, area: Rect, state: &State, e: &Entry, now: i64) {
    let th = &state.theme;
    let cs = state.conn_state(&e.name);
    let (dot, dot_style) = style::conn_dot(th, &cs);
    let block = Block::bordered()
        .border_style(style::border(th))
        .padding(Padding::horizontal(1))
        .title(Line::from(vec![
            Span::styled(format!(" {} ", e.name), style::title(th)),
            Span::styled(format!("· {} ", e.origin_label()), style::muted(th)),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let state_text = match &cs {
        ConnState::Connected { since } => {
            format!("connected for {}", ago::short(*since, now))
        }
        ConnState::Connecting { attempt } => format!("connecting (attempt {attempt})"),
        ConnState::Reconnecting {
            attempt, retry_at, ..
        } => format!(
            "reconnecting (attempt {attempt}, next try in {}s)",
            (retry_at - now).max(0)
        ),
        other => other.label().to_string(),
    };
    let mut left = vec![field(
        state,
        "state",
        vec![
            Span::styled(format!("{dot} "), dot_style),
            Span::styled(state_text, dot_style),
        ],
    )];
    if let Some(r) = cs.reason() {
        left.push(field(
            state,
            "reason",
            vec![Span::styled(r.to_string(), style::crit(th))],
        ));
    }
    let or = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_string());
    left.push(field(state, "host", vec![Span::raw(e.host.clone())]));
    if e.origin != ConnOrigin::Local {
        left.push(field(
            state,
            "port",
            vec![Span::raw(
                e.port
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "from ssh config (22)".into()),
            )],
        ));
        left.push(field(
            state,
            "user",
            vec![Span::raw(or(&e.user, "from ssh config / $USER"))],
        ));
        let key = e
            .key_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "default keys / ssh-agent".into());
        left.push(field(state, "key", vec![Span::raw(key)]));
        left.push(field(state, "jump", vec![Span::raw(or(&e.jump, "none"))]));
    } else if let Some(u) = &e.user {
        left.push(field(state, "user", vec![Span::raw(u.clone())]));
    }
    let ro = if e.read_only { "yes" } else { "no" };
    left.push(field(state, "read-only", vec![Span::raw(ro)]));
    let colour = match &e.color {
        Some(c) => vec![Span::styled("■ ", style::tag(th, c)), Span::raw(c.clone())],
        None => vec![Span::raw("none")],
    };
    left.push(field(state, "colour", colour));
    match e.origin {
        ConnOrigin::Saved => {
            left.push(field(
                state,
                "last conn.",
                vec![Span::raw(ago::long(e.last_connected_at, now))],
            ));
            if let Some(c) = e.created_at {
                left.push(field(
                    state,
                    "created",
                    vec![Span::raw(ago::long(Some(c), now))],
                ));
            }
        }
        ConnOrigin::SshConfig => {
            let key = super::hints::key_label(state, Action::Edit);
            left.push(Line::styled(
                format!("from ~/.ssh/config; {key} copies it into a saved connection"),
                style::muted(th),
            ));
        }
        ConnOrigin::Local => left.push(Line::styled(
            "this machine: commands run here, no SSH",
            style::muted(th),
        )),
    }

    let right = tunnel_lines(state, e, inner.width as usize);
    if inner.width >= 76 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)])
            .spacing(1)
            .areas(inner);
        frame.render_widget(Paragraph::new(left).wrap(Wrap { trim: false }), l);
        frame.render_widget(Paragraph::new(right).wrap(Wrap { trim: false }), r);
    } else {
        left.push(Line::raw(""));
        left.extend(right);
        frame.render_widget(Paragraph::new(left).wrap(Wrap { trim: false }), inner);
    }
}

fn tunnel_lines<'a>(state: &State, e: &Entry, width: usize) -> Vec<Line<'a>> {
    let th = &state.theme;
    let rows = state.tunnels_of(e);
    let mut out = vec![Line::styled(
        format!("tunnels ({})", rows.len()),
        style::title(th),
    )];
    if rows.is_empty() {
        let hint = match e.origin {
            ConnOrigin::Saved => format!(
                "none; {} adds one",
                super::hints::key_label(state, Action::AddTunnel)
            ),
            _ => "none (tunnels belong to saved connections)".into(),
        };
        out.push(Line::styled(hint, style::muted(th)));
    }
    let label = |t: &crate::app::state::TunnelRow| {
        let origin = if t.id.is_none() { " (default)" } else { "" };
        format!(
            "{} → {}:{}{origin}",
            t.spec.local_port, t.spec.remote_host, t.spec.remote_port
        )
    };
    let col = rows
        .iter()
        .map(|t| label(t).chars().count())
        .max()
        .unwrap_or(0);
    for t in &rows {
        let (word, st) = style::tunnel(th, t.state.as_ref());
        out.push(Line::from(vec![
            Span::raw(fit(&format!("{:col$}", label(t)), width)),
            Span::raw("  "),
            Span::styled(word, st),
        ]));
    }
    out
}
