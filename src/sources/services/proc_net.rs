//! `/proc/net/tcp` and `/proc/net/tcp6`: the fallback when `ss` is missing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::Listener;

/// The kernel's TCP_LISTEN in the `st` column.
const LISTEN: &str = "0A";

/// Sockets in state 0A (LISTEN), with the owner uid and no process names.
pub fn parse_proc_net_tcp(text: &str, v6: bool) -> Vec<Listener> {
    text.lines().filter_map(|l| parse_line(l, v6)).collect()
}

/// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …`; the header line fails the
/// address parse and is skipped like any other odd line.
fn parse_line(line: &str, v6: bool) -> Option<Listener> {
    let mut cols = line.split_whitespace();
    let _sl = cols.next()?;
    let local = cols.next()?;
    let _remote = cols.next()?;
    if !cols.next()?.eq_ignore_ascii_case(LISTEN) {
        return None;
    }
    let uid = cols.nth(3).and_then(|u| u.parse().ok());
    let (addr, port) = local.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = if v6 {
        IpAddr::V6(parse_v6(addr)?)
    } else {
        IpAddr::V4(parse_v4(addr)?)
    };
    Some(Listener {
        addr: ip.to_string(),
        port,
        v6,
        owners: Vec::new(),
        uid,
    })
}

/// The kernel prints the address as native-endian 32-bit words (`%08X`); the Spark
/// (aarch64) and admin boxes (x86-64) are little-endian, so `0100007F` is 127.0.0.1.
fn parse_v4(hex: &str) -> Option<Ipv4Addr> {
    if hex.len() != 8 {
        return None;
    }
    let word = u32::from_str_radix(hex, 16).ok()?;
    Some(Ipv4Addr::from(word.to_le_bytes()))
}

/// Four native-endian words, as for IPv4.
fn parse_v6(hex: &str) -> Option<Ipv6Addr> {
    if hex.len() != 32 || !hex.is_ascii() {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(4).enumerate() {
        let word = u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).ok()?;
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    Some(Ipv6Addr::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_listen_only() {
        let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
           0: 0100007F:2BCB 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1\n\
           1: 0100007F:9CA0 0100007F:487B 01 00000000:00000000 00:00000000 00000000     0        0 2 2\n\
           2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1\n";
        let all = parse_proc_net_tcp(text, false);
        let got: Vec<(&str, u16, Option<u32>)> = all
            .iter()
            .map(|l| (l.addr.as_str(), l.port, l.uid))
            .collect();
        assert_eq!(
            got,
            [("127.0.0.1", 11211, Some(1000)), ("0.0.0.0", 22, Some(0))]
        );
        assert!(all.iter().all(|l| !l.v6 && l.owners.is_empty()));
    }

    #[test]
    fn v6_words() {
        let text = "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 7 1\n\
           1: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 8 1\n";
        let all = parse_proc_net_tcp(text, true);
        assert_eq!(all.len(), 2);
        assert_eq!(
            (all[0].addr.as_str(), all[0].port, all[0].v6),
            ("::1", 8080, true)
        );
        assert_eq!(all[1].addr, "::ffff:127.0.0.1");
        assert_eq!(all[1].uid, Some(998));
    }

    #[test]
    fn odd_lines_are_skipped() {
        let text =
            "0: 0100007F:2BCB\n0: XYZ:0016 0:0 0A\n0: 0100007F:FFFFF 0:0 0A\n0: 0100007F 0:0 0A\n";
        assert!(parse_proc_net_tcp(text, false).is_empty());
        // An IPv4 table read as IPv6 has the wrong address width.
        let v4 = "0: 0100007F:2BCB 00000000:0000 0A 0:0 0:0 0 0 0 1\n";
        assert!(parse_proc_net_tcp(v4, true).is_empty());
    }
}
