//! What linting finds in a rule's text alone, against one facts contract, kept with the rule
//! so that a pack reloaded with some files changed does not work it out again.

use super::diagnostic::Diagnostic;
use super::{Pack, Rule, reads, span};
use crate::facts::FactsSchema;
use std::sync::Arc;

/// The diagnostics on what a rule's body reads from the facts, and the parameters it reads
/// (name, line, column). Parsing the body for them is most of a pack's linting; a pack
/// reloaded with some files changed ([`Pack::reload`]) takes them from the earlier pack's rule
/// of the same path and text, under the same contract.
#[derive(Debug)]
pub(crate) struct Analysis {
    /// The contract it was worked out against (`None`: an extension that does not load).
    contract: Option<Arc<FactsSchema>>,
    reads: Vec<Diagnostic>,
    params: Vec<(String, u32, u32)>,
}

impl Analysis {
    /// The analysis of rule `r` under `contract`: `earlier`'s, when it has a rule of the same
    /// path and text analysed under the same contract, else worked out now.
    pub(super) fn of_rule(
        r: &Rule,
        contract: Option<&Arc<FactsSchema>>,
        earlier: Option<&Pack>,
    ) -> Arc<Analysis> {
        let reused = earlier
            .and_then(|p| p.same_rule(&r.path, &r.source))
            .and_then(|e| e.analysis.clone())
            .filter(|a| a.against(contract));
        reused.unwrap_or_else(|| Arc::new(Analysis::of(r, contract)))
    }

    /// Parses the rule's body and works out what it reads.
    fn of(r: &Rule, contract: Option<&Arc<FactsSchema>>) -> Analysis {
        let ast = span::parse(&r.source);
        let mut reads = Vec::new();
        if let (Some(ast), Some(schema)) = (&ast, contract) {
            let contract = reads::Contract::of(schema);
            reads::check(&contract, &r.path, &r.meta.collections(), ast, &mut reads);
        }
        Analysis {
            contract: contract.cloned(),
            reads,
            params: ast.as_ref().map(span::params_read).unwrap_or_default(),
        }
    }

    /// Whether it was worked out against `contract` (the same schema, not an equal one).
    fn against(&self, contract: Option<&Arc<FactsSchema>>) -> bool {
        match (&self.contract, contract) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }

    /// The diagnostics on what the rule reads from the facts.
    pub(super) fn reads(&self) -> &[Diagnostic] {
        &self.reads
    }

    /// The parameters the rule reads, each with its line and column.
    pub(super) fn params(&self) -> &[(String, u32, u32)] {
        &self.params
    }
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test, with its reason.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::PackFile;

    /// A one-control pack of these rules, as `(id, body)`, with a facts extension if given.
    fn files(rules: &[(&str, &str)], extension: Option<&str>) -> Vec<PackFile> {
        let mut files = vec![
            PackFile::new(
                "pack.toml",
                "name = \"t\"\nversion = \"1.0.0\"\nframework = \"f\"\ndescription = \"d\"\n",
            ),
            PackFile::new(
                "controls.toml",
                "[[control]]\nid = \"CC1.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n",
            ),
        ];
        for (id, body) in rules {
            files.push(PackFile::new(
                format!("rules/{}.rhai", id.replace('.', "/")),
                format!(
                    "//! id = \"{id}\"\n//! title = \"t\"\n//! controls = [\"CC1.1\"]\n//! severity = \"low\"\n//! owner = \"HR\"\n//! facts = [\"people\"]\n//! remediation = \"r\"\n{body}\n"
                ),
            ));
        }
        files.extend(extension.map(|e| PackFile::new("facts.schema.json", e)));
        files
    }

    fn analysis_of(pack: &Pack, i: usize) -> &Arc<Analysis> {
        pack.rules[i].analysis.as_ref().unwrap()
    }

    /// The messages of a pack's warnings.
    fn warned(pack: &Pack) -> Vec<&str> {
        pack.warnings().iter().map(|d| d.message.as_str()).collect()
    }

    #[test]
    fn a_reloaded_pack_takes_the_analysis_of_rules_unchanged_under_the_same_contract() {
        let robots = "for p in facts.people.where(\"kind\", \"robot\") { fail(p, \"m\"); }";
        let employees = "for p in facts.people { if p.kind == \"employee\" { fail(p, \"m\"); } }";
        let contractors = employees.replace("employee", "contractor");
        let earlier = Pack::from_files(&files(&[("t.a", robots), ("t.b", employees)], None));
        let earlier = earlier.unwrap();
        let changed = files(&[("t.a", robots), ("t.b", &contractors)], None);
        let fresh = Pack::from_files(&changed).unwrap();
        let reloaded = earlier.reload(&changed, None).unwrap();
        assert_eq!(reloaded.warnings(), fresh.warnings());
        assert_eq!(reloaded.digest(), fresh.digest());
        assert!(warned(&reloaded).iter().any(|m| m.contains("robot")));
        assert!(Arc::ptr_eq(
            analysis_of(&reloaded, 0),
            analysis_of(&earlier, 0)
        ));
        assert!(!Arc::ptr_eq(
            analysis_of(&reloaded, 1),
            analysis_of(&earlier, 1)
        ));
        // A changed rule is checked as a fresh load checks it: the same errors, in the same order.
        let mut broken = changed.clone();
        let untitled = broken[3].text.replace("title = \"t\"", "title = \"\"");
        broken[3].text = untitled.replace("p.kind", "p.knid");
        let fresh = Pack::from_files(&broken).err().unwrap().to_string();
        assert!(fresh.contains("knid"), "{fresh}");
        // The empty title breaks the pack schema, which builds without `jsonschema` leave out.
        #[cfg(feature = "jsonschema")]
        assert!(fresh.contains("title"), "{fresh}");
        assert_eq!(
            earlier.reload(&broken, None).err().unwrap().to_string(),
            fresh
        );
    }

    #[test]
    fn a_reloaded_pack_analyses_its_rules_again_under_another_contract() {
        let ones = "for p in facts.people.where(\"x\", 1) { fail(p, \"m\"); }";
        let typed = |kind: &str| {
            format!(
                r#"{{"properties": {{"people": {{"items": {{"properties": {{
                "x": {{"type": "{kind}", "description": "x"}}}}}}}}}}}}"#
            )
        };
        let earlier = files(&[("t.a", ones)], Some(&typed("string")));
        let earlier = Pack::from_files(&earlier).unwrap();
        assert!(warned(&earlier).iter().any(|m| m.contains("`x`")));
        let numbers = files(&[("t.a", ones)], Some(&typed("integer")));
        let reloaded = earlier.reload(&numbers, None).unwrap();
        assert_eq!(
            reloaded.warnings(),
            Pack::from_files(&numbers).unwrap().warnings()
        );
        assert!(!warned(&reloaded).iter().any(|m| m.contains("`x`")));
        assert!(!Arc::ptr_eq(
            analysis_of(&reloaded, 0),
            analysis_of(&earlier, 0)
        ));
    }
}
