//! Parsers for the Services tab (DESIGN §5): listening sockets, containers, units, the
//! journal, and the HTTP answers of Ollama, OpenAI-compatible servers and cloudflared.
//! Pure text → model; they never panic on odd input.

pub mod cloudflared;
pub mod docker;
pub mod journal;
pub mod metrics;
pub mod ollama;
pub mod openai;
pub mod proc_net;
pub mod ss;
pub mod systemd;
