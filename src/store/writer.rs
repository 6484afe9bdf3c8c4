//! The one thread that owns the `Store`.
//!
//! rusqlite's `Connection` is `!Sync`, and SQLite serialises writers anyway, so every request
//! goes over a channel to a dedicated thread and the answer comes back on a oneshot. Async
//! callers never block a tokio worker on disk I/O.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use tokio::sync::oneshot;

use super::error::{Result, StoreError};
use super::history::{ExportRow, HistoryPoint, Metric};
use super::{Alert, AuditEntry, Store};
use crate::metrics::WindowStats;
use crate::model::{ConnId, ConnectionSpec, SavedConnection, SavedTunnel, TunnelSpec};

type Job = Box<dyn FnOnce(&mut Store) + Send>;

enum Msg {
    Job(Job),
    /// Close the database and end the thread; the sender learns when the file is closed.
    Stop(oneshot::Sender<()>),
}

/// A cheap, cloneable way to reach the store from any task.
#[derive(Clone)]
pub struct StoreHandle {
    tx: mpsc::Sender<Msg>,
    path: Arc<PathBuf>,
    in_memory: bool,
}

impl std::fmt::Debug for StoreHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreHandle")
            .field("path", &self.path)
            .finish()
    }
}

impl StoreHandle {
    /// Moves `store` onto a new thread. The thread ends when `close` is called or the last
    /// handle is dropped.
    pub fn spawn(store: Store) -> Result<StoreHandle> {
        let (tx, rx) = mpsc::channel::<Msg>();
        let path = Arc::new(store.path().to_path_buf());
        let in_memory = store.is_in_memory();
        std::thread::Builder::new()
            .name("sparkdeck-store".into())
            .spawn(move || run(store, rx))
            .map_err(StoreError::WriterStart)?;
        Ok(StoreHandle {
            tx,
            path,
            in_memory,
        })
    }

    /// The database file behind this handle (`:memory:` for the fallback).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_in_memory(&self) -> bool {
        self.in_memory
    }

    /// Runs `f` on the store thread and returns its result.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Store) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            // The caller may have given up (its task was cancelled); nothing to do then.
            let _ = reply.send(f(store));
        });
        self.tx
            .send(Msg::Job(job))
            .map_err(|_| StoreError::WriterGone)?;
        // The reply sender is dropped without an answer only when the job panicked or the
        // thread stopped before running it.
        match answer.await {
            Ok(result) => result,
            Err(_) if self.tx.send(Msg::Job(Box::new(|_| {}))).is_ok() => {
                Err(StoreError::JobPanicked)
            }
            Err(_) => Err(StoreError::WriterGone),
        }
    }

    /// Closes the database (checkpointing the WAL) and stops the thread. Calls made afterwards,
    /// through any clone, fail with `StoreError::WriterGone`.
    pub async fn close(&self) -> Result<()> {
        let (done, closed) = oneshot::channel();
        self.tx
            .send(Msg::Stop(done))
            .map_err(|_| StoreError::WriterGone)?;
        closed.await.map_err(|_| StoreError::WriterGone)
    }

    pub async fn list_connections(&self) -> Result<Vec<SavedConnection>> {
        self.call(|s| s.list_connections()).await
    }

    pub async fn get_connection_by_name(&self, name: &str) -> Result<Option<SavedConnection>> {
        let name = name.to_owned();
        self.call(move |s| s.get_connection_by_name(&name)).await
    }

    pub async fn add_connection(&self, spec: &ConnectionSpec, now: i64) -> Result<SavedConnection> {
        let spec = spec.clone();
        self.call(move |s| s.add_connection(&spec, now)).await
    }

    pub async fn update_connection(
        &self,
        id: ConnId,
        spec: &ConnectionSpec,
        now: i64,
    ) -> Result<SavedConnection> {
        let spec = spec.clone();
        self.call(move |s| s.update_connection(id, &spec, now))
            .await
    }

    pub async fn delete_connection(&self, id: ConnId) -> Result<()> {
        self.call(move |s| s.delete_connection(id)).await
    }

    pub async fn mark_connected(&self, id: ConnId, now: i64) -> Result<()> {
        self.call(move |s| s.mark_connected(id, now)).await
    }

    pub async fn list_tunnels(&self, conn: ConnId) -> Result<Vec<SavedTunnel>> {
        self.call(move |s| s.list_tunnels(conn)).await
    }

    pub async fn add_tunnel(&self, conn: ConnId, spec: &TunnelSpec) -> Result<SavedTunnel> {
        let spec = spec.clone();
        self.call(move |s| s.add_tunnel(conn, &spec)).await
    }

    pub async fn delete_tunnel(&self, id: i64) -> Result<()> {
        self.call(move |s| s.delete_tunnel(id)).await
    }

    pub async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_owned();
        self.call(move |s| s.get_setting(&key)).await
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.call(move |s| s.set_setting(&key, &value)).await
    }

    pub async fn delete_setting(&self, key: &str) -> Result<()> {
        let key = key.to_owned();
        self.call(move |s| s.delete_setting(&key)).await
    }

    pub async fn audit(&self, entry: &AuditEntry) -> Result<()> {
        let entry = entry.clone();
        self.call(move |s| s.audit(&entry)).await
    }

    pub async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        self.call(move |s| s.recent_audit(limit)).await
    }

    pub async fn record_windows(&self, host: &str, windows: Vec<WindowStats>) -> Result<()> {
        let host = host.to_owned();
        self.call(move |s| s.record_windows(&host, &windows)).await
    }

    pub async fn history(
        &self,
        host: &str,
        gpu_index: u32,
        metric: Metric,
        since: i64,
        until: i64,
        points: usize,
    ) -> Result<Vec<HistoryPoint>> {
        let host = host.to_owned();
        self.call(move |s| s.history(&host, gpu_index, metric, since, until, points))
            .await
    }

    pub async fn history_all_gpus(
        &self,
        host: &str,
        metric: Metric,
        since: i64,
        until: i64,
        points: usize,
    ) -> Result<Vec<(u32, Vec<HistoryPoint>)>> {
        let host = host.to_owned();
        self.call(move |s| s.history_all_gpus(&host, metric, since, until, points))
            .await
    }

    pub async fn prune(&self, older_than: i64) -> Result<usize> {
        self.call(move |s| s.prune(older_than)).await
    }

    pub async fn prune_at(&self, now: i64, retention_days: u32) -> Result<usize> {
        self.call(move |s| s.prune_at(now, retention_days)).await
    }

    pub async fn export(&self, host: Option<&str>, since: i64) -> Result<Vec<ExportRow>> {
        let host = host.map(str::to_owned);
        self.call(move |s| s.export(host.as_deref(), since)).await
    }

    pub async fn raise_alert(
        &self,
        host: &str,
        gpu_index: Option<u32>,
        metric: &str,
        raised_at: i64,
        peak: Option<f64>,
        message: &str,
    ) -> Result<i64> {
        let (host, metric, message) = (host.to_owned(), metric.to_owned(), message.to_owned());
        self.call(move |s| s.raise_alert(&host, gpu_index, &metric, raised_at, peak, &message))
            .await
    }

    pub async fn clear_alert(&self, id: i64, cleared_at: i64) -> Result<()> {
        self.call(move |s| s.clear_alert(id, cleared_at)).await
    }

    pub async fn update_peak(&self, id: i64, peak: f64) -> Result<()> {
        self.call(move |s| s.update_peak(id, peak)).await
    }

    pub async fn open_alerts(&self, host: &str) -> Result<Vec<Alert>> {
        let host = host.to_owned();
        self.call(move |s| s.open_alerts(&host)).await
    }

    pub async fn recent_alerts(&self, limit: usize) -> Result<Vec<Alert>> {
        self.call(move |s| s.recent_alerts(limit)).await
    }
}

fn run(mut store: Store, rx: mpsc::Receiver<Msg>) {
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Job(job) => {
                // A panicking request must not take history down for the rest of the session;
                // its caller sees `JobPanicked` because its reply sender is dropped.
                if catch_unwind(AssertUnwindSafe(|| job(&mut store))).is_err() {
                    tracing::error!("a store request panicked; the store keeps running");
                }
            }
            Msg::Stop(done) => {
                drop(store);
                let _ = done.send(());
                return;
            }
        }
    }
}
