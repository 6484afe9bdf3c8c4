//! Drives the real binary in a detached tmux server, as a user at a terminal would: type
//! keys, read the screen, ask tmux about the pane.

use super::env::TestEnv;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long any awaited screen change may take; generous for 2-core CI machines.
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server of its own running a clean bash in `env` (only its HOME, XDG dirs and
    /// PATH), a `width`×`height` pane, waiting at the `e2e$ ` prompt.
    pub fn start(env: &TestEnv, tag: &str, width: u16, height: u16) -> Tmux {
        let tmux = Tmux {
            socket: format!("sparkdeck-{tag}-{}", std::process::id()),
        };
        let vars: Vec<String> = env
            .vars()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", v.display()))
            .collect();
        let shell = format!(
            "env -i TERM=xterm-256color {} PS1='e2e$ ' bash --norc --noprofile",
            vars.join(" ")
        );
        let out = tmux.cmd(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            &shell,
        ]);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        tmux.wait_for("e2e$");
        tmux
    }

    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs (the README's test command installs it)")
    }

    pub fn capture(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    pub fn format(&self, fmt: &str) -> String {
        let out = self.cmd(&["display-message", "-p", "-t", "t", fmt]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success(), "send-keys {keys:?}");
    }

    /// Types `text` literally (no key-name lookup).
    pub fn type_text(&self, text: &str) {
        assert!(
            self.cmd(&["send-keys", "-t", "t", "-l", text])
                .status
                .success(),
            "send-keys -l {text:?}"
        );
    }

    /// Starts the binary with `args` at the prompt.
    pub fn run_app(&self, args: &[&str]) {
        let mut line = super::env::BIN.to_string();
        for a in args {
            line.push(' ');
            line.push_str(a);
        }
        self.type_text(&line);
        self.send(&["Enter"]);
    }

    /// Waits until the pane shows `needle`; returns the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_screen(needle, |s| s.contains(needle))
    }

    /// Waits until `cond` holds for the screen; returns it.
    pub fn wait_screen(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if cond(&screen) {
                return screen;
            }
            if start.elapsed() > WAIT {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_until(&self, what: &str, cond: impl Fn(&Tmux) -> bool) {
        let start = Instant::now();
        while !cond(self) {
            if start.elapsed() > WAIT {
                panic!("timed out waiting for {what}; screen:\n{}", self.capture());
            }
            sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the program running in the pane's shell (the app), once it has started.
    pub fn app_pid(&self) -> u32 {
        let shell: u32 = self
            .format("#{pane_pid}")
            .parse()
            .expect("tmux reports the pane's pid");
        let start = Instant::now();
        loop {
            if let Some(pid) = children(shell).into_iter().next() {
                return pid;
            }
            assert!(start.elapsed() < WAIT, "no process under shell {shell}");
            sleep(Duration::from_millis(100));
        }
    }

    /// Sends `signal` ("TERM", "HUP", …) to `pid` with bash's builtin kill, which needs no
    /// procps on a minimal machine.
    pub fn kill(pid: u32, signal: &str) {
        let status = Command::new("bash")
            .args(["-c", &format!("kill -{signal} {pid}")])
            .status()
            .expect("bash runs");
        assert!(status.success(), "kill -{signal} {pid}");
    }

    /// Waits for the app to give the terminal back: main screen, prompt shown, and the tty
    /// in cooked mode with echo.
    pub fn assert_restored(&self) {
        self.wait_until("the shell prompt to come back", |t| {
            t.format("#{alternate_on}") == "0" && t.capture().contains("e2e$")
        });
        self.send(&["clear", "Enter"]);
        self.type_text("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | sort | tr '\\n' ,");
        self.send(&["Enter"]);
        self.wait_for("echo,icanon,");
        assert_eq!(self.format("#{cursor_flag}"), "1", "cursor visible again");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// Child processes of `parent`, read from /proc (no pgrep needed).
fn children(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name may contain spaces; the fields after its ')' are fixed.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) {
            out.push(pid);
        }
    }
    out
}
