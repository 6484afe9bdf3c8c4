//! A small PostgREST stand-in: an HTTP/1.1 responder over tokio that answers from a handler
//! and records every request, so tests can assert what the client sent.
//!
//! It runs on its own thread and runtime, so it serves both async tests and runs of the real
//! binary. One request per connection (`Connection: close`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Raw query string, as sent.
    pub query: String,
    /// Lower-cased names.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Request {
    /// Decoded query parameters in order (`+` is not a space here: PostgREST reads `%20`).
    pub fn params(&self) -> Vec<(String, String)> {
        self.query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect()
    }
    pub fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug, Clone)]
pub enum Reply {
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Read the request, then never answer.
    Hang,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Http {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Http {
                    status,
                    headers,
                    body,
                }
            }
            Reply::Hang => Reply::Hang,
        }
    }
    /// A recorded `.http` fixture: status line, headers, blank line, body.
    pub fn from_http_fixture(text: &str) -> Reply {
        let text = text.replace("\r\n", "\n");
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Reply::Http {
            status,
            headers,
            body: body.to_string(),
        }
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

pub struct PostgrestServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl PostgrestServer {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> PostgrestServer {
        let handler: Handler = Arc::new(handler);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let recorded = requests.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let serve = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let handler = handler.clone();
                        let recorded = recorded.clone();
                        tokio::spawn(serve_one(stream, handler, recorded));
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    _ = stop_rx => {}
                }
            });
        });
        let addr = addr_rx.recv().expect("test server address");
        PostgrestServer {
            url: format!("http://{addr}"),
            requests,
            stop: Some(stop_tx),
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Every PATCH must carry an `id=eq.` filter; panics naming the one that does not.
    pub fn assert_every_patch_has_id_filter(&self, id_column: &str) {
        for r in self.requests().iter().filter(|r| r.method == "PATCH") {
            let ok = r
                .param(id_column)
                .is_some_and(|v| v.strip_prefix("eq.").is_some_and(|id| !id.is_empty()));
            assert!(ok, "PATCH without {id_column}=eq.: {r:?}");
        }
    }
}

impl Drop for PostgrestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn serve_one(mut stream: TcpStream, handler: Handler, recorded: Arc<Mutex<Vec<Request>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split_whitespace();
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let request = Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    recorded.lock().unwrap().push(request.clone());
    match handler(&request) {
        Reply::Hang => {
            // Hold the connection open until the client gives up.
            let _ = stream.read(&mut chunk).await;
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
        Reply::Http {
            status,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {status} X\r\n");
            for (k, v) in &headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ));
            let _ = stream.write_all(out.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    }
}

/// A row of the default `hd_ingestion_jobs` layout.
pub fn row(id: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "account_id": "acct-1",
        "job_type": "ingest_document",
        "status": status,
        "attempts": 2,
        "error": if status == "failed" { serde_json::Value::from("ValueError: Circular reference detected\n  at line 3") } else { serde_json::Value::Null },
        "debug": {"stage": "embed", "chunks": 12},
        "created_at": "2026-11-22T09:00:00+00:00",
        "started_at": "2026-11-22T09:00:05+00:00",
        "finished_at": null
    })
}

/// RFC 3339 for `m` minutes before now.
pub fn minutes_ago(m: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    (time::OffsetDateTime::now_utc() - time::Duration::minutes(m))
        .format(&Rfc3339)
        .unwrap()
}

/// A two-job queue for the stuck rule: the oldest queued job waited `queued_min` minutes and
/// the last start was `started_min` ago (30 / 40 is stuck by the default 10 / 15 minutes;
/// 1 / 1 moves). Answers the reads `sparkdeck` makes for the `jobs` section: the counts per
/// status, the two edges and the newest page.
pub fn queue_with_edges(queued_min: i64, started_min: i64) -> PostgrestServer {
    PostgrestServer::start(
        move |r| match r.param("select").unwrap_or_default().as_str() {
            "status" => Reply::json(200, r#"[{"status":"queued"},{"status":"done"}]"#),
            "created_at" => Reply::json(
                200,
                &serde_json::json!([{"created_at": minutes_ago(queued_min)}]).to_string(),
            ),
            "started_at" => Reply::json(
                200,
                &serde_json::json!([{"started_at": minutes_ago(started_min)}]).to_string(),
            ),
            _ => Reply::json(
                200,
                &serde_json::json!([row("q1", "queued"), row("d1", "done")]).to_string(),
            )
            .with_header("Content-Range", "0-1/2"),
        },
    )
}
