//! One walk of a store: `find PATH -printf …`, one line per file, parsed into entries.

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

/// The argv of the walk (GNU find; does not cross filesystems or follow symlinks).
pub fn walk_argv(_root: &str) -> Vec<String> {
    todo!("models scan helper")
}

/// One line of the walk's output; None for lines that do not parse.
pub fn parse_line(_line: &str) -> Option<FileEntry> {
    todo!("models scan helper")
}
