use super::*;
use crate::model::{DetailKind, ProbeKind, PublishedPort, SocketOwner};

fn listener(addr: &str, port: u16, owners: &[(&str, u32)]) -> Listener {
    Listener {
        addr: addr.to_string(),
        port,
        v6: addr.contains(':'),
        owners: owners
            .iter()
            .map(|(p, pid)| SocketOwner {
                process: p.to_string(),
                pid: *pid,
            })
            .collect(),
        uid: None,
    }
}

fn unit(id: &str, active: &str, main_pid: Option<u32>) -> UnitStatus {
    UnitStatus {
        id: id.to_string(),
        load_state: "loaded".into(),
        active_state: active.into(),
        sub_state: if active == "active" {
            "running"
        } else {
            "dead"
        }
        .into(),
        main_pid,
        n_restarts: Some(0),
        started: None,
        result: Some("success".into()),
    }
}

fn container(name: &str, image: &str, state: &str, ports: &[u16]) -> Container {
    Container {
        id: format!("{name}-id"),
        name: name.to_string(),
        image: image.to_string(),
        state: state.to_string(),
        status: if state == "running" {
            "Up 5 minutes".into()
        } else {
            "Exited (1) 2 hours ago".into()
        },
        health: None,
        ports: ports
            .iter()
            .map(|p| PublishedPort {
                host_ip: "0.0.0.0".into(),
                host_port: *p,
                container_port: *p,
                proto: "tcp".into(),
            })
            .collect(),
    }
}

fn entry(name: &str, port: u16, kind: ServiceKind) -> CatalogEntry {
    CatalogEntry {
        name: name.to_string(),
        ports: vec![port],
        any_port: false,
        kind,
        unit: String::new(),
        container: String::new(),
        matches: Vec::new(),
        family: String::new(),
        required: true,
        probe: ProbeKind::Http,
        probe_path: "/".into(),
        expect_status: None,
        expect_body: String::new(),
        detail: DetailKind::None,
    }
}

fn ollama() -> CatalogEntry {
    CatalogEntry {
        unit: "ollama".into(),
        matches: vec!["ollama".into()],
        ..entry("Ollama", 11434, ServiceKind::Systemd)
    }
}

fn arango() -> CatalogEntry {
    CatalogEntry {
        container: "arangodb".into(),
        matches: vec!["arangod".into(), "arangodb".into()],
        ..entry("ArangoDB", 8529, ServiceKind::Docker)
    }
}

fn cloudflared() -> CatalogEntry {
    CatalogEntry {
        ports: (20241..=20245).collect(),
        any_port: true,
        unit: "cloudflared".into(),
        matches: vec!["cloudflared".into()],
        ..entry("cloudflared", 20241, ServiceKind::Systemd)
    }
}

fn obs(
    listeners: Vec<Listener>,
    containers: Option<Vec<Container>>,
    units: Vec<UnitStatus>,
) -> Observation {
    Observation {
        listeners,
        containers,
        units,
        ..Observation::default()
    }
}

fn run(catalog: &[CatalogEntry], o: &Observation) -> Vec<ServiceRow> {
    merge(catalog, o, &ServicesSettings::default())
}

fn row<'a>(rows: &'a [ServiceRow], id: &str) -> &'a ServiceRow {
    rows.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no row {id} in {rows:#?}"))
}

fn notes(r: &ServiceRow) -> String {
    r.notes.join(" | ")
}

#[test]
fn unit_owning_both_address_families_is_one_up_row() {
    let o = obs(
        vec![
            listener("127.0.0.1", 11434, &[("ollama", 100)]),
            listener("::1", 11434, &[("ollama", 100)]),
        ],
        Some(vec![]),
        vec![unit("ollama.service", "active", Some(100))],
    );
    let rows = run(&[ollama()], &o);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    let r = &rows[0];
    assert_eq!(r.id, "svc:Ollama");
    assert_eq!(r.state, Some(ServiceState::Up));
    assert_eq!(r.bind.as_deref(), Some("127.0.0.1"));
    assert_eq!(r.port, Some(11434));
    assert!(r.expected && r.required);
    assert_eq!(r.kind, ServiceKind::Systemd);
    assert_eq!(
        r.owner,
        Owner {
            pid: Some(100),
            process: Some("ollama".into()),
            container: None,
            unit: Some("ollama.service".into()),
        }
    );
    assert_eq!(
        r.unit.as_ref().map(|u| u.id.as_str()),
        Some("ollama.service")
    );
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert!(!r.is_problem());
}

#[test]
fn a_child_process_of_the_unit_fits_by_name() {
    let o = obs(
        vec![listener("0.0.0.0", 8000, &[("vllm", 222)])],
        Some(vec![]),
        vec![unit("deepseek-ocr-vllm.service", "active", Some(111))],
    );
    let vllm = CatalogEntry {
        unit: "deepseek-ocr-vllm".into(),
        matches: vec!["vllm".into()],
        ..entry("vLLM", 8000, ServiceKind::Systemd)
    };
    let rows = run(&[vllm], &o);
    assert_eq!(rows[0].state, Some(ServiceState::Up));
    assert_eq!(
        rows[0].owner.unit, None,
        "the unit's MainPID is another process"
    );
}

#[test]
fn an_invisible_owner_is_up_with_the_root_hint() {
    let o = obs(
        vec![listener("127.0.0.1", 11434, &[])],
        Some(vec![]),
        vec![unit("ollama.service", "active", Some(100))],
    );
    let rows = run(&[ollama()], &o);
    assert_eq!(rows[0].state, Some(ServiceState::Up));
    assert!(
        notes(&rows[0]).contains("owner not visible: another user"),
        "{:?}",
        rows[0].notes
    );

    let mut proc_net = o.clone();
    proc_net.listeners_from = ListenerSource::ProcNet;
    let rows = run(&[ollama()], &proc_net);
    assert!(
        notes(&rows[0]).contains("ss is not available"),
        "{:?}",
        rows[0].notes
    );
}

#[test]
fn a_catalogued_port_held_by_another_process_is_a_conflict() {
    let o = obs(
        vec![listener("0.0.0.0", 11434, &[("python3", 7)])],
        Some(vec![]),
        vec![unit("ollama.service", "failed", None)],
    );
    let rows = run(&[ollama()], &o);
    let r = &rows[0];
    assert_eq!(r.state, Some(ServiceState::Conflict));
    assert_eq!(r.owner.process.as_deref(), Some("python3"));
    assert_eq!(r.owner.pid, Some(7));
    let n = notes(r);
    assert!(n.contains("held by python3 (pid 7)"), "{n}");
    assert!(n.contains("expected ollama.service"), "{n}");
    assert!(n.contains("one service per port"), "{n}");
    assert!(r.is_problem());
    assert_eq!(
        rows.len(),
        1,
        "the conflicting listener is not listed again"
    );
}

#[test]
fn a_playbook_container_on_a_units_port_is_a_conflict() {
    let o = obs(
        vec![listener("0.0.0.0", 11434, &[("docker-proxy", 9)])],
        Some(vec![container(
            "ollama-compose",
            "ollama/ollama:latest",
            "running",
            &[11434],
        )]),
        vec![unit("ollama.service", "failed", None)],
    );
    let rows = run(&[ollama()], &o);
    assert_eq!(rows[0].state, Some(ServiceState::Conflict));
    assert_eq!(rows[0].owner.container.as_deref(), Some("ollama-compose"));
    assert!(
        notes(&rows[0]).contains("container ollama-compose"),
        "{:?}",
        rows[0].notes
    );

    // A unit that runs and wraps the container (`docker run` in ExecStart) owns it.
    let mut wrapped = o.clone();
    wrapped.units = vec![unit("ollama.service", "active", Some(50))];
    assert_eq!(run(&[ollama()], &wrapped)[0].state, Some(ServiceState::Up));
}

#[test]
fn a_docker_entry_is_up_through_docker_proxy_and_compose_names_fit() {
    let o = obs(
        vec![
            listener("0.0.0.0", 8529, &[("docker-proxy", 31)]),
            listener("::", 8529, &[("docker-proxy", 32)]),
        ],
        Some(vec![container(
            "txt2kg-arangodb-1",
            "arangodb:3.12",
            "running",
            &[8529],
        )]),
        vec![],
    );
    let rows = run(&[arango()], &o);
    let r = &rows[0];
    assert_eq!(r.state, Some(ServiceState::Up), "{r:#?}");
    assert_eq!(r.owner.container.as_deref(), Some("txt2kg-arangodb-1"));
    assert_eq!(
        r.container.as_ref().map(|c| c.name.as_str()),
        Some("txt2kg-arangodb-1")
    );
    assert_eq!(r.bind.as_deref(), Some("0.0.0.0"));
}

#[test]
fn another_container_on_a_docker_entrys_port_is_a_conflict() {
    let o = obs(
        vec![listener("0.0.0.0", 8529, &[("docker-proxy", 31)])],
        Some(vec![container(
            "jax",
            "nvcr.io/nvidia/jax",
            "running",
            &[8529],
        )]),
        vec![],
    );
    let rows = run(&[arango()], &o);
    assert_eq!(rows[0].state, Some(ServiceState::Conflict));
    let n = notes(&rows[0]);
    assert!(
        n.contains("container jax") && n.contains("expected container arangodb"),
        "{n}"
    );
}

#[test]
fn without_docker_a_proxy_owned_port_is_up_but_unverified() {
    let o = obs(
        vec![listener("0.0.0.0", 8529, &[("docker-proxy", 31)])],
        None,
        vec![],
    );
    let rows = run(&[arango()], &o);
    assert_eq!(rows[0].state, Some(ServiceState::Up));
    assert!(
        notes(&rows[0]).contains("docker could not be asked"),
        "{:?}",
        rows[0].notes
    );
}

#[test]
fn down_rows_say_why_from_the_unit() {
    let cases = [
        (
            UnitStatus {
                result: Some("exit-code".into()),
                n_restarts: Some(5),
                ..unit("ollama.service", "failed", None)
            },
            vec![
                "failed (Result=exit-code, NRestarts=5)",
                "sudo systemctl restart ollama.service",
            ],
        ),
        (
            unit("ollama.service", "active", Some(4)),
            vec!["active but not listening on port 11434 yet"],
        ),
        (
            UnitStatus {
                load_state: "not-found".into(),
                ..unit("ollama.service", "inactive", None)
            },
            vec!["ollama.service is not installed (LoadState=not-found)"],
        ),
        (
            unit("ollama.service", "inactive", None),
            vec!["inactive (dead)", "sudo systemctl start ollama.service"],
        ),
    ];
    for (u, wants) in cases {
        let rows = run(&[ollama()], &obs(vec![], Some(vec![]), vec![u.clone()]));
        let r = &rows[0];
        assert_eq!(r.state, Some(ServiceState::Down));
        assert_eq!(r.bind, None);
        assert_eq!(r.unit.as_ref(), Some(&u));
        assert!(r.is_problem(), "a required service down is a problem");
        for w in wants {
            assert!(notes(r).contains(w), "{w:?} not in {:?}", r.notes);
        }
    }
    let rows = run(&[ollama()], &obs(vec![], Some(vec![]), vec![]));
    assert!(notes(&rows[0]).contains("systemctl could not be asked"));
}

#[test]
fn down_rows_say_why_from_the_container() {
    let exited = container("arangodb", "arangodb:3.12", "exited", &[]);
    let rows = run(
        &[arango()],
        &obs(vec![], Some(vec![exited.clone()]), vec![]),
    );
    let n = notes(&rows[0]);
    assert_eq!(rows[0].state, Some(ServiceState::Down));
    assert!(n.contains("exited: Exited (1) 2 hours ago"), "{n}");
    assert!(n.contains("docker start arangodb"), "{n}");
    assert_eq!(rows[0].container.as_ref(), Some(&exited));

    let rows = run(&[arango()], &obs(vec![], Some(vec![]), vec![]));
    assert!(notes(&rows[0]).contains("no container named arangodb"));
    let rows = run(&[arango()], &obs(vec![], None, vec![]));
    assert!(notes(&rows[0]).contains("docker is not readable"));
    let running = container("arangodb", "arangodb:3.12", "running", &[]);
    let rows = run(&[arango()], &obs(vec![], Some(vec![running]), vec![]));
    assert!(notes(&rows[0]).contains("does it publish the port"));
}

#[test]
fn an_optional_service_down_is_not_a_problem() {
    let sglang = CatalogEntry {
        required: false,
        matches: vec!["sglang".into()],
        ..entry("SGLang", 30000, ServiceKind::Process)
    };
    let rows = run(&[sglang], &obs(vec![], Some(vec![]), vec![]));
    assert_eq!(rows[0].state, Some(ServiceState::Down));
    assert!(!rows[0].required && !rows[0].is_problem());
    assert!(notes(&rows[0]).contains("nothing listens on port 30000"));
}

#[test]
fn a_second_instance_of_a_family_is_a_duplicate() {
    let o = obs(
        vec![
            listener("127.0.0.1", 11434, &[("ollama", 100)]),
            listener("0.0.0.0", 11435, &[("ollama", 200)]),
            listener("0.0.0.0", 8530, &[("docker-proxy", 300)]),
            listener("0.0.0.0", 8529, &[("docker-proxy", 301)]),
        ],
        Some(vec![
            container("arangodb", "arangodb:3.12", "running", &[8529]),
            container("txt2kg-db-1", "arangodb:3.11", "running", &[8530]),
        ]),
        vec![unit("ollama.service", "active", Some(100))],
    );
    let rows = run(&[ollama(), arango()], &o);
    assert_eq!(rows.len(), 4, "{rows:#?}");
    let dup = row(&rows, "port:11435");
    assert_eq!(dup.state, Some(ServiceState::Duplicate));
    assert_eq!(dup.name, "Ollama");
    assert!(!dup.expected);
    assert!(dup.is_problem());
    let n = notes(dup);
    assert!(
        n.contains("a second Ollama") && n.contains("ollama (pid 200)"),
        "{n}"
    );
    let dup = row(&rows, "port:8530");
    assert_eq!(dup.state, Some(ServiceState::Duplicate));
    assert_eq!(dup.name, "ArangoDB");
    assert_eq!(dup.kind, ServiceKind::Docker);
    assert_eq!(dup.owner.container.as_deref(), Some("txt2kg-db-1"));
    assert!(notes(dup).contains("docker stop txt2kg-db-1"));
}

#[test]
fn any_port_takes_whichever_port_of_the_set_listens() {
    let o = obs(
        vec![
            listener("127.0.0.1", 20242, &[("cloudflared", 40)]),
            listener("127.0.0.1", 20243, &[("cloudflared", 41)]),
            listener("127.0.0.1", 20241, &[("grafana", 42)]),
        ],
        Some(vec![]),
        vec![unit("cloudflared.service", "active", Some(40))],
    );
    let rows = run(&[cloudflared()], &o);
    let r = row(&rows, "svc:cloudflared");
    assert_eq!(r.state, Some(ServiceState::Up));
    assert_eq!(r.port, Some(20242));
    assert!(
        !rows.iter().any(|r| r.id == "port:20243"),
        "a second tunnel inside the set is neither a duplicate nor unexpected: {rows:#?}"
    );
    let other = row(&rows, "port:20241");
    assert_eq!(other.state, Some(ServiceState::Unexpected));
    assert_eq!(other.name, "grafana");

    let rows = run(&[cloudflared()], &obs(vec![], Some(vec![]), vec![]));
    assert_eq!(rows[0].state, Some(ServiceState::Down));
    assert_eq!(rows[0].port, Some(20241));
    assert!(notes(&rows[0]).contains("any of ports 20241-20245"));
}

#[test]
fn a_container_publishing_a_port_another_process_holds_is_a_conflict() {
    let o = obs(
        vec![listener("0.0.0.0", 9999, &[("nginx", 77)])],
        Some(vec![container("web", "nginx:latest", "running", &[9999])]),
        vec![],
    );
    let rows = run(&[], &o);
    let r = row(&rows, "port:9999");
    assert_eq!(r.state, Some(ServiceState::Conflict));
    assert_eq!(r.owner.container, None, "the container does not hold it");
    let n = notes(r);
    assert!(
        n.contains("container web publishes port 9999, but nginx (pid 77) holds it"),
        "{n}"
    );

    // The same on a catalogued port.
    let o = obs(
        vec![listener("0.0.0.0", 8529, &[("arangod", 77)])],
        Some(vec![container("arangodb", "arangodb", "running", &[8529])]),
        vec![],
    );
    let rows = run(&[arango()], &o);
    assert_eq!(rows[0].state, Some(ServiceState::Conflict));
    assert!(notes(&rows[0]).contains("container arangodb publishes port 8529"));
}

#[test]
fn unexpected_listeners_are_named_filtered_and_sorted_after_the_catalogue() {
    let o = obs(
        vec![
            listener("0.0.0.0", 5432, &[("postgres", 5)]),
            listener("0.0.0.0", 22, &[("sshd", 1)]),
            listener("127.0.0.1", 4000, &[]),
            listener("0.0.0.0", 9000, &[("docker-proxy", 6)]),
            listener("127.0.0.1", 11434, &[("ollama", 100)]),
        ],
        Some(vec![container(
            "whisper",
            "onerahmet/openai-whisper-asr-webservice",
            "running",
            &[9000],
        )]),
        vec![unit("ollama.service", "active", Some(100))],
    );
    let rows = run(&[ollama()], &o);
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["svc:Ollama", "port:4000", "port:5432", "port:9000"],
        "ssh is ignored"
    );
    assert_eq!(row(&rows, "port:4000").name, "port 4000");
    assert!(notes(row(&rows, "port:4000")).contains("owner not visible"));
    assert_eq!(row(&rows, "port:5432").name, "postgres");
    let w = row(&rows, "port:9000");
    assert_eq!(w.name, "whisper");
    assert_eq!(w.kind, ServiceKind::Docker);
    assert!(
        rows[1..]
            .iter()
            .all(|r| r.state == Some(ServiceState::Unexpected) && !r.expected)
    );
    assert!(rows.iter().all(|r| !r.is_problem()));

    let quiet = ServicesSettings {
        show_unexpected: false,
        ..ServicesSettings::default()
    };
    let rows = merge(&[ollama()], &o, &quiet);
    assert_eq!(rows.len(), 1);
}

#[test]
fn a_host_network_container_owns_the_sockets_of_its_processes() {
    let mut trt = container("trtllm", "nvcr.io/nvidia/tensorrt-llm", "running", &[]);
    trt.id = "4f7b4c5e3a0d9d7e6b1a2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef".into();
    let mut webui = container(
        "open-webui",
        "ghcr.io/open-webui/open-webui",
        "running",
        &[],
    );
    webui.id = "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000".into();
    let mut o = obs(
        vec![
            listener("0.0.0.0", 8355, &[("trtllm-serve", 5)]),
            listener("0.0.0.0", 8080, &[("python3", 6)]),
        ],
        Some(vec![trt, webui]),
        vec![],
    );
    o.pid_containers = vec![(5, "4f7b4c5e3a0d".into()), (6, "aaaaaaaaaaaa".into())];
    let webui_entry = CatalogEntry {
        container: "open-webui".into(),
        ..entry("Open WebUI", 8080, ServiceKind::Docker)
    };
    let rows = run(&[webui_entry], &o);
    let r = row(&rows, "svc:Open WebUI");
    assert_eq!(r.state, Some(ServiceState::Up), "{r:#?}");
    assert_eq!(r.owner.container.as_deref(), Some("open-webui"));
    assert_eq!(r.owner.process.as_deref(), Some("python3"));
    let other = row(&rows, "port:8355");
    assert_eq!(other.name, "trtllm");
    assert_eq!(other.kind, ServiceKind::Docker);
    assert_eq!(other.owner.container.as_deref(), Some("trtllm"));

    // The same process outside any container is not the catalogued container.
    o.pid_containers.clear();
    let webui_entry = CatalogEntry {
        container: "open-webui".into(),
        ..entry("Open WebUI", 8080, ServiceKind::Docker)
    };
    let rows = run(&[webui_entry], &o);
    assert_eq!(rows[0].state, Some(ServiceState::Conflict));
    assert!(notes(&rows[0]).contains("held by python3 (pid 6)"));
}

#[test]
fn an_entry_without_identity_accepts_any_owner() {
    let dash = entry("DGX Dashboard", 11000, ServiceKind::Process);
    let o = obs(
        vec![listener("0.0.0.0", 11000, &[("python3", 9)])],
        None,
        vec![],
    );
    let rows = run(&[dash], &o);
    assert_eq!(rows[0].state, Some(ServiceState::Up));
    assert!(rows[0].notes.is_empty());
}

#[test]
fn the_order_is_the_catalogues() {
    let o = obs(vec![], Some(vec![]), vec![]);
    let rows = run(&[arango(), ollama(), cloudflared()], &o);
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["svc:ArangoDB", "svc:Ollama", "svc:cloudflared"]);
}

#[test]
fn garbage_observations_never_panic() {
    let weird = CatalogEntry {
        ports: vec![],
        ..entry("", 0, ServiceKind::Docker)
    };
    let o = obs(
        vec![listener("", 0, &[("", 0)]), listener("::", 0, &[])],
        Some(vec![Container::default()]),
        vec![UnitStatus::default()],
    );
    let rows = run(&[weird, cloudflared()], &o);
    assert!(!rows.is_empty());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const PORTS: [u16; 6] = [22, 8529, 11434, 11435, 20241, 20242];
    const NAMES: [&str; 5] = [
        "ollama",
        "docker-proxy",
        "arangod",
        "python3",
        "cloudflared",
    ];

    fn a_listener() -> impl Strategy<Value = Listener> {
        (
            0..PORTS.len(),
            any::<bool>(),
            proptest::collection::vec((0..NAMES.len(), 1u32..6), 0..3),
        )
            .prop_map(|(p, v6, owners)| {
                let owners: Vec<(&str, u32)> =
                    owners.into_iter().map(|(n, pid)| (NAMES[n], pid)).collect();
                listener(if v6 { "::" } else { "0.0.0.0" }, PORTS[p], &owners)
            })
    }

    fn a_container() -> impl Strategy<Value = Container> {
        (
            prop_oneof![
                Just("arangodb"),
                Just("ollama-compose"),
                Just("txt2kg-arangodb-1")
            ],
            any::<bool>(),
            proptest::collection::vec(0..PORTS.len(), 0..3),
        )
            .prop_map(|(name, running, ports)| {
                let ports: Vec<u16> = ports.into_iter().map(|p| PORTS[p]).collect();
                container(
                    name,
                    "arangodb:3.12",
                    if running { "running" } else { "exited" },
                    &ports,
                )
            })
    }

    fn a_unit() -> impl Strategy<Value = UnitStatus> {
        (
            prop_oneof![Just("ollama.service"), Just("cloudflared.service")],
            prop_oneof![Just("active"), Just("failed"), Just("inactive"), Just("")],
            proptest::option::of(1u32..6),
        )
            .prop_map(|(id, state, pid)| unit(id, state, pid))
    }

    proptest! {
        #[test]
        fn every_entry_gets_one_row_in_order_and_listening_rows_are_consistent(
            listeners in proptest::collection::vec(a_listener(), 0..8),
            containers in proptest::option::of(proptest::collection::vec(a_container(), 0..4)),
            units in proptest::collection::vec(a_unit(), 0..3),
            show in any::<bool>(),
        ) {
            let catalog = [ollama(), arango(), cloudflared()];
            let o = obs(listeners, containers, units);
            let settings = ServicesSettings { show_unexpected: show, ..ServicesSettings::default() };
            let rows = merge(&catalog, &o, &settings);
            let ids: Vec<&str> = rows.iter().take(3).map(|r| r.id.as_str()).collect();
            prop_assert_eq!(ids, vec!["svc:Ollama", "svc:ArangoDB", "svc:cloudflared"]);
            let mut seen = BTreeSet::new();
            for r in &rows {
                prop_assert!(seen.insert(r.id.clone()), "duplicate id {}", r.id);
                prop_assert!(r.state.is_some());
                let listens = r.state != Some(ServiceState::Down);
                prop_assert_eq!(r.bind.is_some(), listens, "{:?}", r);
                if listens {
                    let port = r.port.unwrap();
                    prop_assert!(o.listeners.iter().any(|l| l.port == port));
                }
                if !r.expected {
                    prop_assert!(r.id.starts_with("port:"));
                    prop_assert!(r.state != Some(ServiceState::Up));
                }
                prop_assert!(r.state == Some(ServiceState::Up) || !r.notes.is_empty() || r.state == Some(ServiceState::Unexpected));
            }
            // Rows after the catalogue are sorted by port.
            let rest: Vec<u16> = rows[3..].iter().filter_map(|r| r.port).collect();
            let mut sorted = rest.clone();
            sorted.sort_unstable();
            prop_assert_eq!(rest, sorted);
        }
    }
}
