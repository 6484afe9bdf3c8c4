//! The Models parsers on recorded captures and on garbage: they never panic.

use proptest::prelude::*;
use sparkdeck::sources::models::df::parse_df;
use sparkdeck::sources::models::listing::{Joiner, parse_line};
use sparkdeck::sources::models::ollama::parse_manifest;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn df_capture_with_a_mount_point_holding_spaces() {
    let fs = parse_df(&fixture("df-output-mount-with-spaces.captured.txt"));
    let mounts: Vec<&str> = fs.iter().map(|f| f.mount.as_str()).collect();
    assert_eq!(mounts, ["/", "/tmp/sd my models", "/proc"]);
    assert_eq!(fs[0].source, "/dev/vda");
    assert_eq!(fs[0].fstype, "ext4");
    assert_eq!(fs[0].size_bytes, 270_553_174_016);
    assert_eq!(fs[0].used_bytes, 46_298_501_120);
    assert_eq!(fs[0].avail_bytes, 51_274_248_192);
    assert_eq!(fs[1].fstype, "tmpfs");
    assert_eq!(fs[1].size_bytes, 1_048_576);
    assert_eq!(fs[1].avail_bytes, 1_048_576);
    assert_eq!(fs[2].used_pct(), None);
}

#[test]
fn other_df_layouts_do_not_panic() {
    // Not the asked-for columns: rows may come out odd, but never a panic, and the long
    // device name on a line of its own stays one row.
    let long = parse_df(&fixture("df-long-filesystem.jc-generic.out"));
    assert!(
        long.iter()
            .any(|f| f.source == "/dev/mapper/VolGroup00-LogVol00")
    );
    let _ = parse_df(&fixture("df.jc-ubuntu-18.04.out"));
}

proptest! {
    #[test]
    fn parse_line_never_panics(s in "\\PC*", fields in proptest::collection::vec("[a-z0-9./ \\-]{0,12}", 0..9)) {
        let _ = parse_line(&s);
        let joined = fields.join("\0") + "\0";
        let _ = parse_line(&joined);
        let mut j = Joiner::default();
        let _ = j.push(&s);
        let _ = j.push(&joined);
    }

    #[test]
    fn parse_line_reads_back_what_find_would_print(
        kind in "[fdl]", size in any::<u64>(), mtime in any::<i32>(), inode in any::<u64>(),
        links in any::<u64>(), rel in "[^\u{0}\n]{0,40}", target in "[^\u{0}\n]{1,20}",
    ) {
        let line = format!("{kind}\0{size}\0{mtime}.25\0{inode}\0{links}\0{target}\0{rel}\0");
        let e = parse_line(&line).expect("a well-formed record parses");
        prop_assert_eq!(e.size, size);
        prop_assert_eq!(e.mtime, i64::from(mtime));
        prop_assert_eq!(e.inode, inode);
        prop_assert_eq!(e.links, links);
        prop_assert_eq!(&e.rel, &rel);
        prop_assert_eq!(e.link_target.is_some(), kind == "l");
    }

    #[test]
    fn parse_df_never_panics(s in "\\PC*", lines in proptest::collection::vec("[a-z0-9/ \\-]{0,30}", 0..6)) {
        let _ = parse_df(&s);
        let _ = parse_df(&lines.join("\n"));
    }

    #[test]
    fn parse_manifest_never_panics(s in "\\PC*", size in any::<i64>(), digest in "[a-z0-9:]{0,70}") {
        let _ = parse_manifest(&s);
        let json = format!(r#"{{"config":{{"digest":"{digest}","size":{size}}},"layers":[{{"digest":"{digest}"}},null,3]}}"#);
        let _ = parse_manifest(&json);
    }
}
