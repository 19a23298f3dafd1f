//! The public view (`render::redact`) of the example organization with its waivers, in every
//! format it has: snapshots, and the same bytes on every run.

#![allow(clippy::unwrap_used, clippy::panic)]

use attest_engine::EvalOptions;
use attest_render::{self as render, Context};

fn formats() -> Vec<(&'static str, String)> {
    let engine = attest_tests::soc2_engine();
    let facts = attest_tests::example_facts();
    let mut report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    attest_tests::example_waivers().apply(&mut report);
    let public = render::redact(&report, &Context::from_facts(&facts));
    vec![
        ("public_text", render::public_text(&public)),
        ("public_json", public.to_json()),
        ("public_markdown", render::public_markdown(&public)),
        ("public_html", render::public_html(&public)),
    ]
}

#[test]
fn every_format_of_the_public_view_matches_its_snapshot_on_every_run() {
    let first = formats();
    for (name, output) in &first {
        insta::assert_snapshot!(*name, output);
    }
    assert_eq!(first, formats(), "the public view is deterministic");
}
