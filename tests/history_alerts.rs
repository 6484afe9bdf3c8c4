//! The alert record on a real SQLite file: raise, peak, clear, list, and survive a reopen.

use sparkdeck::store::{Store, StoreError};

#[test]
fn alert_lifecycle_raise_peak_clear() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sparkdeck.db");
    let store = Store::open(&path).unwrap();
    let hot = store
        .raise_alert(
            "spark-01",
            Some(0),
            "temperature",
            1_000,
            Some(82.0),
            "GPU 0 at 82 °C for 5 samples (crit 80 °C)",
        )
        .unwrap();
    let busy = store
        .raise_alert(
            "spark-01",
            Some(1),
            "utilization",
            1_010,
            None,
            "GPU 1 busy",
        )
        .unwrap();
    let other = store
        .raise_alert(
            "spark-02",
            None,
            "memory_used",
            1_020,
            Some(91.5),
            "pressure",
        )
        .unwrap();
    assert!(hot < busy && busy < other);

    store.update_peak(hot, 85.5).unwrap();
    store.update_peak(hot, 83.0).unwrap(); // lower: the peak stays
    store.update_peak(busy, 97.0).unwrap(); // first known value
    store.update_peak(busy, f64::NAN).unwrap(); // garbage: ignored

    let open = store.open_alerts("spark-01").unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(
        (open[0].id, open[0].gpu_index, open[0].metric.as_str()),
        (hot, Some(0), "temperature")
    );
    assert_eq!(open[0].peak, Some(85.5));
    assert_eq!(open[1].peak, Some(97.0));
    assert_eq!(open[0].message, "GPU 0 at 82 °C for 5 samples (crit 80 °C)");
    assert_eq!(open[0].cleared_at, None);

    store.clear_alert(hot, 1_100).unwrap();
    store.clear_alert(hot, 1_200).unwrap(); // second clear keeps the first time
    let open = store.open_alerts("spark-01").unwrap();
    assert_eq!(open.iter().map(|a| a.id).collect::<Vec<_>>(), [busy]);
    drop(store);

    // Reopened (as after a restart): history of alerts is all there, newest first.
    let store = Store::open(&path).unwrap();
    let recent = store.recent_alerts(10).unwrap();
    assert_eq!(
        recent.iter().map(|a| a.id).collect::<Vec<_>>(),
        [other, busy, hot]
    );
    assert_eq!(recent[2].cleared_at, Some(1_100));
    assert_eq!(recent[0].gpu_index, None);
    assert_eq!(store.recent_alerts(1).unwrap().len(), 1);

    // Cleared alerts go with the retention prune; open ones stay.
    store.prune(1_050).unwrap();
    let ids: Vec<i64> = store
        .recent_alerts(10)
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, [other, busy]);
}

#[test]
fn unknown_alert_ids_are_reported() {
    let store = Store::in_memory().unwrap();
    let e = store.clear_alert(42, 1).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::NotFound {
                what: "alert",
                id: 42
            }
        ),
        "{e}"
    );
    assert!(store.update_peak(7, 1.0).is_err());
    assert!(store.open_alerts("nobody").unwrap().is_empty());
}

#[tokio::test]
async fn alerts_and_history_through_the_store_thread() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sparkdeck.db")).unwrap();
    let handle = sparkdeck::store::StoreHandle::spawn(store).unwrap();
    let id = handle
        .raise_alert("h", Some(2), "power", 5, Some(310.0), "GPU 2 power")
        .await
        .unwrap();
    handle.update_peak(id, 320.0).await.unwrap();
    handle.clear_alert(id, 9).await.unwrap();
    let all = handle.recent_alerts(5).await.unwrap();
    assert_eq!((all[0].peak, all[0].cleared_at), (Some(320.0), Some(9)));
    assert!(handle.open_alerts("h").await.unwrap().is_empty());
    handle.close().await.unwrap();
}
