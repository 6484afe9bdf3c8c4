//! Jobs of the worker's queue (`hd_ingestion_jobs` by default), as read through PostgREST.

use serde::{Deserialize, Serialize};

/// One row. Column names are configurable (`[jobs.columns]`); the client maps them onto
/// these fields. Timestamps are kept as the server's RFC 3339 text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Job {
    /// Primary key as text (UUIDs and integers alike).
    pub id: String,
    pub account_id: Option<String>,
    pub job_type: Option<String>,
    pub status: String,
    pub attempts: Option<i64>,
    pub error: Option<String>,
    /// The worker's `debug` JSON, untouched.
    pub debug: Option<serde_json::Value>,
    pub created_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// One page of the job table plus the server's exact total (`Content-Range`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobsPage {
    pub jobs: Vec<Job>,
    /// Rows matching the filter, from `Content-Range: 0-49/1234`; `None` when not reported.
    pub total: Option<u64>,
    pub offset: u64,
}

/// What a compare-and-set requeue did to one job.
// A few outcomes per requeue batch: boxing the row would only add noise at every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RequeueOutcome {
    /// The row came back with the new status.
    Requeued(Job),
    /// Nothing matched `id=eq.X AND status IN (requeueable)`: the job was re-read and this
    /// says why (already queued, running, done, gone…).
    NotChanged { reason: String },
    /// The request failed (network, auth, permission…); nothing is known to have changed.
    Failed { error: String },
}

impl RequeueOutcome {
    pub fn is_requeued(&self) -> bool {
        matches!(self, RequeueOutcome::Requeued(_))
    }
}
