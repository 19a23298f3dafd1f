//! The report does not depend on how many threads make it: random small organizations
//! (attest-bench's generator, 1 to 12 people, any seed, some collections left out, split
//! across up to four files, judged on a date up to a year either side of their own) give
//! byte-identical reports, with and without `--explain`, when facts are loaded and rules
//! evaluated on rayon pools of 1, 2 and 4 threads.
//!
//! 16 cases by default; `PROPTEST_CASES=500 cargo test -p attest-tests --test thread_count`
//! runs more.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{Date, Engine, EvalOptions, Facts, FactsSource};
use proptest::prelude::*;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> = LazyLock::new(attest_tests::soc2_engine);

/// A random small organization's facts files, as (name, text).
fn organization() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        1usize..=12,
        any::<u64>(),
        any::<u32>(),
        1usize..=4,
        proptest::collection::vec(any::<u8>(), 1..32),
    )
        .prop_map(|(people, seed, dropped, files, choices)| {
            let mut doc = attest_bench::generate(people, seed).unwrap();
            attest_tests::drop_collections(&mut doc, dropped);
            attest_tests::split_facts(&doc, files, &choices)
                .into_iter()
                .enumerate()
                .map(|(i, text)| (format!("facts/{i}.json"), text))
                .collect()
        })
}

/// The JSON report on `sources` as of `as_of`, loaded and evaluated on a pool of `threads`.
fn report(threads: usize, sources: &[(String, String)], as_of: Date, explain: bool) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        assert_eq!(rayon::current_num_threads(), threads);
        let refs: Vec<FactsSource<'_>> = sources
            .iter()
            .map(|(name, text)| FactsSource { name, text })
            .collect();
        let facts = Facts::load(&refs).unwrap_or_else(|e| panic!("{e}"));
        let options = EvalOptions::default()
            .with_as_of(Some(as_of))
            .with_explain(explain);
        ENGINE.evaluate(&facts, &options).unwrap().to_json()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(attest_tests::proptest_cases(16)))]

    #[test]
    fn the_report_is_the_same_on_1_2_and_4_threads(
        sources in organization(),
        days in -365i64..=365,
        explain in any::<bool>(),
    ) {
        let as_of = Date::parse(attest_bench::AS_OF).unwrap().add_days(days).unwrap();
        let one = report(1, &sources, as_of, explain);
        for threads in [2, 4] {
            prop_assert_eq!(&report(threads, &sources, as_of, explain), &one, "{} threads", threads);
        }
    }
}
