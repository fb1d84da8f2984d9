//! `--namespace` / `--exclude` globs, matched against a namespace's whole ID and its name part.

use crate::error::{Error, Result};

pub struct Filter {
    include: Vec<glob::Pattern>,
    exclude: Vec<glob::Pattern>,
}

impl Filter {
    /// No `--namespace` selects every namespace.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter> {
        let compile = |flag: &str, globs: &[String]| -> Result<Vec<glob::Pattern>> {
            globs
                .iter()
                .map(|g| {
                    glob::Pattern::new(g)
                        .map_err(|e| Error::Usage(format!("{flag} '{g}' is not a valid glob: {e}")))
                })
                .collect()
        };
        Ok(Filter {
            include: compile("--namespace", include)?,
            exclude: compile("--exclude", exclude)?,
        })
    }

    pub fn matches(&self, namespace: &str) -> bool {
        let name = name_part(namespace);
        let hit = |p: &glob::Pattern| p.matches(namespace) || p.matches(name);
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }
}

/// "payments-prod" of "payments-prod.a1b2c".
pub fn name_part(id: &str) -> &str {
    id.rsplit_once('.').map_or(id, |(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_the_id_or_the_name_part() {
        let f = Filter::new(&["payments-*".into()], &[]).unwrap();
        assert!(f.matches("payments-prod.a1b2c"));
        assert!(!f.matches("orders-prod.a1b2c"));
        let f = Filter::new(&["*.a1b2c".into()], &["*-staging".into()]).unwrap();
        assert!(f.matches("orders-prod.a1b2c"));
        assert!(!f.matches("orders-staging.a1b2c"));
        assert!(!f.matches("orders-prod.zzzzz"));
        let f = Filter::new(&[], &[]).unwrap();
        assert!(f.matches("anything.at-all"));
        let err = Filter::new(&["[".into()], &[]).err().unwrap();
        assert!(err.to_string().contains("--namespace '['"), "{err}");
    }
}
