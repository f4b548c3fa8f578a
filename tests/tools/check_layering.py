#!/usr/bin/env python3
"""Fails when a module includes a header of a module above it (ARCHITECTURE.md §2)."""
import pathlib
import re
import sys

ALLOWED = {
    "base": set(),
    "json": {"base"},
    "query": {"json", "base"},
    "asl": {"query", "json", "base"},
    "model": {"json", "base"},
    "engine": {"asl", "query", "model", "json", "base"},
    "store": {"model", "json", "base"},
    "tasks": {"model", "json", "base"},
    "runtime": {"engine", "store", "tasks", "model", "asl", "query", "json", "base"},
    "api": {"runtime", "store", "asl", "model", "json", "base", "engine", "query", "tasks"},
    "server": {"api", "runtime", "model", "json", "base"},
    "cli": set(ALLOWED_ALL := ["server", "api", "runtime", "store", "tasks", "engine", "asl",
                               "query", "model", "json", "base"]),
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".") / "src"
    bad = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        module = path.relative_to(root).parts[0]
        allowed = ALLOWED.get(module, set()) | {module}
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if match and match.group(1) in ALLOWED and match.group(1) not in allowed:
                bad.append(f"{path}:{lineno}: {module} may not include {match.group(1)}/")
    for line in bad:
        print(line)
    print(f"layering: {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
