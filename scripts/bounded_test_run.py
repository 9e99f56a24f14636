#!/usr/bin/env python3
"""Runs `swift test` (or any command) under a time limit that fails loudly.

The whole output goes to --log; the console gets it without the server's info/debug log lines. The run is stopped
(its whole process group) when it exceeds --limit seconds in all, or prints nothing for --quiet seconds; then the
tests that started and never finished are named, so a hang says where it is instead of waiting out CI.
Exit status: the command's own, or 124 when it was stopped.
"""
import argparse
import collections
import os
import re
import selectors
import signal
import subprocess
import sys
import time

STARTED = re.compile(r"Test (?:\"[^\"]*\" |)(\S.*?) started\.$")
ENDED = re.compile(r"Test (?:\"[^\"]*\" |)(\S.*?) (?:passed|failed|skipped)(?: after| with|\.|$)")
SERVER_LOG = re.compile(r"^20[0-9-]+T.* (info|debug|trace) ")


def test_name(match_line, pattern):
    found = pattern.search(match_line)
    return found.group(1) if found else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=2400, help="seconds for the whole run")
    parser.add_argument("--quiet", type=int, default=600, help="seconds without any output")
    parser.add_argument("--log", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    running = collections.Counter()
    started_at = {}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    begin = last_output = time.monotonic()
    stopped = None
    pending = b""
    with open(args.log, "wb") as log:
        while True:
            now = time.monotonic()
            if now - begin > args.limit:
                stopped = f"the run took longer than {args.limit} s"
            elif now - last_output > args.quiet:
                stopped = f"the run printed nothing for {args.quiet} s"
            if stopped:
                break
            if not selector.select(timeout=5):
                if process.poll() is not None:
                    break
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            last_output = time.monotonic()
            log.write(chunk)
            log.flush()
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace")
                name = test_name(line, STARTED)
                if name:
                    running[name] += 1
                    started_at.setdefault(name, time.monotonic())
                else:
                    name = test_name(line, ENDED)
                    if name and running[name] > 0:
                        running[name] -= 1
                if not SERVER_LOG.match(line):
                    print(line, flush=True)
    if stopped:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        still = sorted((name for name, count in running.items() if count > 0), key=lambda n: started_at.get(n, 0))
        print(f"\nSTOPPED: {stopped}. Tests still running ({len(still)}):", flush=True)
        for name in still:
            print(f"  {name} (for {int(time.monotonic() - started_at[name])} s)", flush=True)
        return 124
    if pending:
        print(pending.decode("utf-8", "replace"), flush=True)
    return process.wait()


if __name__ == "__main__":
    sys.exit(main())
