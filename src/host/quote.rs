//! POSIX-shell quoting for argv sent to a remote host.
//!
//! sshd hands the command line to the login shell (`$SHELL -c LINE`), so every argument is
//! quoted here; nothing a user types can expand, glob, split or chain commands remotely.

use std::borrow::Cow;

/// Characters that no POSIX shell treats specially anywhere in a word. Leaving such words
/// unquoted keeps logs and `ps` output readable.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.' | '/' | ',' | ':' | '@' | '%' | '+' | '=')
}

/// Quotes one argument so that the shell reads it back as exactly `arg`.
pub fn quote_arg(arg: &str) -> Cow<'_, str> {
    if !arg.is_empty() && arg.chars().all(is_plain) {
        return Cow::Borrowed(arg);
    }
    // Inside '…' nothing is special except the closing quote, which is written as '\''.
    let mut out = String::with_capacity(arg.len() + 2);
    out.push('\'');
    for c in arg.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    Cow::Owned(out)
}

/// Joins argv into one command line for `sh -c`.
pub fn join_argv(argv: &[&str]) -> String {
    argv.iter()
        .map(|a| quote_arg(a))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::process::Command;

    /// Runs `printf '%s\0' ARGS…` through a real `sh -c` and returns the argv it saw.
    fn argv_seen_by_sh(argv: &[&str]) -> Vec<String> {
        let line = format!("printf '%s\\0' {}", join_argv(argv));
        let out = Command::new("sh")
            .arg("-c")
            .arg(&line)
            .output()
            .expect("run sh");
        assert!(out.status.success(), "sh failed on {line:?}: {:?}", out);
        let mut parts: Vec<String> = out
            .stdout
            .split(|b| *b == 0)
            .map(|p| String::from_utf8(p.to_vec()).expect("utf8"))
            .collect();
        // printf ends every argument with NUL, so the last split piece is empty.
        assert_eq!(parts.pop().as_deref(), Some(""));
        parts
    }

    #[test]
    fn plain_words_stay_unquoted() {
        assert_eq!(quote_arg("nvidia-smi"), "nvidia-smi");
        assert_eq!(quote_arg("/proc/meminfo"), "/proc/meminfo");
        assert_eq!(quote_arg("--format=csv,noheader"), "--format=csv,noheader");
    }

    #[test]
    fn special_words_are_quoted() {
        assert_eq!(quote_arg(""), "''");
        assert_eq!(quote_arg("a b"), "'a b'");
        assert_eq!(quote_arg("it's"), "'it'\\''s'");
        assert_eq!(quote_arg("$(id)"), "'$(id)'");
        assert_eq!(quote_arg("~"), "'~'");
    }

    #[test]
    fn hostile_arguments_survive_sh() {
        let argv = [
            "a b",
            "'",
            "\"x\"",
            "$(touch /tmp/pwned)",
            "; rm -rf /",
            "`id`",
            "*",
            "\\n",
            "",
            "\n",
            "!x",
        ];
        assert_eq!(argv_seen_by_sh(&argv), argv.to_vec());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn quoting_round_trips_through_sh(args in proptest::collection::vec("[^\\x00]{0,12}", 1..6)) {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            prop_assert_eq!(argv_seen_by_sh(&refs), args);
        }
    }
}
