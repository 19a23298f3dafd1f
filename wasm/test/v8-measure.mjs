// What wasm/test/v8-bench.mjs times, the same in Node and in a page: the whole request, and
// rules that run in Rhai (a `switch` keeps each from running natively) with loops as rule
// authors write them. Each body takes the place of access.grant-approval's (`header` is that
// rule's `//!` lines), evaluated alone with no operation budget.
const LOOPS = {
  "no loop (loading the facts, for reference)":
    'let n = 0; switch n { 1 => { n += 1; } _ => {} } if n < 0 { fail(facts.people[0], "never"); }',
  "loop over every account, five times":
    'let n = 0; for r in [1, 2, 3, 4, 5] { for a in facts.accounts { switch a.status { "active" => { n += 1; } _ => {} } } } if n < 0 { fail(facts.accounts[0], "never"); }',
  "loop of 200 steps per person":
    'let n = 0; for p in facts.people { switch p.department { "" => { n += 1; } _ => {} } let i = 0; while i < 200 { i += 1; n += i; } } if n < 0 { fail(facts.people[0], "never"); }',
  "loop of 3,000,000 steps in a closure":
    'let n = [1].filter(|x| { let i = 0; switch x { 0 => { i = 1; } _ => {} } loop { i += 1; if i >= 3000000 { break; } } true }).len(); if n < 0 { fail(facts.people[0], "never"); }',
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timed(runs, f) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Medians of `runs`, in ms, by what was timed: the first request of `runs` fresh instances
 * (`fresh()` gives one: `load` of a compiled `WebAssembly.Module`), and the rest on one
 * instance after one run not counted.
 */
export async function measure(fresh, factsText, header, runs) {
  const facts = [{ name: "facts.json", text: factsText }];
  const results = {};
  const whole = (attest) => {
    const report = attest.evaluate(facts);
    if (!report.summary) throw new Error("the whole request gave no report");
  };
  // A page's first request: the instance's memory grows from nothing as the facts load.
  const first = [];
  for (let i = 0; i < runs; i++) {
    const attest = await fresh();
    first.push(timed(1, () => whole(attest)));
  }
  results["whole request, a fresh instance's first"] = median(first);
  const attest = await fresh();
  whole(attest);
  results["whole request, again on one instance"] = timed(runs, () => whole(attest));
  for (const [name, body] of Object.entries(LOOPS)) {
    const overlay = { "rules/access/grant-approval.rhai": `${header}\n${body}\n` };
    const one = () => {
      const result = attest.evaluate(facts, { overlay, rule: "access.grant-approval", limits: { maxOperations: 0 } });
      if (result.status === "error") throw new Error(`${name}: ${result.error.message}`);
    };
    one();
    results[name] = timed(runs, one);
  }
  return results;
}
