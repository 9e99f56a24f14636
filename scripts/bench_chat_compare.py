#!/usr/bin/env python3
"""Side by side: `kefu bench chat` against servers built from different commits, in one run.

Each round starts every server fresh (its own data folder, or a fresh PostgreSQL database), runs the same load
with the same load tool (the first binary's `kefu bench chat`), stops the server, and moves to the next binary, so
both see the same machine at nearly the same time. Prints one JSON line per run and a table of medians.

    scripts/bench_chat_compare.py --binary main=/tmp/kefu-main --binary new=.build/release/kefu \
        --customers 125 --messages 40 --rounds 3 [--postgres postgres://user@host:5432/postgres]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server not ready in time")


def fresh_postgres(base_url, name):
    """A new, empty database next to the one named (dropped first if a previous run left it)."""
    admin = subprocess.run(["psql", base_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", f"DROP DATABASE IF EXISTS {name}",
                            "-c", f"CREATE DATABASE {name}"], capture_output=True, text=True)
    if admin.returncode != 0:
        raise RuntimeError(admin.stderr)
    return re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", base_url, count=1)


def run_once(label, binary, tool, args, round_index):
    folder = tempfile.mkdtemp(prefix=f"kefu-compare-{label}-")
    port = free_port()
    # The load tool runs on this machine: loopback is exempt from the per-address limits (docs/BENCHMARKS.md).
    env = dict(os.environ, KEFU_LOG_LEVEL="error", KEFU_LIMITS_EXEMPT_LOOPBACK="true")
    if args.postgres:
        env["KEFU_DATABASE_URL"] = fresh_postgres(args.postgres, f"kefu_compare_{label}_{round_index}")
    server = subprocess.Popen([binary, "serve", "--demo", "--data-dir", folder, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        password = None
        for line in server.stdout:
            found = re.search(r"Demo owner: (\S+) password: (\S+)", line)
            if found:
                email, password = found.group(1), found.group(2)
                break
        if password is None:
            raise RuntimeError("the server printed no demo owner")
        wait_ready(port, server)
        command = [tool, "bench", "chat", "--url", f"http://127.0.0.1:{port}", f"--email={email}", "--password-stdin",
                   "--customers", str(args.customers), "--messages", str(args.messages), "--rate", str(args.rate),
                   "--json"]
        if args.agents:
            command += ["--agents", str(args.agents)]
        done = subprocess.run(command, input=password + "\n", capture_output=True, text=True, timeout=args.timeout)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        report = json.loads(done.stdout.strip().splitlines()[-1])
        report["label"] = label
        return report
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append", required=True, help="label=path of a kefu binary (2 or more)")
    parser.add_argument("--customers", type=int, default=125)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--rate", type=float, default=8.0)
    parser.add_argument("--agents", type=int)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL; each run gets a fresh database beside it")
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args()
    binaries = [entry.split("=", 1) for entry in args.binary]
    tool = binaries[0][1]
    results = {label: [] for label, _ in binaries}
    for index in range(args.rounds):
        for label, binary in binaries:
            report = run_once(label, binary, tool, args, index)
            results[label].append(report)
            print(json.dumps(report, sort_keys=True), flush=True)
    offered = args.customers * args.rate
    print(f"\noffered {offered:.0f}/s, {args.customers} customers x {args.messages}, {args.rounds} rounds")
    print("label | throughput/s (median, runs) | p50 ms | p99 ms | c->a p99 | a->c p99 | lost | duplicated")
    for label, reports in results.items():
        def median(key):
            return statistics.median(r[key] for r in reports)
        runs = ", ".join(f"{r['throughput_per_s']:.0f}" for r in reports)
        print(f"{label} | {median('throughput_per_s'):.0f} ({runs}) | {median('p50_ms'):.1f} | {median('p99_ms'):.1f}"
              f" | {median('customer_to_agent_p99_ms'):.1f} | {median('agent_to_customer_p99_ms'):.1f}"
              f" | {sum(r['lost'] for r in reports)} | {sum(r['duplicated'] for r in reports)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
