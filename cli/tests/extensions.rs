//! Facts that packs extend (`facts.schema.json`): facts checked against facts-v1 plus the
//! extensions of the pack and its bases, with the errors, keys and warnings of facts-v1's
//! own collections; the references they declare checked; `attest check` knowing the new
//! collections and fields; a broken extension refused with its place.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest, exit, scratch, stderr, stdout, write};
use std::path::Path;

const ORG: &str =
    "{\"schema_version\": \"1\", \"organization\": {\"name\": \"A\", \"as_of\": \"2026-06-30\"}}\n";

/// A pack extending `base` with `extension` and one rule reading `oncall`.
fn write_pack(dir: &Path, name: &str, base: &str, extension: &str, body: &str) -> String {
    write(
        dir,
        &format!("{name}/pack.toml"),
        &format!(
            "name = \"{name}\"\nversion = \"1.0.0\"\ndescription = \"t\"\nextends = \"{base}\"\n"
        ),
    );
    if !extension.is_empty() {
        write(dir, &format!("{name}/facts.schema.json"), extension);
    }
    write(
        dir,
        &format!("{name}/rules/ops/pager.rhai"),
        &format!(
            "//! id = \"ops.pager\"\n//! title = \"t\"\n//! controls = [\"CC7.4\"]\n//! severity = \"low\"\n//! owner = \"Engineering\"\n//! facts = [\"oncall\"]\n//! remediation = \"r\"\n{body}"
        ),
    );
    dir.join(name).to_string_lossy().into_owned()
}

const ONCALL: &str = r##"{
  "properties": {
    "oncall": {"type": "array", "items": {"$ref": "#/$defs/shift"}},
    "accounts": {"items": {"properties": {"team": {"type": "string", "minLength": 1}}}}
  },
  "$defs": {
    "shift": {
      "type": "object",
      "x-key": ["team", "starts_on"],
      "required": ["team", "starts_on"],
      "properties": {
        "team": {"type": "string", "minLength": 1},
        "starts_on": {"$ref": "#/$defs/date"},
        "person_id": {"$ref": "#/$defs/person_ref"}
      }
    }
  }
}
"##;

#[test]
fn facts_are_checked_against_the_pack_extensions() {
    let dir = scratch("checked");
    let pack = write_pack(
        &dir,
        "p",
        "soc2",
        ONCALL,
        "for s in facts.oncall { if s.person_id == () { fail(s, `${s.team} has nobody`); } }\n",
    );
    write(&dir, "facts/org.json", ORG);
    let facts = write(
        &dir,
        "facts/oncall.json",
        "{\"oncall\": [\n  {\"team\": \"sre\", \"starts_on\": \"2026-06-29\", \"person_id\": \"p1\"},\n  {\"team\": \"db\", \"starts_on\": \"2026-06-31\"},\n  {\"team\": \"sre\", \"starts_on\": \"2026-06-29\", \"pager\": \"x\"}\n],\n\"accounts\": [{\"system_id\": \"s\", \"username\": \"u\", \"kind\": \"human\", \"status\": \"active\", \"team\": \"\"}]}\n",
    );
    let folder = dir.join("facts").to_string_lossy().into_owned();
    // facts-v1 alone: `oncall` is an unknown key, and `team` an unknown field: warnings.
    let plain = attest(&["validate", &folder]);
    exit(&plain, 0);
    assert!(
        stderr(&plain).contains(&format!(
            "warning: {facts}:1: /oncall: facts-v1 does not define `oncall` at the top level"
        )),
        "{}",
        stderr(&plain)
    );
    // With the pack: the schema's checks, duplicate keys and unknown fields, all placed.
    let checked = attest(&["validate", &folder, "--pack", &pack]);
    exit(&checked, 2);
    let err = stderr(&checked);
    for expected in [
        format!("{facts}:3:31: /oncall/1/starts_on: \"2026-06-31\" is not a \"date\""),
        format!("{facts}:6:95: /accounts/0/team: \"\" is shorter than 1 character"),
        format!(
            "{facts}:4: /oncall/2: duplicate key oncall/sre/2026-06-29: also at {facts}:2 (/oncall/0)"
        ),
    ] {
        assert!(err.contains(&expected), "{expected}\n{err}");
    }
    let fixed = write(
        &dir,
        "facts/oncall.json",
        "{\"oncall\": [\n  {\"team\": \"sre\", \"starts_on\": \"2026-06-29\", \"person_id\": \"p1\"},\n  {\"team\": \"db\", \"starts_on\": \"2026-06-30\", \"pagr\": 1}\n]}\n",
    );
    let warned = attest(&["validate", &folder, "--pack", &pack]);
    exit(&warned, 0);
    assert!(
        stderr(&warned).contains(&format!(
            "warning: {fixed}:3:53: /oncall/1/pagr: facts-v1 + p does not define `pagr` for oncall"
        )),
        "{}",
        stderr(&warned)
    );
    // Evaluated: the rule reads the collection, its findings are keyed.
    let eval = attest(&["eval", &folder, "--pack", &pack, "--format", "json"]);
    exit(&eval, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&eval)).unwrap();
    let rule = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ops.pager")
        .unwrap();
    assert_eq!(rule["status"], "fail");
    assert_eq!(rule["findings"][0]["key"], "oncall/db/2026-06-30");
    assert_eq!(rule["population"]["collections"]["oncall"]["tested"], 2);
    // A pack extending that pack inherits its extensions, and adds its own.
    let more = "{\"properties\": {\"oncall\": {\"items\": {\"properties\": {\"pager\": {\"type\": \"string\"}}}}}}\n";
    let child = write_pack(
        &dir,
        "q",
        &pack,
        more,
        "for s in facts.oncall { if s.pager == () { fail(s, \"no pager\"); } }\n",
    );
    let checked = attest(&["validate", &folder, "--pack", &child]);
    exit(&checked, 0);
    assert!(
        stderr(&checked)
            .contains("facts-v1 + p + q does not define `pagr` for oncall; did you mean `pager`?"),
        "{}",
        stderr(&checked)
    );
}

#[test]
fn check_knows_the_new_collections_and_fields() {
    let dir = scratch("check");
    let pack = write_pack(
        &dir,
        "p",
        "soc2",
        ONCALL,
        "for s in facts.oncall { if s.tema == \"x\" { fail(s, \"x\"); } }\nfor a in facts.accounts.where(\"team\", \"sre\") { fail(a, \"y\"); }\nlet n = facts.oncal;\n",
    );
    let out = attest(&["check", &pack]);
    exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("error[unknown-field]: `tema` is not a field of oncall records in facts-v1 + p; did you mean `team`?"), "{text}");
    assert!(
        text.contains(
            "error[unknown-field]: `oncal` is not a facts-v1 + p key; did you mean `oncall`?"
        ),
        "{text}"
    );
    assert!(
        text.contains("warning[unlisted-facts-key]: the rule reads `facts.accounts`"),
        "{text}"
    );
    // `team` is a field of accounts now: no unknown-field for it.
    assert!(!text.contains("`team` is not a field"), "{text}");
    // Without the extension, `oncall` is no key a rule may list.
    let bare = pack_without_extension(&dir);
    let out = attest(&["check", &bare]);
    exit(&out, 1);
    assert!(
        stdout(&out).contains("error[unknown-facts-key]: `oncall` is not a facts-v1 key"),
        "{}",
        stdout(&out)
    );
}

fn pack_without_extension(dir: &Path) -> String {
    write_pack(dir, "bare", "soc2", "", "let x = 1;\n")
}

#[test]
fn a_broken_extension_is_refused_at_its_place() {
    let dir = scratch("broken");
    let changes = "{\n  \"properties\": {\n    \"accounts\": {\"items\": {\"properties\": {\n      \"mfa\": {\"type\": \"string\"}\n    }}},\n    \"oncall\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\": {\"team\": {}}}}\n  }\n}\n";
    let broken = write_pack(&dir, "p", "soc2", changes, "let x = 1;\n");
    let out = attest(&["check", &broken, "--format", "json"]);
    exit(&out, 1);
    let text = stdout(&out);
    let at = |text: &str, line: u32, column: u32, message: &str| {
        let found: serde_json::Value = serde_json::from_str(text).unwrap();
        let diagnostics = found["diagnostics"].as_array().unwrap();
        assert!(
            diagnostics
                .iter()
                .any(|d| d["code"] == "invalid-facts-schema"
                    && d["file"].as_str().unwrap().ends_with("facts.schema.json")
                    && d["line"] == line
                    && d["column"] == column
                    && d["message"].as_str().unwrap().starts_with(message)),
            "{text}"
        );
    };
    at(
        &text,
        4,
        15,
        "/properties/accounts/items/properties/mfa/type: `type` of `accounts.mfa` is defined by facts-v1",
    );
    let not_json = write_pack(&dir, "j", "soc2", "{\"properties\": }", "let x = 1;\n");
    let out = attest(&["check", &not_json, "--format", "json"]);
    exit(&out, 1);
    at(&stdout(&out), 1, 16, "invalid JSON");
    let unkeyed = "{\"properties\": {\"oncall\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\": {\"team\": {}}}}}}";
    let keyless = write_pack(&dir, "k", "soc2", unkeyed, "let x = 1;\n");
    let out = attest(&["check", &keyless, "--format", "json"]);
    exit(&out, 1);
    at(
        &stdout(&out),
        1,
        17,
        "/properties/oncall: a list of records must declare its key (x-key)",
    );
    // The pack cannot be used to evaluate either.
    write(&dir, "facts/org.json", ORG);
    let folder = dir.join("facts").to_string_lossy().into_owned();
    let eval = attest(&["eval", &folder, "--pack", &keyless]);
    exit(&eval, 2);
    assert!(
        stderr(&eval).contains("invalid-facts-schema"),
        "{}",
        stderr(&eval)
    );
}

/// The diagnostics of `attest check PACK --format json` on `facts.schema.json`: line,
/// column and message.
fn extension_diagnostics(pack: &str) -> Vec<(u64, u64, String)> {
    let out = attest(&["check", pack, "--format", "json"]);
    exit(&out, 1);
    let found: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    found["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "invalid-facts-schema")
        .inspect(|d| assert!(d["file"].as_str().unwrap().ends_with("facts.schema.json")))
        .map(|d| {
            let number = |key: &str| d[key].as_u64().unwrap_or(0);
            let message = d["message"].as_str().unwrap().to_owned();
            (number("line"), number("column"), message)
        })
        .collect()
}

#[test]
fn every_problem_of_an_extension_is_listed_at_its_place() {
    let dir = scratch("every");
    let two = "{\"properties\": {\"oncall\": {\"type\": \"array\", \"items\": {\n  \"type\": \"object\", \"x-key\": [\"team\"],\n  \"properties\": {\n    \"team\": {\"type\": \"strnig\"},\n    \"pager\": {\"minLength\": \"one\"}\n  }}}}}\n";
    let pack = write_pack(&dir, "p", "soc2", two, "let x = 1;\n");
    let found = extension_diagnostics(&pack);
    let places: Vec<_> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(places, [(4, 14), (5, 15)], "{found:#?}");
    assert!(
        found[0]
            .2
            .starts_with("/properties/oncall/items/properties/team/type: "),
        "{found:#?}"
    );
    assert!(
        found[1]
            .2
            .starts_with("/properties/oncall/items/properties/pager/minLength: "),
        "{found:#?}"
    );
    // A file that ends too early is refused at its end, not on a line past it.
    let short = write_pack(&dir, "s", "soc2", "{\"properties\": {\n", "let x = 1;\n");
    let found = extension_diagnostics(&short);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].0, found[0].1), (1, 17), "{found:#?}");
    assert!(found[0].2.starts_with("invalid JSON: EOF"), "{found:#?}");
}

#[test]
fn references_an_extension_declares_are_checked_and_a_wrong_one_refused() {
    let dir = scratch("references");
    // `person_id` of a shift refers through facts-v1's `person_ref`; `backup_system_id`, a new
    // field of systems, with a keyword of its own.
    let extension = ONCALL.replace(
        "\"accounts\": {\"items\": {\"properties\": {\"team\": {\"type\": \"string\", \"minLength\": 1}}}}",
        "\"systems\": {\"items\": {\"properties\": {\"backup_system_id\": {\"type\": \"string\", \"x-refers-to\": \"systems\"}}}}",
    );
    assert_ne!(extension, ONCALL);
    let pack = write_pack(&dir, "p", "soc2", &extension, "let x = 1;\n");
    write(&dir, "facts/org.json", ORG);
    let facts = write(
        &dir,
        "facts/ops.json",
        "{\"people\": [{\"id\": \"p1\", \"name\": \"Ann\", \"kind\": \"employee\", \"employment\": {\"status\": \"active\"}}],\n\"systems\": [\n  {\"id\": \"db\", \"name\": \"DB\", \"criticality\": \"high\", \"backup_system_id\": \"db\"},\n  {\"id\": \"web\", \"name\": \"Web\", \"criticality\": \"low\", \"backup_system_id\": \"dr\"}\n],\n\"oncall\": [\n  {\"team\": \"sre\", \"starts_on\": \"2026-06-29\", \"person_id\": \"p1\"},\n  {\"team\": \"db\", \"starts_on\": \"2026-06-30\", \"person_id\": \"p9\"}\n]}\n",
    );
    let folder = dir.join("facts").to_string_lossy().into_owned();
    let warnings = format!(
        "warning: {facts}:4: /systems/1/backup_system_id: no record of systems has the id `dr`\n\
         warning: {facts}:8: /oncall/1/person_id: no record of people has the id `p9`\n"
    );
    for strict in [false, true] {
        let mut args = vec!["validate", &folder, "--pack", &pack];
        if strict {
            args.push("--strict");
        }
        let out = attest(&args);
        exit(&out, 0);
        assert_eq!(stderr(&out), warnings, "strict: {strict}");
    }
    // The same facts without the pack: the shifts are an unknown key, and nothing refers.
    let plain = attest(&["validate", &folder]);
    exit(&plain, 0);
    assert!(
        !stderr(&plain).contains("no record of"),
        "{}",
        stderr(&plain)
    );

    // A keyword naming no collection makes the extension unusable, at its place.
    let wrong = ONCALL.replace(
        "\"person_id\": {\"$ref\": \"#/$defs/person_ref\"}",
        "\"person_id\": {\"type\": \"string\",\n          \"x-refers-to\": \"staff\"}",
    );
    assert_ne!(wrong, ONCALL);
    let broken = write_pack(&dir, "w", "soc2", &wrong, "let x = 1;\n");
    assert_eq!(
        extension_diagnostics(&broken),
        [(
            15,
            11,
            "/$defs/shift/properties/person_id/x-refers-to: \"staff\" is not a collection of the schema keyed by one field".to_owned()
        )]
    );
    // On fields added to a record of facts-v1, each error is placed in the extension too
    // (the merged schema holds the fields under `$defs/system`).
    let added = "{\"properties\": {\"systems\": {\"items\": {\"properties\": {\n  \"twin\": {\"type\": \"string\", \"x-refers-to\": \"accounts\"},\n  \"lead\": {\"type\": \"string\", \"x-refers-to\": \"staff\"}\n}}}}}\n";
    let broken = write_pack(&dir, "a", "soc2", added, "let x = 1;\n");
    assert_eq!(
        extension_diagnostics(&broken),
        [
            (
                2,
                30,
                "/properties/systems/items/properties/twin/x-refers-to: \"accounts\" is not a collection of the schema keyed by one field".to_owned()
            ),
            (
                3,
                30,
                "/properties/systems/items/properties/lead/x-refers-to: \"staff\" is not a collection of the schema keyed by one field".to_owned()
            )
        ]
    );
}

#[test]
fn a_recursive_extension_is_refused_not_followed_forever() {
    let dir = scratch("recursive");
    // A record holding a list of itself, and a definition that is only a reference to
    // itself: both refused at their definition, by check and by every command using them.
    let tree = "{\"properties\": {\"trees\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/node\"}}},\n\"$defs\": {\"node\": {\"type\": \"object\", \"x-key\": [\"id\"], \"properties\": {\"id\": {\"type\": \"string\"}, \"child\": {\"$ref\": \"#/$defs/node\"}}}}}\n";
    let looped = "{\"properties\": {\"systems\": {\"items\": {\"properties\": {\"zz\": {\"$ref\": \"#/$defs/loop\"}}}}},\n\"$defs\": {\"loop\": {\"$ref\": \"#/$defs/loop\"}}}\n";
    write(&dir, "facts/org.json", ORG);
    let folder = dir.join("facts").to_string_lossy().into_owned();
    for (name, extension, def) in [("t", tree, "node"), ("l", looped, "loop")] {
        let pack = write_pack(&dir, name, "soc2", extension, "let x = 1;\n");
        let message = format!(
            "/$defs/{def}: refers to itself through `$ref`: a facts schema cannot be recursive"
        );
        assert_eq!(extension_diagnostics(&pack), [(2, 11, message.clone())]);
        let eval = attest(&["eval", &folder, "--pack", &pack]);
        exit(&eval, 2);
        assert!(stderr(&eval).contains(&message), "{}", stderr(&eval));
    }
}
