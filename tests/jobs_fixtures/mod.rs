//! A realistic page of `hd_ingestion_jobs` (the seed's columns and failure), and a state
//! on the Jobs tab of `spark-lab` with it loaded.
#![allow(dead_code)]

use super::ui_fixtures::*;
use serde_json::json;
use sparkdeck::app::{Effect, Msg, State, update};
use sparkdeck::model::{Job, JobsPage};

pub const LAB: &str = "spark-lab";
pub const CIRCULAR: &str = "3f9c2a71-8d4e-4b1a-9c55-0e7d2b6a1f30";
pub const RUNNING: &str = "7b21e0c4-5f6a-4c3d-8e9f-a1b2c3d4e5f6";
pub const QUEUED: &str = "c0ffee12-3456-4789-abcd-ef0123456789";
pub const DONE: &str = "5a8d3e90-1c2b-4d3e-9f4a-5b6c7d8e9f01";
pub const TIMEOUT: &str = "9e4f1b07-2d3c-4e5f-8a9b-0c1d2e3f4a5b";

/// RFC 3339 (as PostgREST writes `timestamptz`) for `secs` before `NOW`.
pub fn ts(secs_ago: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(NOW - secs_ago).unwrap();
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00"
    );
    t.format(&f).unwrap()
}

fn job(id: &str, job_type: &str, status: &str, attempts: i64, created: i64) -> Job {
    Job {
        id: id.into(),
        account_id: Some("acc_7f3e9b2c".into()),
        job_type: Some(job_type.into()),
        status: status.into(),
        attempts: Some(attempts),
        error: None,
        debug: None,
        created_at: Some(ts(created)),
        started_at: None,
        finished_at: None,
    }
}

pub fn jobs() -> Vec<Job> {
    let mut circular = job(CIRCULAR, "import_assets_jsonl", "failed", 3, 25 * 60);
    circular.started_at = Some(ts(24 * 60));
    circular.finished_at = Some(ts(23 * 60));
    circular.error = Some(
        "Circular reference detected\n    at JSON.stringify (<anonymous>)\n    at \
         writeMetadata (worker/ingest/assets.js:214:18)"
            .into(),
    );
    circular.debug = Some(json!({
        "stage": "write_metadata",
        "file": "imports/assets_2026-01-19.jsonl",
        "line": 1842,
        "source_line": {"id": "asset-1842", "parent": "[Circular]"},
        "worker": "spark-01",
        "duration_ms": 5120
    }));
    let mut running = job(RUNNING, "embed_documents", "running", 1, 6 * 60);
    running.started_at = Some(ts(5 * 60));
    let queued = job(QUEUED, "import_assets_jsonl", "queued", 0, 3 * 60);
    let mut done = job(DONE, "thumbnail_render", "done", 1, 2 * 3600);
    done.started_at = Some(ts(2 * 3600 - 30));
    done.finished_at = Some(ts(2 * 3600 - 95));
    let mut timeout = job(TIMEOUT, "import_assets_jsonl", "error", 2, 40 * 60);
    timeout.started_at = Some(ts(39 * 60));
    timeout.finished_at = Some(ts(38 * 60));
    timeout.error =
        Some("upstream timeout after 30s: storage GET imports/assets_2026-01-18.jsonl".into());
    vec![running, queued, circular, timeout, done]
}

pub fn page(jobs: Vec<Job>, offset: u64, total: Option<u64>) -> JobsPage {
    JobsPage {
        jobs,
        total,
        offset,
    }
}

/// The generation of the newest `LoadJobs` among `fx`.
pub fn load_generation(fx: &[Effect]) -> u64 {
    fx.iter()
        .filter_map(|e| match e {
            Effect::LoadJobs { generation, .. } => Some(*generation),
            _ => None,
        })
        .next_back()
        .expect("a LoadJobs effect")
}

pub fn answer(s: &mut State, generation: u64, p: JobsPage, at: i64) -> Vec<Effect> {
    update(
        s,
        Msg::Jobs {
            name: LAB.into(),
            generation,
            result: Ok(p),
            at,
        },
    )
}

/// `spark-lab` active, the Jobs tab open and its first page answered.
pub fn jobs_state_sized(w: u16, h: u16) -> State {
    let mut s = full_state();
    update(
        &mut s,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    let fx = update(&mut s, key('3'));
    let g = load_generation(&fx);
    answer(&mut s, g, page(jobs(), 0, Some(5)), NOW - 2);
    s
}

pub fn jobs_state() -> State {
    jobs_state_sized(120, 40)
}
