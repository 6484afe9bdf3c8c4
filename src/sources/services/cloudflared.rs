//! cloudflared's metrics server `/ready`: `{"status":200,"readyConnections":4}`.

use serde_json::Value;

/// The number of ready edge connections; None when the body is not that JSON.
pub fn parse_ready(body: &str) -> Option<u32> {
    let v: Value = serde_json::from_str(body.trim()).ok()?;
    let n = v.as_object()?.get("readyConnections")?.as_u64()?;
    u32::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_bodies() {
        assert_eq!(
            parse_ready(r#"{"status":200,"readyConnections":4}"#),
            Some(4)
        );
        // 503 with no edge connection yet; newer builds add connectorId.
        assert_eq!(
            parse_ready(r#"{"status":503,"readyConnections":0,"connectorId":"8d1a…"}"#),
            Some(0)
        );
        for body in [
            "",
            "OK",
            "{}",
            r#"{"readyConnections":-1}"#,
            r#"{"readyConnections":"4"}"#,
            "[4]",
        ] {
            assert_eq!(parse_ready(body), None, "{body}");
        }
    }
}
