//! Checks that the gpu_history layout keeps its promises (see the comment in migrations.rs):
//! a GPU-month fits in 5 MB and a chart query is one primary-key range read.

use super::Store;
use rusqlite::params;

const T0: i64 = 1_790_000_000;
const UUID: &str = "GPU-6f1c2a9e-3b7d-4c55-9e0a-1d2f3a4b5c6d";

fn insert_tier(store: &Store, window_s: i64, span_s: i64) -> i64 {
    let tx = store.conn.unchecked_transaction().unwrap();
    let mut stmt = tx
        .prepare(
            "INSERT INTO gpu_history (host, window_s, window_start, gpu_index, gpu_uuid, \
             window_end, util_pct_min, util_pct_avg, util_pct_max, mem_used_mib_min, \
             mem_used_mib_avg, mem_used_mib_max, temp_c_min, temp_c_avg, temp_c_max, \
             power_mw_min, power_mw_avg, power_mw_max, clock_gr_mhz_min, clock_gr_mhz_avg, \
             clock_gr_mhz_max) VALUES ('spark-01', ?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
             ?11, ?12, ?13, 11000, 45000, 98000, 500, 1800, 2400)",
        )
        .unwrap();
    let mut rows = 0;
    let mut start = T0 - span_s;
    while start < T0 {
        // Values vary like real samples so SQLite cannot store them all as 0/1 constants.
        let v = rows % 97;
        stmt.execute(params![
            window_s,
            start,
            UUID,
            start + window_s,
            v,
            v / 2 + 20,
            v.min(100),
            30_000 + v * 131,
            30_000 + v * 150,
            30_000 + v * 170,
            40 + v % 30,
            50 + v % 30,
            60 + v % 30,
        ])
        .unwrap();
        rows += 1;
        start += window_s;
    }
    drop(stmt);
    tx.commit().unwrap();
    rows
}

#[test]
fn gpu_history_month_fits_budget() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("history.db")).unwrap();
    // One GPU-month at the planned retention: 20 s windows for 48 h, 300 s windows for 30 days.
    let rows = insert_tier(&store, 20, 48 * 3600) + insert_tier(&store, 300, 30 * 86_400);
    assert_eq!(rows, 8_640 + 8_640);
    store.conn.execute_batch("VACUUM").unwrap();
    let bytes: i64 = store
        .conn
        .query_row(
            "SELECT sum(pgsize) FROM dbstat WHERE name = 'gpu_history'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        bytes < 5_000_000,
        "a GPU-month of history takes {bytes} bytes, over the 5 MB budget"
    );
    eprintln!("gpu_history: {bytes} bytes for {rows} rows");
    let file = std::fs::metadata(store.path()).unwrap().len();
    assert!(file < 5_000_000, "history file is {file} bytes");
}

#[test]
fn chart_query_is_one_primary_key_range() {
    let store = Store::in_memory().unwrap();
    let plan: String = store
        .conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT gpu_index, window_start, util_pct_max FROM gpu_history \
             WHERE host = ?1 AND window_s = ?2 AND window_start >= ?3 AND window_start < ?4",
            params!["spark-01", 300, T0 - 86_400, T0],
            |r| r.get(3),
        )
        .unwrap();
    assert!(
        plan.contains(
            "USING PRIMARY KEY (host=? AND window_s=? AND window_start>? AND window_start<?)"
        ),
        "unexpected plan: {plan}"
    );
}
