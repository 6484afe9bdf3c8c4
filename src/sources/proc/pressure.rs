//! `/proc/pressure/memory` (PSI, Linux ≥ 4.20):
//!
//! ```text
//! some avg10=0.00 avg60=0.00 avg300=0.00 total=0
//! full avg10=0.00 avg60=0.00 avg300=0.00 total=0
//! ```

/// `(some avg10, full avg10)` in percent; a line that is missing or unreadable gives `None`
/// (kernels before 5.13 print no `full` line for the CPU file; memory always has both).
pub fn parse_pressure(text: &str) -> (Option<f64>, Option<f64>) {
    let mut some = None;
    let mut full = None;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let slot = match words.next() {
            Some("some") => &mut some,
            Some("full") => &mut full,
            _ => continue,
        };
        *slot = words
            .find_map(|w| w.strip_prefix("avg10="))
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0);
    }
    (some, full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_lines() {
        let t = "some avg10=1.25 avg60=0.50 avg300=0.10 total=123\nfull avg10=0.75 avg60=0.00 avg300=0.00 total=45\n";
        assert_eq!(parse_pressure(t), (Some(1.25), Some(0.75)));
    }

    #[test]
    fn garbage_is_unknown() {
        assert_eq!(parse_pressure("some avg10=NaN\nfull avg10=x"), (None, None));
        assert_eq!(parse_pressure(""), (None, None));
    }
}
