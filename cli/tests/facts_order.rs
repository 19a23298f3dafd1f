//! The order in which the file system lists a facts folder never changes the report:
//! `attest eval FOLDER` gives, byte for byte, the report (and the warnings) of `attest eval`
//! on the folder's files named in file-name order, for random small organizations
//! (attest-bench's generator, 1 to 8 people, any seed, some collections left out) split
//! across two to five files with random names, created in a random order. The file system
//! lists a folder in an order of its own (by a hash of the names on ext4, by creation on
//! others), which the names and the creation order vary. Files named on the command line
//! are merged in that order too, whatever order they are given in.
//!
//! 16 cases by default; `PROPTEST_CASES=200 cargo test -p attest-cli --test facts_order` runs
//! more.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::attest_in;
use proptest::prelude::*;

/// Random small organizations as facts files: (file name, text), in creation order.
fn folder() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        1usize..=8,
        any::<u64>(),
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 1..32),
        proptest::collection::btree_set("[a-z0-9][a-z0-9_.-]{0,11}", 2..=5),
    )
        .prop_flat_map(|(people, seed, dropped, choices, names)| {
            let mut doc = attest_bench::generate(people, seed).unwrap();
            attest_tests::drop_collections(&mut doc, dropped);
            let texts = attest_tests::split_facts(&doc, names.len(), &choices);
            let files: Vec<(String, String)> = names
                .into_iter()
                .map(|name| format!("{name}.json"))
                .zip(texts)
                .collect();
            Just(files).prop_shuffle()
        })
}

/// The first line where `a` and `b` differ, with its number, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    let mut lines = a.lines().zip(b.lines()).enumerate();
    match lines.find(|(_, (x, y))| x != y) {
        Some((i, (x, y))) => format!("line {}:\n  folder: {x}\n  files:  {y}", i + 1),
        None => format!("{} lines against {}", a.lines().count(), b.lines().count()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(attest_tests::proptest_cases(16)))]

    #[test]
    fn a_folder_gives_the_report_of_its_files_in_name_order(files in folder()) {
        let dir = attest_tests::scratch!("facts-order");
        for (name, text) in &files {
            attest_tests::write_file(&dir, &format!("org/{name}"), text);
        }
        let whole = attest_in(&dir, &["eval", "org", "--format", "json"]);
        let mut names: Vec<String> = files.iter().map(|(name, _)| format!("org/{name}")).collect();
        names.sort();
        let mut args = vec!["eval"];
        args.extend(names.iter().map(String::as_str));
        args.extend(["--format", "json"]);
        let listed = attest_in(&dir, &args);
        // A report was written (exit 0 or 1; 2 would mean the facts were refused).
        prop_assert!(matches!(whole.status.code(), Some(0 | 1)), "{}", common::stderr(&whole));
        prop_assert_eq!(whole.status.code(), listed.status.code());
        for (a, b) in [
            (common::stdout(&whole), common::stdout(&listed)),
            (common::stderr(&whole), common::stderr(&listed)),
        ] {
            prop_assert!(a == b, "{}", first_difference(&a, &b));
        }
    }
}

/// Files named on the command line are merged in file-name order too, whatever order they
/// are given in: the example organization with its people split over two files gives the
/// report of its folder when the files are named in reverse (the people used to be merged
/// in the order given: another facts digest, other pointers, another order of findings).
#[test]
fn files_named_in_any_order_give_the_report_of_their_folder() {
    let dir = attest_tests::scratch!("named-order");
    let acme = common::repo().join("examples/acme");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&acme).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(acme.join(&name)).unwrap();
        if name != "people.json" {
            attest_tests::write_file(&dir, &format!("org/{name}"), &text);
            names.push(format!("org/{name}"));
            continue;
        }
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let people = doc["people"].as_array().unwrap();
        let (first, second) = people.split_at(people.len() / 2);
        for (file, part) in [("people-1.json", first), ("people-2.json", second)] {
            let text = serde_json::json!({ "people": part }).to_string();
            attest_tests::write_file(&dir, &format!("org/{file}"), &text);
            names.push(format!("org/{file}"));
        }
    }
    names.sort();
    names.reverse();
    let whole = attest_in(&dir, &["eval", "org", "--format", "json"]);
    let mut args = vec!["eval"];
    args.extend(names.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    let listed = attest_in(&dir, &args);
    assert_eq!(whole.status.code(), Some(1), "{}", common::stderr(&whole));
    assert_eq!(listed.status.code(), Some(1), "{}", common::stderr(&listed));
    let (a, b) = (common::stdout(&whole), common::stdout(&listed));
    assert!(a == b, "{}", first_difference(&a, &b));
}
