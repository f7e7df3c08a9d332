#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""gen_audit.py N FILE - a valid hash-chained audit log of N lines, shaped like
breakglass's own (agent polls and toggles), for the verify/history benchmark."""
import hashlib
import json
import sys

n, path = int(sys.argv[1]), sys.argv[2]
prev = "0" * 64
acct = "CN=btg-admin,OU=Emergency,DC=corp,DC=example,DC=com"
events = [("agent", "outage-declared", None, None, "outage declared after 2 polls: AD1 (serviceInterruption)", "ok"),
          ("agent", "enable", "disabled", "enabled", "outage: AD1 (serviceInterruption)", "started"),
          ("agent", "enable", "disabled", "enabled", "outage: AD1 (serviceInterruption)", "ok"),
          ("cli:alice(uid=1000)", "override-set", "enabled", "disabled", "INC-123 resolved", "ok")]
with open(path, "w") as f:
    for i in range(1, n + 1):
        actor, ev, fr, to, reason, res = events[i % len(events)]
        line = json.dumps({"seq": i, "time": "2026-11-25T01:%02d:%02d.%03dZ" % (
            (i // 60000) % 60, (i // 1000) % 60, i % 1000), "actor": actor,
            "event": ev, "account": acct, "from": fr, "to": to,
            "reason": reason, "result": res, "prev": prev},
            separators=(",", ":"))
        prev = hashlib.sha256(line.encode()).hexdigest()
        f.write(line + "\n")
