//! The job table: marker, short id, type, status (coloured and written), attempts, age,
//! started / finished, first line of the error; the sort column carries ▲ / ▼.

use super::super::style;
use super::super::text::fit;
use crate::app::jobs::{SortKey, first_line, parse_ts, short_id};
use crate::app::{State, ago, layout};
use crate::config::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

/// Status colours; the text is always written too, so no cue depends on colour.
pub fn status_style(th: &Theme, status: &str) -> Style {
    match status {
        "failed" | "error" => style::crit(th),
        "queued" => style::warn(th),
        "running" => Style::new().fg(th.info),
        "done" | "completed" | "succeeded" => style::ok(th),
        _ => style::muted(th),
    }
}

fn age_of(ts: Option<&str>, now: i64) -> String {
    ts.and_then(parse_ts)
        .map(|t| ago::short(t, now))
        .unwrap_or_else(|| "-".into())
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let th = &state.theme;
    let rows = state.jobs_rows();
    let q = state.jobs.filter.value();
    let on_page = state
        .jobs_view()
        .and_then(|v| v.page.as_ref())
        .map_or(0, |p| p.jobs.len());
    let mut title = " Jobs ".to_string();
    if !q.is_empty() || state.filter_editing {
        title = format!(" Jobs ({}/{on_page}) · filter: {q} ", rows.len());
    }
    let block = Block::bordered()
        .border_style(if state.jobs.detail {
            style::muted(th)
        } else {
            style::border(th)
        })
        .title(Line::styled(
            fit(&title, area.width.saturating_sub(2) as usize),
            style::title(th),
        ));
    if rows.is_empty() {
        let text = match state.jobs_view().and_then(|v| v.page.as_ref()) {
            None => "waiting for the first page of jobs…".to_string(),
            Some(_) if on_page > 0 => format!("no job on this page matches \"{q}\""),
            Some(_) => match state.jobs.status() {
                Some(s) => format!("no {s} jobs"),
                None => "the job queue is empty".into(),
            },
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, style::muted(th))).block(block),
            area,
        );
        return;
    }
    let w = area.width.saturating_sub(2);
    let wide = w >= 100;
    let mid = w >= 60;
    let sel = state.jobs_selected_index(&rows).unwrap_or(0);
    let with_header = area.height >= 5;
    let visible = area.height.saturating_sub(2 + u16::from(with_header)) as usize;
    let offset = layout::list_offset(sel, visible);
    let arrow = if state.jobs.desc { "▼" } else { "▲" };
    let head = |label: &str, key: Option<SortKey>| {
        if key == Some(state.jobs.sort) {
            format!("{label}{arrow}")
        } else {
            label.to_string()
        }
    };
    let mut header = vec![
        String::new(),
        "ID".into(),
        head("TYPE", Some(SortKey::JobType)),
        head("STATUS", Some(SortKey::Status)),
    ];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(8),
        Constraint::Length(if wide { 22 } else { 19 }),
        Constraint::Length(8),
    ];
    if !mid {
        header.remove(2);
        widths.remove(2);
    }
    if mid {
        header.push(head("TRY", Some(SortKey::Attempts)));
        widths.push(Constraint::Length(4));
    }
    header.push(head("AGE", Some(SortKey::Created)));
    widths.push(Constraint::Length(4));
    if wide {
        header.push(head("START", Some(SortKey::Started)));
        header.push(head("END", Some(SortKey::Finished)));
        widths.push(Constraint::Length(6));
        widths.push(Constraint::Length(6));
    }
    header.push("ERROR".into());
    widths.push(Constraint::Min(4));
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, j)| {
            let marked = state.jobs.marks.contains_key(&j.id);
            let mut cells = vec![
                Cell::from(if marked { "*" } else { " " }).style(style::warn(th)),
                Cell::from(short_id(&j.id).to_string()),
            ];
            if mid {
                cells.push(Cell::from(j.job_type.clone().unwrap_or_else(|| "-".into())));
            }
            cells.push(Cell::from(j.status.clone()).style(status_style(th, &j.status)));
            if mid {
                cells.push(Cell::from(
                    j.attempts.map_or_else(|| "-".into(), |a| a.to_string()),
                ));
            }
            cells.push(Cell::from(age_of(j.created_at.as_deref(), now)));
            if wide {
                cells.push(Cell::from(age_of(j.started_at.as_deref(), now)));
                cells.push(Cell::from(age_of(j.finished_at.as_deref(), now)));
            }
            cells.push(
                Cell::from(first_line(j.error.as_deref().unwrap_or("")).to_string())
                    .style(style::muted(th)),
            );
            let row = Row::new(cells);
            if i == sel {
                row.style(style::selected(th))
            } else {
                row
            }
        })
        .collect();
    let mut table = Table::new(body, widths).block(block).column_spacing(1);
    if with_header {
        table = table.header(Row::new(header).style(style::muted(th)));
    }
    frame.render_widget(table, area);
}
