#!/usr/bin/env python3
"""ntio_bench_quick: runs `ntio_gates --quick --json -` and checks that the harness works: every
gate of the table produced a result with sane numbers (finite, ratio > 0 where the gate is a ratio
of two timings) or a SKIP with a reason, and every baseline a positive finite figure or a SKIP.
It never looks at verdicts: ratios do not gate CI."""
import json
import math
import subprocess
import sys

# The gates and parts the spec names (and issue 6's verifier cost gates); each must appear in the run.
EXPECTED = ["A1", "A2", "A3", "A4", "A4.port", "A5", "A6", "B1", "B1.asio", "B2", "B3", "B4",
            "C1", "C1.16M", "C2", "C2.fio", "C3", "C4", "C5", "D1", "V1", "V2", "V3"]
# Gates whose value is a count that may legitimately be 0 (allocations, waits, enter calls).
COUNTS = {"A6", "B2", "B2.sim", "C5"}


def finite(x):
    return isinstance(x, (int, float)) and math.isfinite(x)


def main():
    if len(sys.argv) < 2:
        print("usage: check_quick_json.py <command...>   (e.g. ntio bench)", file=sys.stderr)
        return 2
    run = subprocess.run(sys.argv[1:] + ["--quick", "--json", "-"], stdout=subprocess.PIPE, timeout=200)
    if run.returncode != 0:
        print(f"{' '.join(sys.argv[1:])} exited with {run.returncode}", file=sys.stderr)
        return 1
    doc = json.loads(run.stdout)
    errors = []
    seen = set()
    for gate in doc["gates"]:
        gid = gate["id"]
        seen.add(gid)
        if gate["verdict"] not in ("pass", "FAIL", "SKIP", "info"):
            errors.append(f"{gid}: verdict {gate['verdict']!r}")
        if gate["skipped"] is not None:
            if gate["verdict"] != "SKIP" or not gate["skipped"]:
                errors.append(f"{gid}: skipped without a SKIP verdict and a reason")
            continue
        ratio = gate["ratio"]
        values = [ratio["median"], ratio["min"], ratio["max"], gate["ntio"]["median"], gate["baseline"]["median"]]
        if not all(finite(v) for v in values):
            errors.append(f"{gid}: non-finite figure in {values}")
            continue
        if not ratio["min"] <= ratio["median"] <= ratio["max"]:
            errors.append(f"{gid}: median {ratio['median']} outside [{ratio['min']}, {ratio['max']}]")
        if gid not in COUNTS and ratio["median"] <= 0:
            errors.append(f"{gid}: ratio {ratio['median']} <= 0")
        if gid in COUNTS and ratio["median"] < 0:
            errors.append(f"{gid}: negative count {ratio['median']}")
        print(f"{gid:9} {gate['verdict']:5} ratio {ratio['median']:.4g} [{ratio['min']:.4g}-{ratio['max']:.4g}]"
              f" limit {gate['comparison']} {gate['limit']}")
    for gid in EXPECTED:
        if gid not in seen:
            errors.append(f"{gid}: no result")
    if not doc["baselines"]:
        errors.append("no baselines table")
    for b in doc["baselines"]:
        if b["skipped"] is None and not (finite(b["median"]) and b["median"] > 0 and b["min"] <= b["median"] <= b["max"]):
            errors.append(f"baseline {b['name']}: bad figures {b['median']} [{b['min']}, {b['max']}]")
    for key in ("cpu", "cpus", "kernel", "compiler", "load_average_start", "load_average_end"):
        if key not in doc["machine"]:
            errors.append(f"machine info lacks {key}")
    # --pairs and --seconds reach the runner (the JSON reports them), and a bad count is refused.
    run = subprocess.run(sys.argv[1:] + ["--gate", "A5", "--pairs", "2", "--seconds", "0.01", "--json", "-"],
                         stdout=subprocess.PIPE, timeout=60)
    if run.returncode != 0:
        errors.append(f"--pairs 2 --seconds 0.01 exited with {run.returncode}")
    else:
        small = json.loads(run.stdout)
        if small["pairs"] != 2 or small["min_seconds"] != 0.01 or [g["id"] for g in small["gates"]] != ["A5"]:
            errors.append(f"--pairs 2 --seconds 0.01 --gate A5 gave pairs {small['pairs']}, "
                          f"min_seconds {small['min_seconds']}, gates {[g['id'] for g in small['gates']]}")
    bad = subprocess.run(sys.argv[1:] + ["--gate", "A5", "--pairs", "0"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, timeout=60)
    if bad.returncode == 0:
        errors.append("--pairs 0 was accepted")
    for e in errors:
        print("error:", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
