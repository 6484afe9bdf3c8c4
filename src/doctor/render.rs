//! The two renderings: lines for a person (80 columns), JSON for scripts.

use super::Report;

/// Width the text is wrapped to, so it reads in an 80-column terminal.
const WIDTH: usize = 80;
/// `crit  services  ` — status and id columns.
const INDENT: usize = 16;

/// One line per check (wrapped under itself when long); the fix on the next indented line
/// when not ok; a closing line with the worst.
pub fn to_text(report: &Report) -> String {
    let mut text = format!("doctor {}\n", report.host);
    for c in &report.checks {
        let head = format!("{:<5} {:<9} ", c.status.as_str(), c.id);
        text.push_str(&wrap(&head, &c.seen));
        if let Some(fix) = &c.fix {
            text.push_str(&wrap(&format!("{}fix:", " ".repeat(INDENT)), fix));
        }
    }
    text.push_str(&format!(
        "worst {} (exit {})\n",
        report.worst.as_str(),
        report.exit_code()
    ));
    text
}

/// `head` then `body` word-wrapped to `WIDTH`, continuation lines indented by `INDENT`.
fn wrap(head: &str, body: &str) -> String {
    let mut out = String::new();
    let mut line = head.to_string();
    let mut empty = head.ends_with(' ');
    for word in body.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(INDENT);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// Pretty-printed JSON (schema in docs/doctor.md), ending with a newline.
pub fn to_json(report: &Report) -> String {
    // Plain structs of strings and enums always serialise.
    let mut json = serde_json::to_string_pretty(report).expect("a doctor Report serialises");
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::{Check, Status};

    fn report() -> Report {
        Report::new(
            "spark-01",
            vec![
                Check::new(
                    "ssh",
                    "host",
                    Status::Ok,
                    "connected to spark-01; host key known",
                ),
                Check::new(
                    "docker",
                    "services",
                    Status::Crit,
                    "permission denied on the docker socket (/var/run/docker.sock)",
                )
                .with_fix("sudo usermod -aG docker $USER, then log in again (or newgrp docker)"),
            ],
        )
    }

    #[test]
    fn text_fits_80_columns_with_fix_indented() {
        let text = to_text(&report());
        assert_eq!(
            text,
            "doctor spark-01\n\
             ok    ssh       connected to spark-01; host key known\n\
             crit  docker    permission denied on the docker socket (/var/run/docker.sock)\n\
             \x20               fix: sudo usermod -aG docker $USER, then log in again (or newgrp\n\
             \x20               docker)\n\
             worst crit (exit 2)\n"
        );
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
    }

    #[test]
    fn json_schema_1() {
        let v: serde_json::Value = serde_json::from_str(&to_json(&report())).unwrap();
        assert_eq!(v["schema"], 1);
        assert_eq!(v["host"], "spark-01");
        assert_eq!(v["worst"], "crit");
        assert_eq!(
            v["checks"][1],
            serde_json::json!({"id": "docker", "area": "services", "status": "crit",
                "seen": "permission denied on the docker socket (/var/run/docker.sock)",
                "fix": "sudo usermod -aG docker $USER, then log in again (or newgrp docker)"})
        );
        assert!(v["checks"][0]["fix"].is_null());
    }
}
