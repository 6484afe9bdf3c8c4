//! One walk of a store: `find PATH -printf …`, one line per file, parsed into entries.
//!
//! Fields are separated by NUL, which no file name can contain, and each record ends with
//! NUL + newline. A name holding a newline splits its record over two lines; `Joiner`
//! glues those back because only the last line of a record ends with NUL.

/// One file, directory or symlink under a store.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileEntry {
    /// `f` file, `d` directory, `l` symlink (find's `%y`).
    pub kind: char,
    /// Apparent size in bytes.
    pub size: u64,
    /// Unix seconds.
    pub mtime: i64,
    pub inode: u64,
    pub links: u64,
    /// Path relative to the store root, `/`-separated; "" for the root itself.
    pub rel: String,
    /// A symlink's target as stored.
    pub link_target: Option<String>,
}

impl FileEntry {
    pub fn is_file(&self) -> bool {
        self.kind == 'f'
    }
    pub fn is_dir(&self) -> bool {
        self.kind == 'd'
    }
    pub fn is_link(&self) -> bool {
        self.kind == 'l'
    }
    /// The last path component ("" for the root).
    pub fn name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or("")
    }
}

/// type, size, mtime, inode, link count, link target, path; each followed by NUL.
const PRINTF: &str = "%y\\0%s\\0%T@\\0%i\\0%n\\0%l\\0%P\\0\\n";

/// The argv of the walk (GNU find; does not cross filesystems or follow symlinks).
///
/// `-H` follows a symlink given as the root itself (`~/.ollama/models -> /data/ollama`)
/// but none below it, so snapshot links in an HF cache are listed, not followed.
pub fn walk_argv(root: &str) -> Vec<String> {
    vec![
        "find".into(),
        "-H".into(),
        safe_root(root),
        "-xdev".into(),
        "-printf".into(),
        PRINTF.into(),
    ]
}

/// `find` reads an argument starting with `-` as an expression, so a relative root is
/// anchored with `./`.
pub(crate) fn safe_root(root: &str) -> String {
    if root.starts_with('/') || root.starts_with("./") {
        root.to_string()
    } else {
        format!("./{root}")
    }
}

/// The same walk limited to `depth` levels below the root (the cache's change check).
pub fn shallow_argv(root: &str, depth: u32) -> Vec<String> {
    vec![
        "find".into(),
        "-H".into(),
        safe_root(root),
        "-xdev".into(),
        "-maxdepth".into(),
        depth.to_string(),
        "-printf".into(),
        PRINTF.into(),
    ]
}

/// One line of the walk's output; None for lines that do not parse.
pub fn parse_line(line: &str) -> Option<FileEntry> {
    let body = line.strip_suffix('\0')?;
    let mut it = body.splitn(7, '\0');
    let kind_s = it.next()?;
    let mut chars = kind_s.chars();
    let kind = chars.next()?;
    if chars.next().is_some() || !kind.is_ascii_alphabetic() {
        return None;
    }
    let size = it.next()?.parse::<u64>().ok()?;
    let mtime = parse_mtime(it.next()?)?;
    let inode = it.next()?.parse::<u64>().ok()?;
    let links = it.next()?.parse::<u64>().ok()?;
    let target = it.next()?;
    let rel = it.next()?;
    if rel.contains('\0') {
        return None;
    }
    Some(FileEntry {
        kind,
        size,
        mtime,
        inode,
        links,
        rel: rel.to_string(),
        link_target: (kind == 'l').then(|| target.to_string()),
    })
}

/// `%T@` is seconds with a fraction (`1700000000.1234567890`); older finds print none.
fn parse_mtime(s: &str) -> Option<i64> {
    let whole = s.split_once('.').map_or(s, |(w, _)| w);
    whole.parse::<i64>().ok()
}

/// Reassembles records whose file name contained a newline.
#[derive(Debug, Default)]
pub struct Joiner {
    pending: Option<String>,
}

/// A record that is still open after this many bytes is garbage, not a long name.
const MAX_RECORD: usize = 64 * 1024;

impl Joiner {
    /// Feeds one output line; returns an entry when a record is complete and parses.
    pub fn push(&mut self, line: &str) -> Option<FileEntry> {
        let joined = match self.pending.take() {
            Some(mut p) => {
                p.push('\n');
                p.push_str(line);
                p
            }
            None => {
                if line.ends_with('\0') {
                    return parse_line(line);
                }
                line.to_string()
            }
        };
        if joined.ends_with('\0') {
            return parse_line(&joined);
        }
        // Only a line that starts like a record can be continued; stray text is dropped.
        if joined.len() < MAX_RECORD && joined.matches('\0').count() >= 5 {
            self.pending = Some(joined);
        }
        None
    }
}

/// `store` + `/` + `rel`, without doubling a trailing slash of the store.
pub fn join_path(store: &str, rel: &str) -> String {
    let base = store.trim_end_matches('/');
    match (base.is_empty(), rel.is_empty()) {
        (_, true) => store.to_string(),
        (true, false) => format!("/{rel}"),
        (false, false) => format!("{base}/{rel}"),
    }
}

/// The weight format a file name shows, if it is a weight file.
pub fn weight_format(name: &str) -> Option<crate::model::ModelFormat> {
    use crate::model::ModelFormat;
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "safetensors" => Some(ModelFormat::Safetensors),
        "gguf" => Some(ModelFormat::Gguf),
        "bin" | "pt" | "pth" => Some(ModelFormat::Pytorch),
        _ => None,
    }
}

/// The format of a model holding files of several formats: safetensors wins over gguf,
/// gguf over PyTorch pickles (a repo often ships both and loaders prefer safetensors).
pub fn best_format(
    formats: impl IntoIterator<Item = crate::model::ModelFormat>,
) -> crate::model::ModelFormat {
    use crate::model::ModelFormat;
    let rank = |f: ModelFormat| match f {
        ModelFormat::Safetensors => 3,
        ModelFormat::Gguf => 2,
        ModelFormat::Pytorch => 1,
        _ => 0,
    };
    formats
        .into_iter()
        .max_by_key(|f| rank(*f))
        .unwrap_or(ModelFormat::Other)
}

/// Adds up file sizes, each inode once (hard links, and the same blob reached twice).
#[derive(Debug, Default)]
pub struct InodeSum {
    seen: std::collections::HashSet<u64>,
    pub bytes: u64,
}

impl InodeSum {
    /// Counts `e` unless its inode was counted already; true when it was new.
    pub fn add(&mut self, e: &FileEntry) -> bool {
        if self.seen.insert(e.inode) {
            self.bytes = self.bytes.saturating_add(e.size);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_file_a_link_and_the_root() {
        let f =
            parse_line("f\u{0}1234\u{0}1700000000.5\u{0}42\u{0}2\u{0}\u{0}a b/c.safetensors\u{0}")
                .unwrap();
        assert_eq!(
            f,
            FileEntry {
                kind: 'f',
                size: 1234,
                mtime: 1_700_000_000,
                inode: 42,
                links: 2,
                rel: "a b/c.safetensors".into(),
                link_target: None,
            }
        );
        assert_eq!(f.name(), "c.safetensors");
        let l = parse_line("l\u{0}52\u{0}1\u{0}7\u{0}1\u{0}../../blobs/x\u{0}s/c/f\u{0}").unwrap();
        assert_eq!(l.link_target.as_deref(), Some("../../blobs/x"));
        let root = parse_line("d\u{0}4096\u{0}1\u{0}7\u{0}3\u{0}\u{0}\u{0}").unwrap();
        assert_eq!(root.rel, "");
        assert!(root.is_dir());
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "\u{0}",
            "f 12 1 2 3  x",
            "f\u{0}x\u{0}1\u{0}2\u{0}3\u{0}\u{0}p\u{0}",
            "ff\u{0}1\u{0}1\u{0}2\u{0}3\u{0}\u{0}p\u{0}",
            "f\u{0}1\u{0}1\u{0}2\u{0}3\u{0}\u{0}p",
            "f\u{0}1\u{0}1\u{0}2\u{0}3\u{0}p\u{0}",
        ] {
            assert_eq!(parse_line(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn joiner_glues_names_with_newlines() {
        let mut j = Joiner::default();
        assert_eq!(j.push("f\u{0}3\u{0}1\u{0}2\u{0}1\u{0}\u{0}odd"), None);
        let e = j.push("name\u{0}").unwrap();
        assert_eq!(e.rel, "odd\nname");
        assert_eq!(j.push("noise"), None);
        assert_eq!(
            j.push("d\u{0}1\u{0}1\u{0}2\u{0}1\u{0}\u{0}x\u{0}")
                .unwrap()
                .rel,
            "x"
        );
    }

    #[test]
    fn argv_anchors_relative_roots() {
        assert_eq!(walk_argv("/srv/m")[2], "/srv/m");
        assert_eq!(walk_argv("-rf")[2], "./-rf");
    }
}
