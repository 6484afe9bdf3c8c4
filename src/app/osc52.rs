//! OSC 52 ("set clipboard") escape sequences: the terminal the user sits at puts the text
//! on its clipboard, which also works over SSH where no local clipboard API could.

/// The sequence that asks the terminal to put `text` on the clipboard (`c`).
pub fn sequence(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 with padding (RFC 4648 §4), which OSC 52 requires.
fn base64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc, "{plain:?}");
        }
    }

    #[test]
    fn sequence_wraps_the_id() {
        assert_eq!(sequence("foo"), "\x1b]52;c;Zm9v\x07");
    }
}
