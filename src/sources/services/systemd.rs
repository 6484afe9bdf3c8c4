//! `systemctl show UNIT… -p Id,LoadState,ActiveState,SubState,MainPID,NRestarts,
//! ExecMainStartTimestamp,Result`: Key=Value lines in systemd's order, blocks separated by
//! an empty line.

use crate::model::UnitStatus;

/// The properties `parse_show` reads; pass them with `-p`.
pub const SHOW_PROPERTIES: &str =
    "Id,LoadState,ActiveState,SubState,MainPID,NRestarts,ExecMainStartTimestamp,Result";

pub fn parse_show(text: &str) -> Vec<UnitStatus> {
    let mut units = Vec::new();
    let mut current = Block::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            current.flush_into(&mut units);
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        // Output without the blank separator (odd wrappers) still starts each unit with Id.
        if key == "Id" && current.has_id {
            current.flush_into(&mut units);
        }
        current.set(key, value);
    }
    current.flush_into(&mut units);
    units
}

#[derive(Default)]
struct Block {
    unit: UnitStatus,
    has_id: bool,
    /// At least one known property was seen, so this block is a unit.
    known: bool,
}

impl Block {
    fn set(&mut self, key: &str, value: &str) {
        let value = value.trim();
        let u = &mut self.unit;
        match key {
            "Id" => {
                u.id = value.to_string();
                self.has_id = true;
            }
            "LoadState" => u.load_state = value.to_string(),
            "ActiveState" => u.active_state = value.to_string(),
            "SubState" => u.sub_state = value.to_string(),
            "MainPID" => u.main_pid = value.parse().ok().filter(|&p: &u32| p != 0),
            "NRestarts" => u.n_restarts = value.parse().ok(),
            "ExecMainStartTimestamp" => u.started = set(value),
            "Result" => u.result = set(value),
            _ => return,
        }
        self.known = true;
    }

    fn flush_into(&mut self, units: &mut Vec<UnitStatus>) {
        let block = std::mem::take(self);
        if block.known {
            units.push(block.unit);
        }
    }
}

/// systemd prints an unset value as empty, `[not set]` or `n/a` depending on the property
/// and the version.
fn set(value: &str) -> Option<String> {
    match value {
        "" | "[not set]" | "n/a" => None,
        v => Some(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_in_systemd_order() {
        let text = "Result=success\nNRestarts=2\nExecMainStartTimestamp=Thu 2026-09-10 13:29:58 +01\n\
                    MainPID=1234\nId=ollama.service\nLoadState=loaded\nActiveState=active\nSubState=running\n\
                    \n\
                    Result=exit-code\nNRestarts=[not set]\nExecMainStartTimestamp=\nMainPID=0\n\
                    Id=vllm.service\nLoadState=loaded\nActiveState=failed\nSubState=failed\n\
                    \n\
                    Id=nope.service\nLoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\n";
        let units = parse_show(text);
        assert_eq!(
            units[0],
            UnitStatus {
                id: "ollama.service".into(),
                load_state: "loaded".into(),
                active_state: "active".into(),
                sub_state: "running".into(),
                main_pid: Some(1234),
                n_restarts: Some(2),
                started: Some("Thu 2026-09-10 13:29:58 +01".into()),
                result: Some("success".into()),
            }
        );
        assert_eq!(units[1].id, "vllm.service");
        assert_eq!(units[1].active_state, "failed");
        assert_eq!((units[1].main_pid, units[1].n_restarts), (None, None));
        assert_eq!(units[1].started, None);
        assert_eq!(units[1].result.as_deref(), Some("exit-code"));
        assert!(units[1].exists());
        assert_eq!(units[2].load_state, "not-found");
        assert!(!units[2].exists());
        assert_eq!(units.len(), 3);
    }

    #[test]
    fn crlf_extra_blank_lines_and_unknown_keys() {
        let text = "\r\n\r\nId=a.service\r\nMemoryCurrent=[not set]\r\nActiveState=active\r\n\r\n\r\n\
                    MemoryCurrent=12\n\nnot a property line\n";
        let units = parse_show(text);
        assert_eq!(units.len(), 1);
        assert_eq!(
            (units[0].id.as_str(), units[0].active_state.as_str()),
            ("a.service", "active")
        );
    }

    #[test]
    fn units_without_separator_split_on_id() {
        let units =
            parse_show("Id=a.service\nActiveState=active\nId=b.service\nActiveState=inactive\n");
        let ids: Vec<(&str, &str)> = units
            .iter()
            .map(|u| (u.id.as_str(), u.active_state.as_str()))
            .collect();
        assert_eq!(ids, [("a.service", "active"), ("b.service", "inactive")]);
    }

    #[test]
    fn values_may_hold_equals_signs() {
        let units = parse_show("Id=a.service\nResult=x=y\n");
        assert_eq!(units[0].result.as_deref(), Some("x=y"));
    }
}
