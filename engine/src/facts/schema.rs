//! The schema a facts document is checked against: facts-v1 as shipped, or facts-v1 with the
//! collections and fields a pack and its bases add (`facts.schema.json`, merged by
//! [`super::extension`]). What reads the schema (the checks, record keys, the fields known
//! for unknown-field warnings, `attest check`'s contract) reads it from one of these, so an
//! extension is known everywhere at once.

use super::fields::KnownFields;
use super::keys::Keying;
use super::validate::lite;
use serde_json::Value;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A facts schema: facts-v1, plus the collections and fields packs declare. Facts loaded
/// with one (see [`super::LoadOptions`]) are checked against all of it; packs build theirs
/// when they load ([`crate::Pack::facts_schema`]).
pub struct FactsSchema {
    name: String,
    document: Value,
    pub(crate) keying: Arc<Keying>,
    pub(crate) known: KnownFields,
    checker: Checker,
}

/// With the `jsonschema` feature (native hosts), facts are checked by the `jsonschema` crate.
#[cfg(feature = "jsonschema")]
type Checker = jsonschema::Validator;

/// Without it (the WebAssembly module), by [`lite::Checker`], which finds the same
/// violations at a fraction of the size.
#[cfg(not(feature = "jsonschema"))]
type Checker = lite::Checker;

impl fmt::Debug for FactsSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FactsSchema")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl FactsSchema {
    /// facts-v1 as shipped, read once.
    pub(crate) fn shipped() -> Result<&'static Arc<FactsSchema>, String> {
        static SHIPPED: OnceLock<Result<Arc<FactsSchema>, String>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                let document = super::schema_document()?.clone();
                FactsSchema::build("facts-v1".to_owned(), document).map(Arc::new)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Compiles a whole schema document, named `name` in messages (`facts-v1`,
    /// `facts-v1 + acme`). The compact checker must accept it in every build, so a schema
    /// is usable by every host (the `attest` command and the WebAssembly module) or by none.
    pub(crate) fn build(name: String, document: Value) -> Result<FactsSchema, String> {
        let keying = Keying::from_schema(&document)?;
        let known = KnownFields::from_schema(&document)?;
        #[cfg(feature = "jsonschema")]
        let checker = {
            lite::Checker::new(&document)?;
            crate::schema::compile_value(&document)?
        };
        #[cfg(not(feature = "jsonschema"))]
        let checker = lite::Checker::new(&document)?;
        Ok(FactsSchema {
            name,
            document,
            keying: Arc::new(keying),
            known,
            checker,
        })
    }

    /// How messages name the schema: `facts-v1`, or `facts-v1 + acme` for facts-v1 with the
    /// extensions of pack `acme` (and its bases', listed before it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole schema as one JSON Schema document: facts-v1 with every extension merged
    /// in (new collections under `properties`, their records under `$defs`, new fields in
    /// the records they extend).
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The top-level keys the schema defines, in its order: facts-v1's
    /// (`schema_version`, `organization`, `people`...), then the collections extensions add.
    pub fn keys(&self) -> Vec<&str> {
        self.document
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every schema violation in `doc`: instance path (JSON Pointer) and message.
    pub(crate) fn violations(&self, doc: &Value) -> Vec<(String, String)> {
        #[cfg(feature = "jsonschema")]
        {
            // The quick yes/no check first: collecting errors costs more, and valid is the norm.
            if self.checker.is_valid(doc) {
                return Vec::new();
            }
            self.checker
                .iter_errors(doc)
                .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
                .collect()
        }
        #[cfg(not(feature = "jsonschema"))]
        {
            self.checker.check(doc)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_schema_is_facts_v1_with_its_keys_in_order() {
        let schema = FactsSchema::shipped().unwrap();
        assert_eq!(schema.name(), "facts-v1");
        let keys = schema.keys();
        assert_eq!(keys[..3], ["schema_version", "organization", "people"]);
        assert_eq!(
            keys[3..],
            [
                "systems",
                "accounts",
                "access_reviews",
                "training",
                "vendors",
                "policies",
                "incidents",
                "changes",
                "backups",
                "risk_assessments",
                "evidence",
                "devices",
                "vulnerabilities",
                "pentests",
                "dr_tests",
                "monitoring",
                "data_stores",
                "disposals",
                "privacy_requests",
                "repositories",
                "keys"
            ]
        );
    }
}
