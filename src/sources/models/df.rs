//! `df -B1 --output=source,fstype,size,used,avail,target PATH…`.

use crate::model::Filesystem;

pub fn df_argv(_paths: &[&str]) -> Vec<String> {
    todo!("models scan helper")
}

/// One filesystem per data line, `models_bytes` 0; mount points with spaces kept.
pub fn parse_df(_text: &str) -> Vec<Filesystem> {
    todo!("models scan helper")
}
