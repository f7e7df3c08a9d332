#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""accounts.py PAIRS BIN CONF1 CONF2 - issue 15's benchmark: enable +
disable by one command, with one account (CONF1) and with two (CONF2), run
alternately PAIRS times each.  Prints the medians (ms) as JSON."""
import json
import statistics
import subprocess
import sys
import time

pairs, bg, one, two = sys.argv[1:5]
times = {"one": [], "two": []}
for _ in range(int(pairs)):
    for name, conf in (("one", one), ("two", two)):
        t = time.perf_counter()
        for op in ("enable", "disable"):
            r = subprocess.run([bg, "-c", conf, op, "--reason", "bench"],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
            if r.returncode != 0:
                sys.exit("%s %s failed: %s" % (name, op, r.stderr.decode()))
        times[name].append((time.perf_counter() - t) * 1000)
print(json.dumps({k: statistics.median(v) for k, v in times.items()}))
