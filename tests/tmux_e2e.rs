//! Drives the real binary in tmux, as a user would: start, look at the tabs, open help,
//! switch tabs, quit, and check the terminal is restored.

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs (the README's test command installs it)")
    }

    fn capture(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    fn format(&self, fmt: &str) -> String {
        let out = self.cmd(&["display-message", "-p", "-t", "t", fmt]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success(), "send-keys {keys:?}");
    }

    /// Waits until the pane shows `needle`; returns the screen.
    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if screen.contains(needle) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {needle:?}; screen:\n{screen}");
            }
            sleep(Duration::from_millis(100));
        }
    }

    fn wait_until(&self, what: &str, cond: impl Fn(&Tmux) -> bool) {
        let start = Instant::now();
        while !cond(self) {
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {what}; screen:\n{}", self.capture());
            }
            sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn start(dir: &Path, width: u16, height: u16) -> Tmux {
    let tmux = Tmux {
        socket: format!("sparkdeck-e2e-{}-{width}", std::process::id()),
    };
    for sub in ["config", "data", "state", "home"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    // A clean shell with an isolated HOME and XDG dirs: nothing of the real user is read.
    let shell = format!(
        "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME={d}/home XDG_CONFIG_HOME={d}/config \
         XDG_DATA_HOME={d}/data XDG_STATE_HOME={d}/state PS1='e2e$ ' bash --norc --noprofile",
        d = dir.display()
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

#[test]
fn real_binary_shows_tabs_help_and_restores_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = start(dir.path(), 120, 40);
    let bin = env!("CARGO_BIN_EXE_sparkdeck");
    tmux.send(&[bin, "Enter"]);

    let screen = tmux.wait_for("Connections");
    for tab in ["Connections", "GPU", "Jobs", "Services", "Models"] {
        assert!(screen.contains(tab), "tab {tab} missing:\n{screen}");
    }
    assert!(
        screen.contains("local"),
        "the local machine is listed:\n{screen}"
    );
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "TUI uses the alternate screen"
    );

    tmux.send(&["?"]);
    let help = tmux.wait_for("Keys");
    assert!(help.contains("quit"), "help lists the quit key:\n{help}");
    tmux.send(&["Escape"]);
    tmux.wait_until("help to close", |t| !t.capture().contains("Keys"));

    tmux.send(&["2"]);
    tmux.wait_for("issue #3");
    tmux.send(&["Tab"]);
    tmux.wait_for("issue #4");

    tmux.send(&["q"]);
    tmux.wait_until("the shell prompt to come back", |t| {
        t.format("#{alternate_on}") == "0" && t.capture().contains("e2e$")
    });
    // The tty is back in cooked mode with echo: typed text shows and the line runs.
    tmux.send(&[
        "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | sort | tr '\\n' ,",
        "Enter",
    ]);
    tmux.wait_for("echo,icanon,");
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor visible again");

    // The history database was created under the XDG data dir.
    assert!(
        dir.path().join("data/sparkdeck/sparkdeck.db").exists(),
        "SQLite store under XDG_DATA_HOME"
    );
}

#[test]
fn real_binary_is_usable_at_40x15() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = start(dir.path(), 40, 15);
    let bin = env!("CARGO_BIN_EXE_sparkdeck");
    tmux.send(&[bin, "Enter"]);
    let screen = tmux.wait_for("local");
    assert!(!screen.contains("panicked"), "{screen}");
    tmux.send(&["5"]);
    tmux.wait_for("Models");
    tmux.send(&["C-c"]);
    tmux.wait_until("exit", |t| t.format("#{alternate_on}") == "0");
}
