#!/usr/bin/env python3
"""Runs the /work/shared/bench workloads in Flowstate and in the peer, checks every output, and
prints (and optionally writes to docs/benchmarks.md) a table of transitions/s, peak RSS and ratios
vs the peer measured in the same run.  Called by bench/run.sh, which builds and sets things up.

Engines, each workload in its own fresh process(es):
  inproc  build/flowstate_bench: the definition loaded once, engine::Advance driven to completion
          in-process, Task states answered by in-process noop/incr (a benchmark harness).
  api     `flowstate serve` + build/api_bench: CreateStateMachine (EXPRESS) and one
          StartSyncExecution per execution over HTTP; Task states call bench_lambda_server through
          the Lambda Invoke API.  RSS is the server's peak (VmHWM).
  peer    aws-local-stepfunctions 3.0.0 on Node 22 via driver-alsf.mjs (JSONPath only).
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import signal
import subprocess
import sys
import time


def run_with_rusage(cmd, cwd=None, timeout=900):
    """Like run_measured, but reads the child's own peak RSS through wait4()."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killer = None
    import threading

    def kill():
        try:
            p.kill()
        except OSError:
            pass
    killer = threading.Timer(timeout, kill)
    killer.start()
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    killer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    line = next((ln for ln in reversed(out.strip().splitlines()) if ln.startswith("{")), None)
    try:
        res = json.loads(line) if line else None
    except ValueError:
        res = None
    return res, usage.ru_maxrss / 1024.0, err.strip()[-400:]


def vm_hwm_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for ln in f:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1]) / 1024.0
    except OSError:
        pass
    return None


class LambdaServer:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        m = re.match(r"listening (\d+)", line)
        if not m:
            raise RuntimeError(f"bench_lambda_server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{m.group(1)}"

    def stop(self):
        self.p.terminate()
        self.p.wait()


def run_api(args, workload, lambda_url):
    # EXPRESS workloads run in memory whatever the store; ":memory:" keeps runs independent.
    serve = subprocess.Popen([args.flowstate, "serve", "--port", "0", "--data", ":memory:",
                              "--lambda-endpoint", lambda_url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        t0 = time.monotonic()
        while time.monotonic() - t0 < 20:
            line = serve.stdout.readline()
            if not line:
                break
            m = re.search(r"http://[^:\s]+:(\d+)", line)
            if m:
                port = m.group(1)
                break
        if not port:
            return {"status": "error", "error": "flowstate serve did not report its port"}, None
        res, _, err = run_with_rusage([args.api_bench, "--endpoint", f"http://127.0.0.1:{port}",
                                       "--workload", workload, "--reps", str(args.reps),
                                       "--warmup", str(args.warmup), "--bench-dir", args.bench_dir])
        rss = vm_hwm_mb(serve.pid)
        if res is None:
            res = {"status": "error", "error": err or "no result"}
        return res, rss
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()


def median_round(got):
    """[(result, rss)] over rounds -> (the result with the median rate, the largest peak RSS).
    A round that failed or produced a wrong output wins, so problems are never hidden."""
    bad = [g for g in got if g[0].get("status") != "ok" or not g[0].get("output_ok")]
    rss = [g[1] for g in got if g[1] is not None]
    if bad:
        chosen = bad[0][0]
    else:
        ordered = sorted(got, key=lambda g: g[0]["transitions_per_s"])
        chosen = dict(ordered[len(ordered) // 2][0])
        chosen["round_rates"] = [g[0]["transitions_per_s"] for g in got]
    return chosen, (max(rss) if rss else None)


def best_rate(res):
    """Transitions/s of the fastest repetition: under load from other processes the least
    disturbed one, so the most comparable across engines."""
    if not res or res.get("status") != "ok" or not res.get("min_ms"):
        return None
    return res["transitions"] / (res["min_ms"] / 1000.0)


def fmt_rate(res):
    if not res:
        return "-"
    if res.get("status") != "ok":
        return "error"
    s = f"{res['transitions_per_s']:,}"
    return s if res.get("output_ok") else s + " (output differs*)"


def fmt_mb(x):
    return "-" if x is None else f"{x:.0f}"


def ratio(a, b):
    if not a or not b or a.get("status") != "ok" or b.get("status") != "ok":
        return None
    return a["transitions_per_s"] / b["transitions_per_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--bench-dir", default="/work/shared/bench")
    ap.add_argument("--node", required=False)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3, help="runs per engine and workload; the median is kept")
    ap.add_argument("--min-seconds", type=float, default=0.5,
                    help="the in-process harness adds repetitions past --reps until its timed ones "
                         "add up to this long (the peer's repetitions are 30-60x longer already)")
    ap.add_argument("--only", default="", help="comma-separated workload names")
    ap.add_argument("--with-jsonata", action="store_true", help="also run the -jsonata variants (no peer)")
    ap.add_argument("--no-api", action="store_true")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--doc", default="", help="write the results to this markdown file")
    ap.add_argument("--command", default="bench/run.sh", help="the command line to quote in --doc")
    ap.add_argument("--json", default="", help="write raw results here")
    args = ap.parse_args()
    args.flowstate = os.path.join(args.build, "flowstate")
    args.api_bench = os.path.join(args.build, "api_bench")
    inproc = os.path.join(args.build, "flowstate_bench")

    manifest = json.load(open(os.path.join(args.bench_dir, "workloads", "manifest.json")))
    names = [n for n in manifest if args.with_jsonata or not n.endswith("-jsonata")]
    if args.only:
        wanted = set(args.only.split(","))
        names = [n for n in names if n in wanted]

    args.load_start = os.getloadavg()[0]
    lam = None if args.no_api else LambdaServer(os.path.join(args.build, "bench_lambda_server"))
    rows = []
    try:
        for name in names:
            row = {"workload": name, "transitions": manifest[name]["transitions_total"]}
            runs = {"inproc": [], "inproc_nh": [], "api": [], "peer": []}
            for _ in range(args.rounds):  # engines interleaved, so load changes hit them alike
                inproc_cmd = [inproc, "--workload", name, "--reps", str(args.reps), "--warmup",
                              str(args.warmup), "--min-seconds", str(args.min_seconds),
                              "--bench-dir", args.bench_dir]
                res, rss, err = run_with_rusage(inproc_cmd)
                runs["inproc"].append((res or {"status": "error", "error": err}, rss))
                # As `flowstate run` and Express executions run: no history is built.
                res, rss, err = run_with_rusage(inproc_cmd + ["--no-history"])
                runs["inproc_nh"].append((res or {"status": "error", "error": err}, rss))
                if lam:
                    runs["api"].append(run_api(args, name, lam.url))
                if not args.no_peer and args.node and not name.endswith("-jsonata"):
                    res, rss, err = run_with_rusage([args.node, "driver-alsf.mjs", "--workload", name,
                                                     "--reps", str(args.reps), "--warmup", str(args.warmup)],
                                                    cwd=args.bench_dir)
                    runs["peer"].append((res or {"status": "error", "error": err}, rss))
            for key, got in runs.items():
                if got:
                    row[key], row[key + "_rss"] = median_round(got)
            rows.append(row)
            print(f"{name:28s} inproc {fmt_rate(row['inproc']):>16s} {fmt_mb(row['inproc_rss']):>5s} MB"
                  + f" | no-history {fmt_rate(row.get('inproc_nh')):>14s}"
                  + (f" | api {fmt_rate(row.get('api')):>14s} {fmt_mb(row.get('api_rss')):>5s} MB" if lam else "")
                  + (f" | peer {fmt_rate(row.get('peer')):>12s} {fmt_mb(row.get('peer_rss')):>5s} MB"
                     if row.get("peer") else ""), flush=True)
            for key in ("inproc", "inproc_nh", "api", "peer"):
                r = row.get(key)
                if r and (r.get("status") != "ok" or not r.get("output_ok", False)):
                    print(f"    {key}: {r.get('error') or r.get('first_mismatch')}", flush=True)
    finally:
        if lam:
            lam.stop()

    args.load_end = os.getloadavg()[0]
    calib = None
    if args.node:
        out = subprocess.run([args.node, "calib.mjs"], cwd=args.bench_dir, capture_output=True, text=True)
        try:
            calib = json.loads(out.stdout.strip().splitlines()[-1])["ops_per_s"]
        except (ValueError, IndexError, KeyError):
            calib = None

    table = render_table(rows, not args.no_api)
    print()
    print(table)
    summary = render_summary(rows)
    notes = render_notes(rows)
    print(summary)
    if notes:
        print(notes)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "calib_ops_per_s": calib}, f, indent=1)
    if args.doc:
        write_doc(args, rows, table, summary + ("\n\n" + notes if notes else ""), calib)
    bad = [r["workload"] for r in rows for k in ("inproc", "inproc_nh", "api", "peer")
           if r.get(k) and (r[k].get("status") != "ok" or not r[k].get("output_ok"))]
    return 1 if bad else 0


def render_table(rows, with_api):
    head = ["workload", "transitions", "Flowstate in-process tr/s", "RSS MB",
            "in-process, no history tr/s"]
    if with_api:
        head += ["Flowstate API tr/s", "server RSS MB"]
    head += ["peer tr/s", "peer RSS MB", "in-process / peer speed", "same, fastest reps",
             "no history / peer speed", "in-process / peer RSS"]
    if with_api:
        head += ["API / peer speed"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        cells = [r["workload"], f"{r['transitions']:,}", fmt_rate(r["inproc"]), fmt_mb(r["inproc_rss"]),
                 fmt_rate(r.get("inproc_nh"))]
        if with_api:
            cells += [fmt_rate(r.get("api")), fmt_mb(r.get("api_rss"))]
        peer = r.get("peer")
        cells += [fmt_rate(peer), fmt_mb(r.get("peer_rss"))]
        sp = ratio(r["inproc"], peer)
        cells.append(f"{sp:.1f}x" if sp else "-")
        a, b = best_rate(r["inproc"]), best_rate(peer)
        cells.append(f"{a / b:.1f}x" if a and b else "-")
        nh = ratio(r.get("inproc_nh"), peer)
        cells.append(f"{nh:.1f}x" if nh else "-")
        mem = r["inproc_rss"] / r["peer_rss"] if peer and r.get("peer_rss") and r.get("inproc_rss") else None
        cells.append(f"{mem:.2f}" if mem else "-")
        if with_api:
            ap = ratio(r.get("api"), peer)
            cells.append(f"{ap:.1f}x" if ap else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_notes(rows):
    out = []
    for r in rows:
        for key, label in (("inproc", "in-process"), ("inproc_nh", "in-process, no history"),
                           ("api", "API"), ("peer", "peer")):
            res = r.get(key)
            if res and (res.get("status") != "ok" or not res.get("output_ok")):
                why = res.get("error") or res.get("first_mismatch") or "?"
                out.append(f"- \\* {r['workload']} ({label}): {why[:300]}")
    return ("Outputs that differ from `expected/` (the rate is still the measured one):\n" + "\n".join(out)) if out else ""


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def render_summary(rows):
    sp = [ratio(r["inproc"], r.get("peer")) for r in rows if r.get("peer")]
    api = [ratio(r.get("api"), r.get("peer")) for r in rows if r.get("peer") and r.get("api")]
    mem = [r["inproc_rss"] / r["peer_rss"] for r in rows if r.get("peer_rss") and r.get("inproc_rss")]
    parts = []
    nh = [ratio(r.get("inproc_nh"), r.get("peer")) for r in rows if r.get("peer")]
    g = geomean(nh)
    if g:
        below = [r["workload"] for r in rows
                 if r.get("peer") and (ratio(r.get("inproc_nh"), r.get("peer")) or 0) < 30]
        parts.append(f"in-process without history vs peer: geometric mean {g:.1f}x "
                     f"(min {min(x for x in nh if x):.1f}x, max {max(x for x in nh if x):.1f}x); "
                     + ("at least 30x (issue 2's target) on every workload"
                        if not below else "below 30x on " + ", ".join(below)))
    g = geomean(sp)
    if g:
        parts.append(f"in-process vs peer: geometric mean {g:.1f}x the transitions/s "
                     f"(min {min(x for x in sp if x):.1f}x, max {max(x for x in sp if x):.1f}x)")
    if mem:
        parts.append(f"peak RSS {min(mem):.2f}-{max(mem):.2f} of the peer's")
    best = [best_rate(r["inproc"]) / best_rate(r["peer"]) for r in rows
            if best_rate(r["inproc"]) and best_rate(r.get("peer"))]
    g = geomean(best)
    if g:
        parts.append(f"comparing each engine's fastest repetition: geometric mean {g:.1f}x "
                     f"(min {min(best):.1f}x, max {max(best):.1f}x)")
    g = geomean(api)
    if g:
        parts.append(f"through the API: geometric mean {g:.1f}x the peer's transitions/s")
    return "; ".join(parts) + "." if parts else ""


def write_doc(args, rows, table, summary, calib):
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        commit = "?"
    cpu = "?"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    limit_note = ""
    if "DataLimitExceeded" in summary:
        limit_note = """
## Why map-10000 "differs" through the API

The expected output of `map-10000` (and `-task`) is a 573 KiB array. Step Functions limits a state's
input/output to 256 KiB and fails such a Map with `States.DataLimitExceeded`; `flowstate serve`
implements AWS's limit (the conformance cases check it), so its answer is the AWS-correct failure.
The rate shown is still the measured one: the whole Map ran; only its final output was refused.
The in-process harness runs with the limit off (`engine::AdvanceOptions::max_payload_bytes = 0`),
as the ASL spec and the peer have none; `flowstate_bench --payload-limit 262144` runs with it.
"""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    peer = next((r["peer"] for r in rows if r.get("peer") and r["peer"].get("peer_version")), {})
    text = f"""# Benchmarks

Flowstate against the strongest installable peer,
[aws-local-stepfunctions](https://www.npmjs.com/package/aws-local-stepfunctions)
{peer.get('peer_version', '3.0.0')} on Node {peer.get('node', '22')}, on the engine-neutral workloads of
`/work/shared/bench` (see its README).
Every number below was measured in one run of one command; ratios compare runs on the same machine
minutes apart, never numbers from different machines.

```sh
{args.command}
```

Measured {now} at commit `{commit}` on {os.cpu_count()} CPU(s) ({cpu}), {platform.system()}
{platform.release()}. Node CPU yardstick (`calib.mjs`): {calib or '?'} ops/s; 1-minute load average
{args.load_start:.1f} at the start and {args.load_end:.1f} at the end (other jobs shared the machine;
absolute rates move with it, the same-run ratios much less). Median of
{args.reps} repetitions after {args.warmup} warm-up within a process, one execution at a time (as the
peer's driver runs); Flowstate's in-process harness adds repetitions until its timed ones add up
to {args.min_seconds:g} s (`--min-seconds`: one of its repetitions can take under a millisecond, the
peer's 30-60 times as long); each engine ran {args.rounds} times per workload, interleaved with the others
(so load from other processes hits them alike), and the table shows the median round (peak RSS:
the largest). Every output is checked against `expected/<workload>.expected.json`.

{table}

{summary}

## What each column measures

- **Flowstate in-process** (`bench/flowstate_bench.cc`): a benchmark harness, not the product's
  API path. It loads the definition once with `asl::LoadDefinition`, then drives the pure
  interpreter `engine::Advance` to completion for every input (building the full AWS execution
  history on the way: every event with its payloads as the JSON text GetExecutionHistory returns),
  answering Task states with in-process `noop`/`incr` functions, as the peer's driver binds its
  Task states to in-process functions. AWS's 256 KiB payload limit is off here (the workloads'
  expected outputs assume none, and the peer has none). RSS is the harness process's peak
  (`getrusage`), which includes the loaded workload and its expected output. Flowstate's
  binaries allocate with mimalloc (Debian `libmimalloc-dev`).
- **in-process, no history**: the same harness with `--no-history`
  (`engine::AdvanceOptions::record_history = false`), as `flowstate run` and Express executions run:
  AWS keeps no execution history for Express workflows, so Flowstate builds none for them (event
  ids are still counted, since error causes cite them). The peer's timed runs build no AWS
  history either: its engine queues a light event per step (a JS object with a type, a timestamp
  and a reference to the state's input or output: no event ids, no details, nothing serialized)
  that `driver-alsf.mjs` never reads. So this is the like-for-like column, the one issue 2's 30x
  target is checked against; the column with history shows what recording Standard's history
  (every event with its payloads as JSON text, as GetExecutionHistory returns them) costs on top.
- **Flowstate API** (`bench/api_bench.cc` against `flowstate serve`): the Step Functions API over
  HTTP/1.1 (AWS JSON 1.0), one `StartSyncExecution` per execution of an EXPRESS state machine
  (the state machine is created once, outside the timing); Task states call the Lambda Invoke API
  of `bench/bench_lambda_server.cc` (noop/incr over HTTP). It includes HTTP, JSON
  (de)serialisation of every request, the store, the runtime, and a real Lambda round trip per
  Task state. RSS is the server's peak (`VmHWM`). Client, server and function server share the
  machine's cores.
- **peer**: `driver-alsf.mjs` unchanged; RSS is the Node process's peak.
- **speed ratios**: "in-process / peer speed" divides the median-repetition rates (the peer
  driver's own statistic); "same, fastest reps" divides the rates of each engine's fastest
  repetition, which other processes on a shared machine disturb least.
- A transition is one state entered (the harness counts `...StateEntered` events and checks the
  count against the manifest).
{limit_note}
## Options

`bench/run.sh --reps N --warmup N --rounds N --only w1,w2 --with-jsonata --no-api --no-peer
--json raw.json`; `BUILD_DIR=...` picks the build directory (default `build-bench`),
`PEERS_DIR=...` the peer's install directory (default `~/.cache/flowstate-peers`). The pieces run
alone too: `build-bench/flowstate_bench --workload map-10000 --reps 5`,
`build-bench/api_bench --endpoint http://127.0.0.1:8083 --workload many-small` (with
`flowstate serve --lambda-endpoint http://127.0.0.1:PORT` and `build-bench/bench_lambda_server`).
"""
    # This run owns only its own block of the file: the sections other benchmarks maintain
    # (JSONata, durable executions, the console) stay as they are.
    begin, end = "<!-- engine-benchmark:begin -->", "<!-- engine-benchmark:end -->"
    block = begin + "\n" + text.rstrip("\n") + "\n" + end + "\n"
    rest = ""
    if os.path.exists(args.doc):
        old = open(args.doc).read()
        if begin in old and end in old:
            rest = old[:old.index(begin)] + "\0" + old[old.index(end) + len(end):].lstrip("\n")
        elif "<!-- " in old:  # written before the block had markers: it ran up to the next one
            rest = "\0" + old[old.index("<!-- "):]
    text = rest.replace("\0", block + ("\n" if rest.split("\0")[1] else "")) if rest else block
    with open(args.doc, "w") as f:
        f.write(text)
    print(f"wrote {args.doc}")


if __name__ == "__main__":
    sys.exit(main())
