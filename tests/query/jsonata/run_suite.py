#!/usr/bin/env python3
"""Runs the JSONata conformance suite against jsonata_line_tool and fails when fewer cases
pass than the recorded threshold (the suite's own exit status is non-zero on any failure).

usage: run_suite.py <suite-dir> <min-passed> [--skip-file FILE] <evaluator> [evaluator args...]

With --skip-file (the suite runner's own option, for cases that fail by design), any failure
left is a regression too.
"""
import re
import subprocess
import sys


def main():
    suite, min_passed, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    runner_args = []
    if rest[:1] == ["--skip-file"]:
        runner_args, rest = rest[:2], rest[2:]
    proc = subprocess.run([sys.executable, f"{suite}/run.py", "-q", "-j", "2"] + runner_args +
                          ["--"] + rest, capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    last = lines[-1] if lines else ""
    print(last)
    match = re.match(r"(\d+) passed, (\d+) failed", last)
    if not match:
        print(proc.stdout, proc.stderr)
        return 2
    passed, failed = int(match.group(1)), int(match.group(2))
    if passed < min_passed:
        print(f"regression: {passed} passed, threshold {min_passed}")
        return 1
    if runner_args and failed:
        print(proc.stdout)
        print(f"regression: {failed} failed outside the skip file")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
