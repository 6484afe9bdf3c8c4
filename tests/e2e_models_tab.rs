//! The Models tab of the real binary in tmux, on this machine, over real stores built in a
//! temp dir (an HF cache, an Ollama store, a plain model folder): the models and their
//! sizes, the default roles, and a delete that needs the model's name typed, removes
//! exactly that folder and is audited.

mod support;

use std::time::Duration;
use support::env::TestEnv;
use support::model_stores::ModelStores;
use support::tmux::Tmux;

fn audit_rows(env: &TestEnv) -> Vec<(String, String, String, String)> {
    let Ok(db) = rusqlite::Connection::open(env.db_path()) else {
        return Vec::new();
    };
    let Ok(mut st) = db.prepare("SELECT host, action, target, outcome FROM audit ORDER BY id")
    else {
        return Vec::new();
    };
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn models_tab_lists_real_stores_and_deletes_a_model_after_its_name_is_typed() {
    let stores = ModelStores::build();
    let env = TestEnv::new();
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[tunnels]\nollama = false\n\n[models]\nroot = \"{}\"\nhf_cache = \"{}\"\n\
             ollama_stores = [\"{}\"]\ndocker_volumes = false\n",
            stores.folder.display(),
            stores.hf.display(),
            stores.ollama.display()
        ),
    );
    let model_dir = stores.folder.join("qwen3-32b-nvfp4");
    assert!(model_dir.is_dir());

    let tmux = Tmux::start(&env, "models", 140, 45);
    tmux.run_app(&[]);
    tmux.wait_for("connected");
    tmux.send(&["5"]);
    let screen = tmux.wait_screen("the scanned models", |s| {
        s.contains("Qwen/Qwen3-0.6B") && s.contains("qwen3-32b-nvfp4")
    });
    // Every default role finds its model in one of the stores.
    for role in [
        "extraction ✓ qwen3-32b-nvfp4",
        "embeddings ✓ bge-m3",
        "planning ✓ llama4-scout-17b",
    ] {
        assert!(screen.contains(role), "{role}:\n{screen}");
    }

    // Narrow the list to the folder model, then ask to delete it.
    tmux.send(&["/"]);
    tmux.type_text("qwen3-32b");
    tmux.send(&["Enter"]);
    tmux.wait_for("Models (1/7)");
    tmux.send(&["d"]);
    let dialog = tmux.wait_for("type");
    assert!(dialog.contains("qwen3-32b-nvfp4"), "{dialog}");

    // A wrong name does nothing.
    tmux.type_text("qwen3");
    tmux.send(&["Enter"]);
    std::thread::sleep(Duration::from_millis(800));
    assert!(model_dir.is_dir(), "a wrong name deleted the model");
    assert!(audit_rows(&env).is_empty());

    // The exact name deletes exactly that folder.
    tmux.send(&["BSpace"; 5]);
    tmux.type_text("qwen3-32b-nvfp4");
    tmux.send(&["Enter"]);
    tmux.wait_until("the folder to go", |_| !model_dir.exists());
    assert!(stores.folder.is_dir(), "the model root stays");
    assert!(
        stores.hf.join("models--Qwen--Qwen3-0.6B").is_dir(),
        "other stores are untouched"
    );
    tmux.wait_until("the audit row", |_| !audit_rows(&env).is_empty());
    let rows = audit_rows(&env);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "local");
    assert_eq!(rows[0].1, "delete-model");
    assert_eq!(rows[0].2, model_dir.display().to_string());
    assert_eq!(rows[0].3, "ok");
    // Separate sends: Esc and q in one burst read as Alt-q.
    tmux.send(&["Escape"]);
    tmux.wait_until("the name filter to clear", |t| {
        !t.capture().contains("/qwen3-32b")
    });
    tmux.send(&["q"]);
    tmux.assert_restored();
}
