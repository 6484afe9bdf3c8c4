//! `df -B1 --output=source,fstype,size,used,avail,target PATH…`.
//!
//! The five first columns never hold spaces; the mount point is the rest of the line, so
//! one with spaces survives. A value df cannot tell prints as `-` and reads as 0. Old dfs
//! wrapped a long device name onto a line of its own; such a line is joined with the next.

use crate::model::Filesystem;

pub fn df_argv(paths: &[&str]) -> Vec<String> {
    let mut argv: Vec<String> = [
        "df",
        "-B1",
        "--output=source,fstype,size,used,avail,target",
        "--",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    argv.extend(paths.iter().map(|p| p.to_string()));
    argv
}

/// One filesystem per data line, `models_bytes` 0; mount points with spaces kept.
pub fn parse_df(text: &str) -> Vec<Filesystem> {
    let mut out = Vec::new();
    let mut wrapped: Option<String> = None;
    for line in text.lines() {
        let tokens = tokens(line);
        if tokens.is_empty() {
            continue;
        }
        if tokens[0].1 == "Filesystem" && out.is_empty() && wrapped.is_none() {
            continue;
        }
        if tokens.len() == 1 {
            wrapped = Some(tokens[0].1.to_string());
            continue;
        }
        let (source, rest) = match wrapped.take() {
            Some(s) => (s, &tokens[..]),
            None => (tokens[0].1.to_string(), &tokens[1..]),
        };
        // fstype, size, used, avail, then the mount point to the end of the line.
        if rest.len() < 5 {
            continue;
        }
        let nums: Vec<Option<u64>> = rest[1..4].iter().map(|(_, t)| number(t)).collect();
        let (Some(size), Some(used), Some(avail)) = (nums[0], nums[1], nums[2]) else {
            continue;
        };
        let mount = line[rest[4].0..].trim_end().to_string();
        out.push(Filesystem {
            mount,
            source,
            fstype: rest[0].1.to_string(),
            size_bytes: size,
            used_bytes: used,
            avail_bytes: avail,
            models_bytes: 0,
        });
    }
    out
}

fn number(t: &str) -> Option<u64> {
    if t == "-" { Some(0) } else { t.parse().ok() }
}

/// Whitespace-separated words with their byte offsets.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_with_spaces_and_dashes() {
        let text = "Filesystem     Type    1B-blocks        Used       Avail Mounted on\n\
                    /dev/nvme0n1p2 ext4 3936818749440 1000 2000 /\n\
                    //nas/share    cifs 100 50 50 /mnt/my models  \n\
                    proc           proc -  - - /proc\n";
        let fs = parse_df(text);
        assert_eq!(fs.len(), 3);
        assert_eq!(fs[0].mount, "/");
        assert_eq!(fs[0].size_bytes, 3_936_818_749_440);
        assert_eq!(fs[1].mount, "/mnt/my models");
        assert_eq!(fs[1].fstype, "cifs");
        assert_eq!(fs[2].size_bytes, 0);
    }

    #[test]
    fn a_wrapped_long_device_name_is_joined() {
        let text = "Filesystem Type 1B-blocks Used Avail Mounted on\n\
                    /dev/mapper/very-long-volume-group-name-root\n\
                    \x20   ext4 10 4 6 /data\n";
        let fs = parse_df(text);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].source, "/dev/mapper/very-long-volume-group-name-root");
        assert_eq!(fs[0].mount, "/data");
    }

    #[test]
    fn argv_ends_options_before_paths() {
        let argv = df_argv(&["-odd", "/x"]);
        assert_eq!(&argv[3..], ["--", "-odd", "/x"]);
    }
}
