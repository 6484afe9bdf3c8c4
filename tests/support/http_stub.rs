//! Tiny loopback HTTP servers for the Services tests: each answers fixed responses per
//! path (recorded captures), or accepts and never answers, and logs the paths asked for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub struct Stub {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Stub {
    /// Serves `routes` (path → status, body) on 127.0.0.1:<ephemeral>; other paths 404.
    pub async fn start(routes: &[(&str, u16, &str)]) -> Stub {
        Self::start_at("127.0.0.1:0", routes).await
    }

    /// As `start`, on another address (`[::]:0` for a dual-stack wildcard).
    pub async fn start_at(bind: &str, routes: &[(&str, u16, &str)]) -> Stub {
        Self::spawn(
            bind,
            routes
                .iter()
                .map(|(p, s, b)| (p.to_string(), (*s, b.to_string())))
                .collect(),
            false,
        )
        .await
    }

    /// Accepts connections and never answers.
    pub async fn silent() -> Stub {
        Self::spawn("127.0.0.1:0", HashMap::new(), true).await
    }

    async fn spawn(bind: &str, routes: HashMap<String, (u16, String)>, silent: bool) -> Stub {
        let listener = TcpListener::bind(bind).await.expect("bind a stub");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let routes = Arc::new(routes);
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let routes = routes.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    if silent {
                        let mut buf = [0u8; 1024];
                        while sock.read(&mut buf).await.is_ok_and(|n| n > 0) {}
                        return;
                    }
                    let mut req = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => req.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&req);
                    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                    log.lock().unwrap().push(path.clone());
                    let (status, body) = routes
                        .get(&path)
                        .cloned()
                        .unwrap_or((404, "404 page not found".into()));
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(body.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Stub { port, seen, task }
    }

    pub fn paths(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// Stops listening (the port closes).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A port nothing listens on (bound and released at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}
