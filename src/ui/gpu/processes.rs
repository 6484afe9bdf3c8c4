//! The GPU process table: largest memory first, `/` filter, selection by pid.

use super::super::style;
use super::super::text::fit;
use super::gauge::gib;
use crate::app::State;
use crate::app::action::Action;
use crate::app::layout;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let th = &state.theme;
    let rows = state.gpu_processes();
    let total = state.gpu_view().map_or(0, |v| v.processes.len());
    let q = state.gpu.filter.value();
    let mut title = format!(" Processes ({}) ", rows.len());
    if !q.is_empty() || state.filter_editing {
        title = format!(" Processes ({}/{total}) · filter: {q} ", rows.len());
    }
    let block = Block::bordered()
        .border_style(style::border(th))
        .title(Line::styled(
            fit(&title, area.width.saturating_sub(2) as usize),
            style::title(th),
        ));
    if rows.is_empty() {
        let text = if total > 0 {
            let esc = super::super::hints::key_label(state, Action::Back);
            format!("no process matches \"{q}\" ({esc} clears the filter)")
        } else {
            "no process is using a GPU".into()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, style::muted(th))).block(block),
            area,
        );
        return;
    }
    let w = area.width.saturating_sub(2);
    let wide = w >= 70;
    let mid = w >= 50;
    let sel = state.gpu_selected_index(&rows).unwrap_or(0);
    // Small screens give the header's row to a process.
    let with_header = area.height >= 5;
    let visible = area.height.saturating_sub(2 + u16::from(with_header)) as usize;
    let offset = layout::list_offset(sel, visible);
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, p)| {
            let mem = p.used_memory_bytes.map_or("n/a".into(), gib);
            let command = p.command.clone().unwrap_or_else(|| p.name.clone());
            let gpu = p
                .gpu_index
                .map_or_else(|| "-".to_string(), |g| g.to_string());
            // A marker as well as the colour, so the selection reads in mono too.
            let mark = if i == sel { "▶" } else { " " };
            let mut cells = vec![Cell::from(format!("{mark}{}", p.pid))];
            if mid {
                cells.push(Cell::from(gpu));
                cells.push(Cell::from(p.user.clone().unwrap_or_else(|| "?".into())));
            }
            if wide {
                cells.push(Cell::from(
                    p.container.clone().unwrap_or_else(|| "-".into()),
                ));
            }
            cells.push(Cell::from(mem));
            cells.push(Cell::from(command));
            let row = Row::new(cells);
            if i == sel {
                row.style(style::selected(th))
            } else {
                row.style(style::base(th))
            }
        })
        .collect();
    let mut header = vec!["pid"];
    let mut widths = vec![Constraint::Length(9)];
    if mid {
        header.extend(["gpu", "user"]);
        widths.extend([Constraint::Length(3), Constraint::Length(10)]);
    }
    if wide {
        header.push("container");
        widths.push(Constraint::Length(12));
    }
    header.extend(["memory", "command"]);
    widths.extend([Constraint::Length(10), Constraint::Fill(1)]);
    let mut table = Table::new(body, widths).block(block);
    if with_header {
        table = table.header(Row::new(header).style(style::muted(th)));
    }
    frame.render_widget(table, area);
}
