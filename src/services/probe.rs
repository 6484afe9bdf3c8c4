//! Health probes and service detail over HTTP/TCP, locally or through the SSH session
//! (a cached local forward per remote port, then reqwest).

use crate::host::{Forward, Host, HostKind};
use crate::model::{
    CatalogEntry, DetailKind, Health, ProbeKind, ServiceDetail, ServiceRow, ServiceState,
};
use crate::sources::services::{cloudflared, metrics, ollama, openai};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// How long a TCP probe through a forward waits for sshd to drop it: the local end always
/// accepts, and a refused remote connect shows up as an immediate close.
const FORWARD_SETTLE: Duration = Duration::from_millis(300);

pub struct Prober {
    pub timeout_ms: u64,
    client: Result<reqwest::Client, String>,
    /// Local forwards to (remote address, port), kept across refreshes so a probe does not
    /// open a listener each time.
    forwards: HashMap<(String, u16), Forward>,
    opened: usize,
}

/// Where one row is probed and with what.
struct Target {
    row: usize,
    entry: CatalogEntry,
    /// `host:port` to connect to (a forward's local end over SSH).
    addr: String,
    via_forward: bool,
    detail: bool,
}

/// The address to reach a listener at: wildcards become loopback. `::` becomes `::1`, which
/// reaches a dual-stack socket and a v6-only one alike.
pub fn probe_host(bind: &str) -> &str {
    match bind {
        "" | "0.0.0.0" | "*" => "127.0.0.1",
        "::" => "::1",
        other => other,
    }
}

fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The innermost cause, which names what really happened (`Connection refused`).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

impl Prober {
    pub fn new(timeout_ms: u64) -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            // Idle pooled connections through a forward would each hold an SSH channel.
            .pool_max_idle_per_host(0)
            // A redirect answers the probe; following it could leave the forward.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_millis(timeout_ms))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"));
        Self {
            timeout_ms,
            client,
            forwards: HashMap::new(),
            opened: 0,
        }
    }

    /// Forwards opened so far (over SSH); cached ones are not counted again.
    pub fn forwards_opened(&self) -> usize {
        self.opened
    }

    /// Forwards held now.
    pub fn forwards_held(&self) -> usize {
        self.forwards.len()
    }

    /// Fills `health` and `detail` of the rows that listen.
    pub async fn probe_rows(
        &mut self,
        host: &dyn Host,
        catalog: &[CatalogEntry],
        rows: &mut [ServiceRow],
    ) {
        let ssh = host.kind() == HostKind::Ssh;
        let mut targets = Vec::new();
        let mut wanted: Vec<(String, u16)> = Vec::new();
        for (i, row) in rows.iter_mut().enumerate() {
            row.health = None;
            row.detail = ServiceDetail::None;
            let state = row.state();
            let (Some(port), Some(bind)) = (row.port, row.bind.as_deref()) else {
                continue;
            };
            if !matches!(
                state,
                ServiceState::Up | ServiceState::Conflict | ServiceState::Duplicate
            ) {
                continue;
            }
            // A duplicate carries its family's catalogue name (see merge).
            let name = row.id.strip_prefix("svc:").unwrap_or(&row.name);
            let Some(entry) = catalog.iter().find(|e| e.name == name) else {
                continue;
            };
            if entry.probe == ProbeKind::None {
                continue;
            }
            let remote = probe_host(bind).to_string();
            let addr = if ssh {
                let key = (remote.clone(), port);
                wanted.push(key.clone());
                match self.forward(host, &key).await {
                    Ok(local) => local.to_string(),
                    Err(detail) => {
                        row.health = Some(Health {
                            ok: false,
                            latency_ms: None,
                            detail,
                        });
                        continue;
                    }
                }
            } else {
                host_port(&remote, port)
            };
            targets.push(Target {
                row: i,
                entry: entry.clone(),
                addr,
                via_forward: ssh,
                // The expected owner answered; detail from another program would mislead.
                detail: state != ServiceState::Conflict,
            });
        }
        // A port that stopped listening must not keep its listener on this side.
        self.forwards
            .retain(|k, f| wanted.contains(k) && !f.is_closed());

        let timeout = Duration::from_millis(self.timeout_ms);
        let client = self.client.as_ref();
        let results = futures::future::join_all(
            targets
                .iter()
                .map(|t| async move { (t.row, probe_one(client, t, timeout).await) }),
        )
        .await;
        for (i, (health, detail)) in results {
            rows[i].health = Some(health);
            rows[i].detail = detail;
        }
    }

    async fn forward(
        &mut self,
        host: &dyn Host,
        key: &(String, u16),
    ) -> Result<SocketAddr, String> {
        if let Some(f) = self.forwards.get(key).filter(|f| !f.is_closed()) {
            return Ok(f.local_addr);
        }
        let local = SocketAddr::from(([127, 0, 0, 1], 0));
        let f = host.forward_port(local, &key.0, key.1).await.map_err(|e| {
            format!(
                "cannot forward to {} on {}: {e}",
                host_port(&key.0, key.1),
                host.name()
            )
        })?;
        let addr = f.local_addr;
        self.opened += 1;
        self.forwards.insert(key.clone(), f);
        Ok(addr)
    }
}

async fn probe_one(
    client: Result<&reqwest::Client, &String>,
    t: &Target,
    timeout: Duration,
) -> (Health, ServiceDetail) {
    let health = match t.entry.probe {
        ProbeKind::Http => match client {
            Ok(c) => http_probe(c, t, timeout).await,
            Err(e) => Health {
                ok: false,
                latency_ms: None,
                detail: e.clone(),
            },
        },
        _ => tcp_probe(t, timeout).await,
    };
    // cloudflared answers /ready with 503 and a count when no edge connection is up.
    let answered =
        health.ok || (health.latency_ms.is_some() && t.entry.detail == DetailKind::Cloudflared);
    let detail = match client {
        Ok(c) if t.detail && answered => fetch_detail(c, &t.addr, t.entry.detail).await,
        _ => ServiceDetail::None,
    };
    (health, detail)
}

fn failure(e: &reqwest::Error, timeout: Duration, via_forward: bool) -> String {
    if e.is_timeout() {
        return format!("timed out after {} ms", timeout.as_millis());
    }
    let cause = root_cause(e);
    if cause.to_lowercase().contains("refused") {
        return "connection refused".to_string();
    }
    if via_forward && !e.is_connect() {
        // sshd could not connect on the host and closed the channel.
        return format!("no answer through the SSH forward (connection closed: {cause})");
    }
    format!("cannot connect: {cause}")
}

async fn http_probe(client: &reqwest::Client, t: &Target, timeout: Duration) -> Health {
    let path = if t.entry.probe_path.is_empty() {
        "/"
    } else {
        &t.entry.probe_path
    };
    let url = format!("http://{}{path}", t.addr);
    let start = Instant::now();
    let answer = async {
        let resp = client.get(&url).send().await?;
        let status = resp.status().as_u16();
        let body = resp.text().await?;
        Ok::<_, reqwest::Error>((status, body))
    }
    .await;
    let latency = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (status, body) = match answer {
        Ok(a) => a,
        Err(e) => {
            return Health {
                ok: false,
                latency_ms: None,
                detail: failure(&e, timeout, t.via_forward),
            };
        }
    };
    let status_ok = match t.entry.expect_status {
        Some(want) => status == want,
        None => (200..400).contains(&status),
    };
    let body_ok = t.entry.expect_body.is_empty() || body.contains(&t.entry.expect_body);
    let detail = if !status_ok {
        let first = body.lines().map(str::trim).find(|l| !l.is_empty());
        match first {
            Some(l) => format!("HTTP {status}: {}", l.chars().take(80).collect::<String>()),
            None => format!("HTTP {status}"),
        }
    } else if !body_ok {
        format!("HTTP {status}, body lacks \"{}\"", t.entry.expect_body)
    } else {
        format!("HTTP {status}")
    };
    Health {
        ok: status_ok && body_ok,
        latency_ms: Some(latency),
        detail,
    }
}

async fn tcp_probe(t: &Target, timeout: Duration) -> Health {
    let start = Instant::now();
    let connected = tokio::time::timeout(timeout, TcpStream::connect(&t.addr)).await;
    let mut stream = match connected {
        Ok(Ok(s)) => s,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return Health {
                ok: false,
                latency_ms: None,
                detail: "connection refused".to_string(),
            };
        }
        Ok(Err(e)) => {
            return Health {
                ok: false,
                latency_ms: None,
                detail: format!("cannot connect: {e}"),
            };
        }
        Err(_) => {
            return Health {
                ok: false,
                latency_ms: None,
                detail: format!("timed out after {} ms", timeout.as_millis()),
            };
        }
    };
    let latency = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    if t.via_forward {
        let mut byte = [0u8; 1];
        let wait = FORWARD_SETTLE.min(timeout);
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(wait, stream.read(&mut byte)).await {
            return Health {
                ok: false,
                latency_ms: None,
                detail: "connection refused on the host (the SSH forward was closed)".to_string(),
            };
        }
    }
    Health {
        ok: true,
        latency_ms: Some(latency),
        detail: "TCP connect ok".to_string(),
    }
}

/// GET → body of a 2xx answer; anything else is None (the detail is best effort).
async fn body(client: &reqwest::Client, addr: &str, path: &str) -> Option<String> {
    any_body(client, addr, path, false).await
}

/// GET → body, of error answers too when `errors` (cloudflared's 503 still counts).
async fn any_body(
    client: &reqwest::Client,
    addr: &str,
    path: &str,
    errors: bool,
) -> Option<String> {
    let resp = client
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .ok()?;
    if !errors && !resp.status().is_success() {
        return None;
    }
    resp.text().await.ok()
}

async fn fetch_detail(client: &reqwest::Client, addr: &str, kind: DetailKind) -> ServiceDetail {
    match kind {
        DetailKind::None => ServiceDetail::None,
        DetailKind::Ollama => {
            let (v, ps, tags) = tokio::join!(
                body(client, addr, "/api/version"),
                body(client, addr, "/api/ps"),
                body(client, addr, "/api/tags")
            );
            if v.is_none() && ps.is_none() && tags.is_none() {
                return ServiceDetail::None;
            }
            ServiceDetail::Ollama {
                version: v.as_deref().and_then(ollama::parse_version),
                loaded: ps
                    .as_deref()
                    .and_then(|b| ollama::parse_ps(b).ok())
                    .unwrap_or_default(),
                installed: tags
                    .as_deref()
                    .and_then(|b| ollama::parse_tags(b).ok())
                    .unwrap_or_default(),
            }
        }
        DetailKind::Openai => {
            // SGLang without --enable-metrics 404s on /metrics: the load is then unknown.
            let (models, prom) = tokio::join!(
                body(client, addr, "/v1/models"),
                body(client, addr, "/metrics")
            );
            if models.is_none() && prom.is_none() {
                return ServiceDetail::None;
            }
            ServiceDetail::Openai {
                models: models
                    .as_deref()
                    .and_then(|b| openai::parse_models(b).ok())
                    .unwrap_or_default(),
                load: prom.as_deref().and_then(metrics::parse_engine_load),
            }
        }
        DetailKind::Cloudflared => match any_body(client, addr, "/ready", true).await {
            Some(b) => ServiceDetail::Cloudflared {
                ready_connections: cloudflared::parse_ready(&b),
            },
            None => ServiceDetail::None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_probed_on_loopback() {
        assert_eq!(probe_host("0.0.0.0"), "127.0.0.1");
        assert_eq!(probe_host("::"), "::1");
        assert_eq!(probe_host("127.0.0.1"), "127.0.0.1");
        assert_eq!(probe_host("192.168.1.5"), "192.168.1.5");
        assert_eq!(host_port("::1", 80), "[::1]:80");
        assert_eq!(host_port("127.0.0.1", 80), "127.0.0.1:80");
    }
}
