#!/usr/bin/env bash
# The evaluation step of the GitHub Action (action.yml): runs `attest eval` with the action's
# inputs, writes every requested format into ATTEST_OUTPUT_DIR, appends the Markdown summary
# to $GITHUB_STEP_SUMMARY, sets the step's outputs in $GITHUB_OUTPUT (readiness, counts,
# report paths, exit-code) and exits with attest's own code (0, 1 or 2).
#
# Inputs come as environment variables (empty means not given): ATTEST_FACTS (paths separated
# by spaces or newlines), ATTEST_PACK, ATTEST_AS_OF, ATTEST_FORMATS (comma-separated:
# json, sarif, markdown, junit, html, csv, oscal, text), ATTEST_FAIL_ON, ATTEST_MIN_SEVERITY,
# ATTEST_WAIVERS, ATTEST_BASELINE, ATTEST_SARIF_MAX_RESULTS, ATTEST_OUTPUT_DIR, and
# ATTEST_BIN (the attest to run; default `attest` on the PATH). With ATTEST_DEFER_EXIT=1 it
# exits 0 once the outputs are written, and the action's last step exits with `exit-code`, so
# that the SARIF upload in between runs whatever the verdict. Needs node on the PATH (every
# GitHub-hosted runner has it) to read the counts from the JSON report.
set -euo pipefail

bin="${ATTEST_BIN:-attest}"
dir="${ATTEST_OUTPUT_DIR:-attest-report}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this as a step of a GitHub Actions job}"
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set: run this as a step of a GitHub Actions job}"
mkdir -p "$dir"

read -r -a facts <<< "$(printf '%s' "${ATTEST_FACTS:-facts}" | tr '\n' ' ')"
args=(eval "${facts[@]}" --fail-on "${ATTEST_FAIL_ON:-fail}")
[ -n "${ATTEST_PACK:-}" ] && args+=(--pack "$ATTEST_PACK")
[ -n "${ATTEST_AS_OF:-}" ] && args+=(--as-of "$ATTEST_AS_OF")
[ -n "${ATTEST_PERIOD:-}" ] && args+=(--period "$ATTEST_PERIOD")
[ -n "${ATTEST_MIN_SEVERITY:-}" ] && args+=(--min-severity "$ATTEST_MIN_SEVERITY")
[ -n "${ATTEST_WAIVERS:-}" ] && args+=(--waivers "$ATTEST_WAIVERS")
[ -n "${ATTEST_BASELINE:-}" ] && args+=(--baseline "$ATTEST_BASELINE")
[ -n "${ATTEST_SARIF_MAX_RESULTS:-}" ] && args+=(--sarif-max-results "$ATTEST_SARIF_MAX_RESULTS")

# JSON (for the outputs) and Markdown (for the job summary) are always written.
declare -A files=([json]=attest.json [markdown]=attest.md [sarif]=attest.sarif
  [junit]=attest.xml [html]=attest.html [csv]=attest.csv [oscal]=attest.oscal.json
  [text]=attest.txt)
formats=(json markdown)
IFS=', ' read -r -a wanted <<< "$(printf '%s' "${ATTEST_FORMATS:-sarif,markdown,junit,json,html}" | tr '\n' ' ')"
for f in "${wanted[@]}"; do
  [ -z "$f" ] && continue
  if [ -z "${files[$f]+set}" ]; then
    echo "::error title=attest::unknown format \`$f\` (expected json, sarif, markdown, junit, html, csv, oscal or text)"
    echo "exit-code=2" >> "$GITHUB_OUTPUT"
    [ "${ATTEST_DEFER_EXIT:-}" = 1 ] && exit 0
    exit 2
  fi
  [[ " ${formats[*]} " == *" $f "* ]] || formats+=("$f")
done
# The files this step writes, left by an earlier run in the folder (the action used twice in
# a job, a kept workspace), are removed first: a run that writes none leaves none of them to
# be uploaded as its own.
for f in "${files[@]}"; do
  rm -f "$dir/$f"
done
args+=(--format json --output "$dir/attest.json")
for f in "${formats[@]:1}"; do
  args+=(--output "$f=$dir/${files[$f]}")
done

set +e
"$bin" "${args[@]}"
code=$?
set -e

# Exit 0 or 1: attest wrote every report. Any other code: it wrote none, and what the folder
# holds is from an earlier run, which must not be published as this one's (no paths, counts
# or summary, so the SARIF upload skips it).
written=false
case $code in 0 | 1) written=true ;; esac
{
  echo "exit-code=$code"
  if $written; then
    for f in "${formats[@]}"; do
      [ -f "$dir/${files[$f]}" ] && echo "$f=$dir/${files[$f]}"
    done
  fi
} >> "$GITHUB_OUTPUT"

if $written && [ -f "$dir/attest.json" ]; then
  # The single quotes hold JavaScript, whose ${...} are its own.
  # shellcheck disable=SC2016
  node -e '
    const fs = require("fs");
    const report = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const c = report.summary.controls;
    const applicable = c.pass + c.fail + c.warn + c.error + c.waived;
    const ready = c.pass + c.warn;
    const percent = applicable ? Math.floor((ready * 100 + Math.floor(applicable / 2)) / applicable) : 0;
    const lines = [`readiness=${percent}`, `ready=${ready}`, `applicable=${applicable}`];
    for (const [k, v] of Object.entries(c)) lines.push(`${k.replace("_", "-")}=${v}`);
    fs.appendFileSync(process.env.GITHUB_OUTPUT, lines.join("\n") + "\n");
  ' "$dir/attest.json"
fi
if $written && [ -f "$dir/attest.md" ]; then
  cat "$dir/attest.md" >> "$GITHUB_STEP_SUMMARY"
fi
case $code in
  0) ;;
  1) echo "::error title=attest::the gate failed (--fail-on ${ATTEST_FAIL_ON:-fail}): see the job summary" ;;
  *) echo "::error title=attest::attest could not evaluate the facts (exit $code): see the log" ;;
esac
if [ "${ATTEST_DEFER_EXIT:-}" = 1 ]; then
  exit 0
fi
exit "$code"
