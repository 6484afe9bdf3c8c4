//! `ss -H -ltnp` (IPv4 and IPv6).

use std::net::IpAddr;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Listener, SocketOwner};

/// One `("name",pid=N,fd=M)` tuple of the `users:((…),(…))` column.
static OWNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)"#).expect("owner pattern compiles")
});
/// `uid:N`, printed with `-e`.
static UID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)uid:(\d+)(?:\s|$)").expect("uid pattern compiles"));

/// LISTEN lines of `ss -H -ltnp` (also tolerates a header line and `-e` extras); lines that
/// do not parse are skipped.
pub fn parse_ss(text: &str) -> Vec<Listener> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Listener> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    // `ss -t` has no Netid column; `ss -tu`/`-a` add one, and then only TCP is wanted.
    let state_at = match tokens.as_slice() {
        ["LISTEN", ..] => 0,
        [netid, "LISTEN", ..] if netid.eq_ignore_ascii_case("tcp") => 1,
        _ => return None,
    };
    let local = tokens.get(state_at + 3)?;
    let (addr, v6, port) = split_local(local)?;
    // The process column is matched on the whole rest of the line: a process name in quotes
    // may contain spaces (`"tmux: server"`), so it is not one whitespace token.
    let rest = after_tokens(line, state_at + 5);
    let mut owners: Vec<SocketOwner> = Vec::new();
    for c in OWNER.captures_iter(rest) {
        let Ok(pid) = c[2].parse::<u32>() else {
            continue;
        };
        // One process often holds the socket on several fds (pre-forked servers share it
        // too, with different pids, and those stay separate owners).
        if !owners.iter().any(|o| o.pid == pid) {
            owners.push(SocketOwner {
                process: c[1].replace("\\\"", "\"").replace("\\\\", "\\"),
                pid,
            });
        }
    }
    let uid = UID.captures(rest).and_then(|c| c[1].parse().ok());
    Some(Listener {
        addr,
        port,
        v6,
        owners,
        uid,
    })
}

/// The text after the first `n` whitespace-separated tokens.
fn after_tokens(line: &str, n: usize) -> &str {
    let mut rest = line;
    for _ in 0..n {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    rest
}

/// `0.0.0.0:80`, `127.0.0.53%lo:53`, `[::]:22`, `[fe80::1%eth0]:80`, `*:443` →
/// (address, is v6, port). Service names (`ssh`, from `ss` without `-n`) do not parse.
fn split_local(local: &str) -> Option<(String, bool, u16)> {
    let (host, port) = local.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let host = host.split('%').next().unwrap_or(host);
    if host == "*" {
        // ss prints `*` for a socket bound to `::` that also accepts IPv4 (Go servers).
        return Some(("::".to_string(), true, port));
    }
    let ip: IpAddr = host.parse().ok()?;
    Some((ip.to_string(), ip.is_ipv6(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Listener {
        let mut all = parse_ss(line);
        assert_eq!(all.len(), 1, "{line}");
        all.remove(0)
    }

    #[test]
    fn address_forms() {
        let cases = [
            (
                "LISTEN 0 4096 0.0.0.0:9999 0.0.0.0:*",
                "0.0.0.0",
                false,
                9999,
            ),
            ("LISTEN 0 4096 [::]:9999 [::]:*", "::", true, 9999),
            ("LISTEN 0 4096 *:443 *:*", "::", true, 443),
            (
                "LISTEN 0 128 127.0.0.53%lo:53 0.0.0.0:*",
                "127.0.0.53",
                false,
                53,
            ),
            (
                "LISTEN 0 128 0.0.0.0%virbr0:67 0.0.0.0:*",
                "0.0.0.0",
                false,
                67,
            ),
            (
                "LISTEN 0 128 [fe80::1%eth0]:8080 [::]:*",
                "fe80::1",
                true,
                8080,
            ),
            (
                "LISTEN 0 128 [::ffff:127.0.0.1]:80 [::]:*",
                "::ffff:127.0.0.1",
                true,
                80,
            ),
            ("LISTEN 0 5 [::1]:18557 [::]:*", "::1", true, 18557),
        ];
        for (line, addr, v6, port) in cases {
            let l = one(line);
            assert_eq!((l.addr.as_str(), l.v6, l.port), (addr, v6, port), "{line}");
            assert!(l.owners.is_empty());
        }
    }

    #[test]
    fn several_owner_tuples_and_uid() {
        let l = one(
            r#"LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=2,fd=6),("nginx",pid=1,fd=6),("nginx",pid=1,fd=7)) uid:33 ino:1 sk:2 <->"#,
        );
        let pids: Vec<u32> = l.owners.iter().map(|o| o.pid).collect();
        assert_eq!(pids, [2, 1]);
        assert!(l.owners.iter().all(|o| o.process == "nginx"));
        assert_eq!(l.uid, Some(33));
    }

    #[test]
    fn process_names_with_spaces_and_quotes() {
        let l = one(r#"LISTEN 0 5 127.0.0.1:7000 0.0.0.0:* users:(("tmux: server",pid=9,fd=3))"#);
        assert_eq!(l.owners[0].process, "tmux: server");
        let l = one(r#"LISTEN 0 5 127.0.0.1:7001 0.0.0.0:* users:(("a\"b",pid=10,fd=3))"#);
        assert_eq!(l.owners[0].process, "a\"b");
    }

    #[test]
    fn header_other_states_and_protocols_are_skipped() {
        let text = "State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n\
                    ESTAB 0 0 10.0.0.2:22 10.0.0.1:5000\n\
                    udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*\n\
                    tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n\
                    tcp LISTEN 0 128 [::]:ssh [::]:*\n\
                    LISTEN 0 128 not-an-ip:22 0.0.0.0:*\n\
                    LISTEN 0 128 0.0.0.0:99999 0.0.0.0:*\n\
                    LISTEN 0 128\n";
        let all = parse_ss(text);
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].addr.as_str(), all[0].port), ("0.0.0.0", 22));
    }

    #[test]
    fn loopback() {
        assert!(one("LISTEN 0 5 127.0.0.1:1 0.0.0.0:*").is_loopback());
        assert!(one("LISTEN 0 5 [::1]:1 [::]:*").is_loopback());
        assert!(!one("LISTEN 0 5 *:1 *:*").is_loopback());
    }
}
