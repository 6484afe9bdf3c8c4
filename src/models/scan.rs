//! One walk per store (streamed, with progress), turned into models by the layout parser.

use crate::host::Host;
use crate::model::{ScanProgress, StoreScan, StoreSpec};
use std::collections::HashMap;

/// Last scan per store with the mtimes that decide whether it changed.
#[derive(Debug, Default)]
pub struct ScanCache {
    pub entries: HashMap<StoreSpec, (Vec<(String, i64)>, StoreScan)>,
}

pub async fn scan_store(
    _host: &dyn Host,
    _spec: &StoreSpec,
    _progress: &(dyn Fn(ScanProgress) + Send + Sync),
) -> StoreScan {
    todo!("models scan helper")
}
