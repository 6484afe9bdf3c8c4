//! Parsers for the Models tab: the file walk of a store, `df`, and the layouts of
//! Hugging Face caches, Ollama stores and plain model folders. Pure; never panic.

pub mod df;
pub mod folder;
pub mod hf;
pub mod listing;
pub mod ollama;
