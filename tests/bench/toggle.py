#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""toggle.py PAIRS BIN CONF DC_DIR BIND_UPN SECRET DN CA - the toggle latency
benchmark: enable + disable of the account by breakglass, by ldapmodify (one
bind + one replace each) and by samba-tool on the DC, run alternately
(A B C A B C ...), PAIRS times each.  Prints the medians (ms) as JSON."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

pairs, bg, conf, dc, upn, secret, dn, ca = sys.argv[1:9]
pairs = int(pairs)
env = dict(os.environ, LDAPTLS_CACERT=ca)
tmp = tempfile.mkdtemp(prefix="bg-toggle-")
pw = os.path.join(tmp, "pw")
with open(secret) as f, open(pw, "w") as o:
    o.write(f.read().rstrip("\n"))     # ldapmodify -y takes the file as is
os.chmod(pw, 0o600)
ldif = {}
for name, uac in (("enable", 66048), ("disable", 66050)):
    ldif[name] = os.path.join(tmp, name + ".ldif")
    with open(ldif[name], "w") as f:
        f.write("dn: %s\nchangetype: modify\nreplace: userAccountControl\n"
                "userAccountControl: %d\n" % (dn, uac))
sam = ["-H", os.path.join(dc, "private", "sam.ldb"),
       "-s", os.path.join(dc, "etc", "smb.conf")]
tools = {
    "breakglass": lambda op: [bg, "-c", conf, op, "--reason", "bench"],
    "ldapmodify": lambda op: ["ldapmodify", "-H", "ldaps://127.0.0.1", "-D",
                              upn, "-y", pw, "-f", ldif[op]],
    "samba_tool": lambda op: ["samba-tool", "user", op, "btg-admin"] + sam,
}
times = {k: [] for k in tools}
for _ in range(pairs):
    for name, argv in tools.items():
        t = time.perf_counter()
        for op in ("enable", "disable"):
            r = subprocess.run(argv(op), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
            if r.returncode != 0:
                sys.exit("%s %s failed: %s" % (name, op, r.stderr.decode()))
        times[name].append((time.perf_counter() - t) * 1000)
print(json.dumps({k: statistics.median(v) for k, v in times.items()}))
