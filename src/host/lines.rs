//! Splits a byte stream into lines when chunks do not end at line boundaries.

/// Buffers partial lines between chunks.
#[derive(Debug, Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
}

impl LineSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a chunk and returns the lines it completed, without `\n` (and without a `\r`
    /// before it, so CRLF output reads the same). Invalid UTF-8 is replaced, never fatal.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, b) in chunk.iter().enumerate() {
            if *b == b'\n' {
                self.pending.extend_from_slice(&chunk[start..i]);
                lines.push(take_line(&mut self.pending));
                start = i + 1;
            }
        }
        self.pending.extend_from_slice(&chunk[start..]);
        lines
    }

    /// The last line when the output did not end with `\n`.
    pub fn finish(&mut self) -> Option<String> {
        if self.pending.is_empty() {
            None
        } else {
            Some(take_line(&mut self.pending))
        }
    }
}

fn take_line(buf: &mut Vec<u8>) -> String {
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    let line = String::from_utf8_lossy(buf).into_owned();
    buf.clear();
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_lines_split_across_chunks() {
        let mut s = LineSplitter::new();
        assert!(s.push(b"GPU 0: 4").is_empty());
        assert_eq!(s.push(b"5%\nGPU 1"), vec!["GPU 0: 45%"]);
        assert_eq!(s.push(b": 3%\n\nx\r\n"), vec!["GPU 1: 3%", "", "x"]);
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn keeps_unterminated_tail_and_survives_bad_utf8() {
        let mut s = LineSplitter::new();
        assert_eq!(s.push(b"\xff\xfeok\ntail"), vec!["\u{fffd}\u{fffd}ok"]);
        assert_eq!(s.finish().as_deref(), Some("tail"));
        assert_eq!(s.finish(), None);
    }
}
