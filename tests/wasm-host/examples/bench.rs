//! Times the module in wasmtime against the native engine on a generated organization,
//! and reports the module's size. Run through `wasm/bench.sh`, which builds both first:
//!
//! ```text
//! cargo run --release -p attest-wasm-host --example bench -- [PEOPLE] [RUNS]
//! ```

use attest_engine::{Engine, EvalOptions, Facts, FactsSource, Limits, Pack};
use attest_wasm_host::{Call, Host, module_path};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let people: usize = args.next().map_or(Ok(10_000), |a| a.parse())?;
    let runs: usize = args.next().map_or(Ok(5), |a| a.parse())?.max(1);

    let path = module_path();
    let wasm = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let gz = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&path)
        .output()?
        .stdout
        .len();
    println!(
        "module   {}: {:.0} KiB raw, {:.0} KiB gzipped (-9)",
        path.display(),
        wasm.len() as f64 / 1024.0,
        gz as f64 / 1024.0
    );

    let doc = attest_bench::generate(people, 1)?;
    let text = serde_json::to_string(&doc)?;
    let name = format!("org-{people}.json");
    println!(
        "facts    {people} people, {:.1} MB of JSON, {runs} runs, medians",
        text.len() as f64 / 1e6
    );

    // Native: the same engine, the same pack, the same limits.
    let engine = Engine::new(
        Pack::from_files(&attest_tests::soc2_files())?,
        Limits::default(),
    )?;
    // wasmtime: compile once, one instance, one warm-up call (compiles the built-in pack).
    let (host, compile) = time(|| Host::new(&wasm, None));
    let host = host?;
    let mut instance = host.instantiate()?;
    instance.call(Call::Explain, b"{}")?;
    // The facts text attached after the request's JSON, as the JS wrapper sends it.
    let request = attest_wasm_host::attached_facts_request(&[(name.clone(), text.clone())]);

    // Native and wasm runs alternate, so that load from other processes hits both alike.
    let (mut n_load, mut n_eval, mut n_total) = (vec![], vec![], vec![]);
    let (mut w_load, mut w_total) = (vec![], vec![]);
    let mut native_json = String::new();
    let mut warnings = String::new();
    let mut wasm_json = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        // Loading with the digest, as the module's validate call works it out (evaluating
        // then finds it done).
        let (facts, load) = time(|| {
            Facts::load(&[FactsSource {
                name: &name,
                text: &text,
            }])
            .inspect(|facts| {
                facts.digest();
            })
        });
        let facts = facts?;
        let (json, eval) = time(|| {
            engine
                .evaluate(&facts, &EvalOptions::default())
                .map(|r| r.to_json())
        });
        native_json = json?;
        warnings = serde_json::to_string(facts.warnings())?;
        n_total.push(start.elapsed());
        n_load.push(load);
        n_eval.push(eval);
        drop(facts);

        let (r, d) = time(|| instance.call(Call::Validate, &request));
        if !r?.starts_with(r#"{"ok":true"#) {
            return Err("validate failed in wasm".into());
        }
        w_load.push(d);
        let (r, d) = time(|| instance.call(Call::Evaluate, &request));
        wasm_json = r?;
        w_total.push(d);
    }
    // The same calls counted in fuel (WebAssembly instructions run), which do not vary from
    // run to run: what to compare two builds of the module by.
    let counted = Host::new(&wasm, Some(u64::MAX / 2))?;
    let mut counting = counted.instantiate()?;
    counting.call(Call::Explain, b"{}")?;
    counting.call(Call::Validate, &request)?;
    let validate_work = counting.fuel_used().unwrap_or_default();
    counting.call(Call::Evaluate, &request)?;
    let request_work = counting.fuel_used().unwrap_or_default();
    let expected = format!(r#"{{"ok":true,"report":{native_json},"warnings":{warnings}}}"#);
    let same = wasm_json == expected;

    let (nl, ne, nt) = (median(n_load), median(n_eval), median(n_total));
    let (wl, wt) = (median(w_load), median(w_total));
    let we = wt.saturating_sub(wl);
    println!("wasmtime compile (Cranelift, once): {:.0} ms", ms(compile));
    println!(
        "{:<34} {:>10} {:>10} {:>7}",
        "phase", "native", "wasmtime", "ratio"
    );
    let row = |label: &str, n: Duration, w: Duration| {
        println!(
            "{label:<34} {:>8.0}ms {:>8.0}ms {:>6.2}x",
            ms(n),
            ms(w),
            w.as_secs_f64() / n.as_secs_f64().max(1e-9)
        );
    };
    row("validate (parse, check, digest)", nl, wl);
    let rules = engine.pack().rules().len();
    row(&format!("evaluate {rules} rules + report JSON"), ne, we);
    row("whole request", nt, wt);
    println!(
        "native threads: {} (RAYON_NUM_THREADS); wasm: 1",
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all cores".into())
    );
    println!(
        "work     WebAssembly instructions run (wasmtime fuel, the same on every run): validate {}M, whole request {}M",
        validate_work / 1_000_000,
        request_work / 1_000_000
    );
    println!(
        "memory   wasm instance grew to {} MiB",
        instance.memory_size() >> 20
    );
    println!(
        "reports  {}",
        if same { "byte-identical" } else { "DIFFERENT" }
    );
    if !same {
        return Err("the wasm report differs from the native one".into());
    }
    Ok(())
}
