//! Known error patterns of the worker and what to do about them (configurable regex → hint).

use crate::model::Job;
use regex::Regex;

/// Shipped rules, from the operators' notes (seed 003, case B).
pub const DEFAULT_RULES: &[(&str, &str)] = &[(
    r"Circular reference detected",
    "the worker writes a too-large or self-referencing structure to metadata (e.g. the whole \
     object as source_line); store only a small flat subset",
)];

/// Rules in order; the first whose pattern matches an error gives its hint.
#[derive(Debug, Clone)]
pub struct HintRules {
    rules: Vec<(Regex, String)>,
}

impl HintRules {
    /// Compiles `(pattern, hint)` pairs. An invalid pattern is an error naming the pattern and
    /// the regex error, so a config file points at the line to fix.
    pub fn new<P: AsRef<str>, H: AsRef<str>>(rules: &[(P, H)]) -> Result<Self, String> {
        let rules = rules
            .iter()
            .map(|(p, h)| {
                let p = p.as_ref();
                Regex::new(p)
                    .map(|re| (re, h.as_ref().to_string()))
                    .map_err(|e| format!("error hint pattern {p:?} is not a valid regex: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { rules })
    }

    /// The hint of the first rule matching `error`.
    pub fn match_error(&self, error: &str) -> Option<&str> {
        self.rules
            .iter()
            .find(|(re, _)| re.is_match(error))
            .map(|(_, h)| h.as_str())
    }

    /// The hint for a job's error, if it has one and a rule knows it.
    pub fn for_job(&self, job: &Job) -> Option<&str> {
        self.match_error(job.error.as_deref()?)
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl Default for HintRules {
    fn default() -> Self {
        Self::new(DEFAULT_RULES).expect("shipped hint patterns compile")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_the_circular_reference_hint() {
        let r = HintRules::default();
        let err =
            "import_assets_jsonl: TypeError: Circular reference detected at metadata.source_line";
        let hint = r.match_error(err).expect("known pattern");
        assert!(hint.contains("source_line"), "{hint}");
        assert!(hint.contains("small flat subset"), "{hint}");
        assert_eq!(r.match_error("connection reset by peer"), None);
        assert_eq!(r.match_error(""), None);
        let job = Job {
            error: Some("Circular reference detected".into()),
            ..Job::default()
        };
        assert!(r.for_job(&job).is_some());
        assert_eq!(r.for_job(&Job::default()), None);
    }

    #[test]
    fn first_matching_rule_wins_and_custom_rules_work() {
        let r = HintRules::new(&[
            (r"(?i)out of memory|CUDA OOM", "lower the batch size"),
            (r"memory", "generic memory hint"),
        ])
        .unwrap();
        assert_eq!(
            r.match_error("CUDA out of MEMORY"),
            Some("lower the batch size")
        );
        assert_eq!(
            r.match_error("shared memory segment"),
            Some("generic memory hint")
        );
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn invalid_pattern_names_itself() {
        let e = HintRules::new(&[("ok", "a"), ("(unclosed", "b")]).unwrap_err();
        assert!(e.contains("\"(unclosed\""), "{e}");
        assert!(e.contains("not a valid regex"), "{e}");
    }
}
