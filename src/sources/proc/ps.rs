//! `ps -o pid=,user=,args= -p PID,PID,…`: owner and full command of GPU processes.

/// `(pid, user, command)` per line. The command keeps its inner spacing (arguments may hold
/// several spaces); a line without a numeric pid and a user is skipped. `ps` prints a numeric
/// uid for a user name it cannot fit; that is kept as printed.
pub fn parse_ps(text: &str) -> Vec<(u32, String, String)> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start();
            let (pid, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let pid: u32 = pid.parse().ok()?;
            let rest = rest.trim_start();
            let (user, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if user.is_empty() {
                return None;
            }
            Some((pid, user.to_string(), args.trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_padding() {
        let t = "   2804 root     /usr/lib/xorg/Xorg vt2 -displayfd 3\n2693630 alice    python3 -m vllm  serve\n";
        assert_eq!(
            parse_ps(t),
            vec![
                (
                    2804,
                    "root".into(),
                    "/usr/lib/xorg/Xorg vt2 -displayfd 3".into()
                ),
                (2693630, "alice".into(), "python3 -m vllm  serve".into()),
            ]
        );
    }

    #[test]
    fn header_and_garbage_are_skipped() {
        assert!(parse_ps("    PID USER     COMMAND\nnot a line\n42\n").is_empty());
    }
}
