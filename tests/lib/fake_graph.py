#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""fake_graph.py - a local HTTPS server shaped like the two Microsoft endpoints
breakglass uses (../../../shared/GRAPH.md), scriptable per test.

  fake_graph.py --cert server.pem --key server.key --port-file F
                --scenario S.json --log requests.jsonl
                [--tenant T] [--client-id ID] [--client-secret-file F]
                [--client-cert PEM]

Endpoints:
  POST /{tenant}/oauth2/v2.0/token      client credentials: client_secret, or a
                                        JWT client assertion verified with the
                                        public key of --client-cert
  GET  /v1.0/admin/serviceAnnouncement/issues   serviceHealthIssue collection;
                                        $filter=isResolved eq false honoured;
                                        paged with an absolute @odata.nextLink
  GET  /v1.0/users/{id|upn}[/transitiveMemberOf]   user ($select honoured)
  GET  /v1.0/identity/conditionalAccess/policies    policies
  GET  /v1.0/auditLogs/signIns          $filter on userPrincipalName and
                                        createdDateTime ge honoured
  GET  /v1.0/users/{id}/authentication/methods, /v1.0/policies/
       identitySecurityDefaultsEnforcementPolicy, /v1.0/domains/{name},
       /v1.0/organization               the tenant facts doctor reads
                                        (see TENANT below)
  POST /v1.0/users/{id|upn}/revokeSignInSessions   {"value": true}
  GET  /v1.0/auditLogs/directoryAudits  directoryAudit collection, $filter on
                                        initiatedBy/user/id and
                                        activityDateTime ge/le honoured
  GET  /probe                           200, for policy.probe_url
  POST /webhook                         a webhook receiver: body logged as
                                        webhook_body; answers by "webhook" mode

The scenario file is read on every request, so a test switches from healthy to
outage by rewriting it (atomically: write + rename).  Schema, every key
optional:
  {"token":  {"mode": "ok|500|429|401|hang|garbage", "retry_after": 2,
              "expires_in": 3599, "fail_times": 0},
   "issues": {"mode": "ok|500|503|429|401|hang|garbage|truncated|html|loop|foreign",
              "retry_after": 2, "fail_times": 0, "page_size": 0,
              "items": [serviceHealthIssue, ...]},
   "probe":  {"mode": "ok|hang"},
   "users":  {"mode": "ok|403|500|...", "items": {"upn": user, ...},
              "member_of": {"user id": ["group id", ...]}},
   "ca":     {"mode": "ok|403|...", "items": [conditionalAccessPolicy, ...]},
   "signins": {"mode": "ok|403|...", "items": [signIn, ...]},
   "revoke": {"mode": "ok|503|403|..."},
   "audits": {"mode": "ok|403|...", "items": [directoryAudit, ...]},
   "webhook": {"mode": "ok|500"},
   "auth_methods": {"mode": "ok|403|...", "items": [authenticationMethod]},
   "security_defaults": {"mode": ..., "isEnabled": false},
   "domains": {"mode": ..., "items": {"name": {domain fields}}},
   "organization": {"mode": ..., "onPremisesSyncEnabled": true,
                    "onPremisesLastSyncDateTime": "..."}}
  Absent, the tenant sections answer as a good tenant: a password and a
  passkey, security defaults off, every domain managed, sync on and 10 min
  old; "domains" with items answers 404 for any other name.
items_first / items_first_times N: the first N issue requests after the
scenario changed see items_first instead of items (a one-poll blip).
fail_times N: the mode applies to the first N requests after the scenario
changed, then the endpoint answers "ok".

Every request is one JSON line in --log: time, method, path, query, status,
auth (bool), client_request_id, peer port (connection reuse), and for token
requests the form with secrets masked and, for assertions, the decoded header
and claims and "assertion_verified".
--token-log FILE gets every issued access token, one a line.
"""
import argparse
import base64
import hashlib
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ARGS = None
TOKENS = set()
LOCK = threading.Lock()
COUNTS = {}          # endpoint -> requests served under the current scenario
SCEN_STAMP = [None]
STOP = threading.Event()


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def load_scenario():
    try:
        st = os.stat(ARGS.scenario)
        with open(ARGS.scenario) as f:
            scen = json.load(f)
    except (OSError, ValueError):
        return {}, None
    return scen, (st.st_mtime_ns, st.st_ino, st.st_size)


def mode_for(scen, stamp, endpoint):
    """The mode of an endpoint now, counting fail_times per scenario."""
    sec = scen.get(endpoint, {})
    mode = sec.get("mode", "ok")
    with LOCK:
        if stamp != SCEN_STAMP[0]:
            SCEN_STAMP[0] = stamp
            COUNTS.clear()
        n = COUNTS.get(endpoint, 0)
        COUNTS[endpoint] = n + 1
    ft = sec.get("fail_times")
    if ft is not None and n >= ft:
        return "ok", sec
    return mode, sec


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def graph_error(code, message):
    return {"error": {"code": code, "message": message, "innerError": {
        "date": now_iso(), "request-id": secrets.token_hex(16),
        "client-request-id": secrets.token_hex(16)}}}


def aad_error(error, desc, codes):
    return {"error": error, "error_description": desc, "error_codes": codes,
            "timestamp": now_iso().replace("T", " "),
            "trace_id": secrets.token_hex(16),
            "correlation_id": secrets.token_hex(16)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if ARGS.verbose:
            sys.stderr.write(fmt % args + "\n")

    def record(self, status, extra=None):
        u = urllib.parse.urlsplit(self.path)
        line = {"time": time.time(), "method": self.command, "path": u.path,
                "query": urllib.parse.unquote(u.query), "status": status,
                "auth": "Authorization" in self.headers,
                "client_request_id": self.headers.get("client-request-id"),
                "port": self.client_address[1]}
        if extra:
            line.update(extra)
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(line) + "\n")

    def send(self, status, body, ctype="application/json", headers=None,
             extra=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        self.wfile.write(body)
        self.record(status, extra)

    def huge(self, extra=None):
        """64 MiB of JSON-looking body, no length: the client must stop."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        chunk = b"{\"value\": [" + b" " * (1 << 20)
        try:
            while sent < 64 << 20:
                self.wfile.write(chunk)
                sent += len(chunk)
                chunk = b" " * (1 << 20)
        except OSError:
            pass
        self.close_connection = True
        self.record(200, dict(extra or {}, huge_sent=sent))

    def hang(self, extra=None):
        self.record("hang", extra)
        STOP.wait(60)
        self.close_connection = True

    def fault(self, mode, sec, kind, extra=None):
        """Answer a fault mode; False if mode is ok."""
        ra = {"Retry-After": sec.get("retry_after", 1)}
        if mode == "ok":
            return False
        if mode == "hang":
            self.hang(extra)
        elif mode == "429":
            body = graph_error("TooManyRequests", "Too many requests") \
                if kind == "graph" else aad_error(
                    "temporarily_unavailable", "AADSTS50196: throttled",
                    [50196])
            self.send(429, body, headers=ra, extra=extra)
        elif mode in ("500", "503", "504"):
            body = graph_error("InternalServerError", "Internal error") \
                if kind == "graph" else aad_error(
                    "server_error", "AADSTS90033: A transient error "
                    "has occurred. Please try again.", [90033])
            self.send(int(mode), body, headers=ra if mode != "500" else {},
                      extra=extra)
        elif mode == "401":
            body = graph_error("InvalidAuthenticationToken",
                               "Access token validation failure.") \
                if kind == "graph" else aad_error(
                    "invalid_client", "AADSTS7000215: Invalid client "
                    "secret provided.", [7000215])
            self.send(401, body, extra=extra)
        elif mode == "403":
            self.send(403, graph_error(
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation."),
                extra=extra)
        elif mode == "garbage":
            self.send(200, b"\x00\xffnot json at all {{{", extra=extra)
        elif mode == "truncated":
            self.send(200, json.dumps({"value": [{"id": "X"}] * 5})[:40],
                      extra=extra)
        elif mode == "html":
            self.send(200, "<html><body>Service Unavailable</body></html>",
                      ctype="text/html", extra=extra)
        elif mode == "wrongtype":
            # the right JSON under the wrong Content-Type
            body = {"value": []} if kind == "graph" else {
                "token_type": "Bearer", "expires_in": 3599,
                "access_token": "x.y.z"}
            self.send(200, body, ctype="text/plain", extra=extra)
        elif mode == "huge":
            self.huge(extra)
        else:
            return False
        return True

    # -- token --------------------------------------------------------
    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode()
        form = dict(urllib.parse.parse_qsl(raw))
        if u.path == "/webhook":
            scen, stamp = load_scenario()
            mode, sec = mode_for(scen, stamp, "webhook")
            extra = {"content_type": self.headers.get("Content-Type"),
                     "webhook_body": raw}
            if mode == "ok":
                return self.send(200, "1", ctype="text/plain", extra=extra)
            return self.send(int(mode) if mode.isdigit() else 500,
                             "error", ctype="text/plain", extra=extra)
        if u.path.startswith("/v1.0/users/"):
            return self.after_use(u, {})
        parts = u.path.strip("/").split("/")
        if len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
            return self.send(404, graph_error("NotFound", "no such path"))
        shown = {k: ("***" if k in ("client_secret",) else v)
                 for k, v in form.items() if k != "client_assertion"}
        extra = {"form": shown, "content_type":
                 self.headers.get("Content-Type")}
        scen, stamp = load_scenario()
        mode, sec = mode_for(scen, stamp, "token")
        if self.fault(mode, sec, "aad", extra):
            return
        problem = None
        if ARGS.tenant and parts[0] != ARGS.tenant:
            problem = ("invalid_request", "AADSTS90002: Tenant not found.",
                       90002, 400)
        elif form.get("grant_type") != "client_credentials":
            problem = ("unsupported_grant_type", "AADSTS70003", 70003, 400)
        elif ARGS.client_id and form.get("client_id") != ARGS.client_id:
            problem = ("unauthorized_client", "AADSTS700016: Application "
                       "not found in the directory.", 700016, 400)
        elif not form.get("scope", "").endswith("/.default"):
            problem = ("invalid_scope", "AADSTS1002012", 1002012, 400)
        elif "client_secret" in form:
            want = open(ARGS.client_secret_file).read().strip() \
                if ARGS.client_secret_file else None
            if want is None or form["client_secret"] != want:
                problem = ("invalid_client", "AADSTS7000215: Invalid client "
                           "secret provided.", 7000215, 401)
        elif "client_assertion" in form:
            ok, info = self.verify_assertion(form)
            extra.update(info)
            extra["assertion_verified"] = ok
            if not ok:
                problem = ("invalid_client", "AADSTS700027: Client assertion "
                           "failed signature validation. " +
                           info.get("why", ""), 700027, 401)
        else:
            problem = ("invalid_client", "AADSTS7000216: client_assertion or "
                       "client_secret is required", 7000216, 401)
        if problem:
            err, desc, code, status = problem
            return self.send(status, aad_error(err, desc, [code]),
                             extra=extra)
        tok = secrets.token_urlsafe(48)
        with LOCK:
            TOKENS.add(tok)
            if ARGS.token_log:  # tests look for it in a core dump
                with open(ARGS.token_log, "a") as f:
                    f.write(tok + "\n")
        exp = sec.get("expires_in", 3599)
        self.send(200, {"token_type": "Bearer", "expires_in": exp,
                        "ext_expires_in": exp, "access_token": tok},
                  extra=extra)

    def verify_assertion(self, form):
        info = {}
        try:
            if form.get("client_assertion_type") != \
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                return False, {"why": "wrong client_assertion_type"}
            h64, c64, s64 = form["client_assertion"].split(".")
            hdr = json.loads(b64url_decode(h64))
            claims = json.loads(b64url_decode(c64))
            info = {"jwt_header": hdr, "jwt_claims": claims}
            cert = x509.load_pem_x509_certificate(
                open(ARGS.client_cert, "rb").read())
            der = cert.public_bytes(serialization.Encoding.DER)
            if hdr.get("typ") != "JWT":
                return False, dict(info, why="typ is not JWT")
            if "x5t#S256" in hdr:
                if hdr["x5t#S256"] != b64url(hashlib.sha256(der).digest()):
                    return False, dict(info, why="x5t#S256 mismatch")
            elif hdr.get("x5t") != b64url(hashlib.sha1(der).digest()):
                return False, dict(info, why="x5t mismatch")
            data, sig = (h64 + "." + c64).encode(), b64url_decode(s64)
            key = cert.public_key()
            if hdr.get("alg") == "RS256":
                key.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
            elif hdr.get("alg") == "PS256":
                key.verify(sig, data, padding.PSS(
                    mgf=padding.MGF1(hashes.SHA256()),
                    salt_length=padding.PSS.DIGEST_LENGTH), hashes.SHA256())
            else:
                return False, dict(info, why="alg not RS256/PS256")
            host = self.headers.get("Host")
            want_aud = "https://%s%s" % (host, urllib.parse.urlsplit(
                self.path).path)
            now = time.time()
            if claims.get("aud") != want_aud:
                return False, dict(info, why="aud %r != %r" % (
                    claims.get("aud"), want_aud))
            if not (claims.get("iss") == claims.get("sub") ==
                    form.get("client_id")):
                return False, dict(info, why="iss/sub != client_id")
            if not claims.get("jti"):
                return False, dict(info, why="no jti")
            if not (claims.get("nbf", now + 999) <= now + 60 <
                    claims.get("exp", 0) + 60):
                return False, dict(info, why="nbf/exp do not cover now")
            return True, info
        except InvalidSignature:
            return False, dict(info, why="bad signature")
        except Exception as e:  # malformed assertion of any kind
            return False, dict(info, why="malformed: %s" % e)

    # -- users, memberships, CA policies, sign-ins ---------------------
    def directory(self, u, q, scen, stamp):
        """GET /v1.0/users/{id|upn}[/transitiveMemberOf],
        /v1.0/identity/conditionalAccess/policies, /v1.0/auditLogs/signIns."""
        parts = u.path.strip("/").split("/")
        if parts[1] == "users":
            kind = "users"
        elif parts[1] == "identity":
            kind = "ca"
        else:
            kind = "signins"
        mode, sec = mode_for(scen, stamp, kind)
        if kind == "signins" and mode == "nolicence":
            return signins_no_licence(self)
        if self.fault(mode, sec, "graph"):
            return
        ctx = "https://graph.microsoft.com/v1.0/$metadata#"
        if kind == "users":
            key = urllib.parse.unquote(parts[2]).lower()
            user = None
            for k, v in sec.get("items", {}).items():
                if k.lower() == key or v.get("id", "").lower() == key:
                    user = v
            if user is None:
                return self.send(404, graph_error(
                    "Request_ResourceNotFound", "Resource '%s' does not "
                    "exist or one of its queried reference-property objects"
                    " are not present." % parts[2]))
            if len(parts) == 4 and parts[3] == "transitiveMemberOf":
                groups = sec.get("member_of", {}).get(user.get("id"), [])
                return self.send(200, {"@odata.context": ctx +
                                       "directoryObjects", "value": [
                    {"@odata.type": "#microsoft.graph.group", "id": g}
                    for g in groups]})
            sel = q.get("$select")
            body = dict(user) if not sel else {
                k: user.get(k) for k in sel.split(",")}
            body["@odata.context"] = ctx + "users/$entity"
            return self.send(200, body)
        if kind == "ca":
            return self.send(200, {"@odata.context": ctx +
                                   "identity/conditionalAccess/policies",
                                   "value": sec.get("items", [])})
        return signins_answer(self, u, q, sec, mode)

    # -- after use: revokeSignInSessions, directoryAudits (issue 16) ----
    def after_use(self, u, q):
        """POST /v1.0/users/{id|upn}/revokeSignInSessions ("revoke"): the
        documented {"@odata.context": ...Edm.Boolean, "value": true}; the
        user must be in users.items when that is set.
        GET /v1.0/auditLogs/directoryAudits ("audits"): directoryAudit
        collection; $filter on initiatedBy/user/id eq and activityDateTime
        ge / le honoured."""
        auth = self.headers.get("Authorization", "")
        with LOCK:
            known = auth.startswith("Bearer ") and auth[7:] in TOKENS
        if not known:
            return self.send(401, graph_error(
                "InvalidAuthenticationToken", "Access token is empty."))
        scen, stamp = load_scenario()
        ctx = "https://graph.microsoft.com/v1.0/$metadata#"
        parts = u.path.strip("/").split("/")
        if self.command == "POST":
            if len(parts) != 4 or parts[3] != "revokeSignInSessions":
                return self.send(404, graph_error("ResourceNotFound",
                                                  "no such resource"))
            mode, sec = mode_for(scen, stamp, "revoke")
            if self.fault(mode, sec, "graph"):
                return
            users = scen.get("users", {}).get("items")
            key = urllib.parse.unquote(parts[2]).lower()
            if users is not None and not any(
                    k.lower() == key or v.get("id", "").lower() == key
                    for k, v in users.items()):
                return self.send(404, graph_error(
                    "Request_ResourceNotFound", "Resource '%s' does not "
                    "exist or one of its queried reference-property objects"
                    " are not present." % parts[2]))
            return self.send(200, {"@odata.context": ctx + "Edm.Boolean",
                                   "value": True})
        mode, sec = mode_for(scen, stamp, "audits")
        if self.fault(mode, sec, "graph"):
            return
        re = __import__("re")
        f = q.get("$filter", "")
        items = sec.get("items", [])
        m = re.search(r"initiatedBy/user/id eq '([^']*)'", f)
        if m:
            items = [i for i in items if ((i.get("initiatedBy") or {})
                     .get("user") or {}).get("id") == m.group(1)]
        for op, keep in (("ge", lambda a, b: a >= b),
                         ("le", lambda a, b: a <= b)):
            m = re.search(r"activityDateTime %s (\S+)" % op, f)
            if m:
                items = [i for i in items
                         if keep(i["activityDateTime"], m.group(1))]
        return self.send(200, {"@odata.context": ctx +
                               "auditLogs/directoryAudits", "value": items},
                         extra={"filter": f})

    # -- Graph ---------------------------------------------------------
    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        scen, stamp = load_scenario()
        if u.path == "/probe":
            mode, sec = mode_for(scen, stamp, "probe")
            if mode == "hang":
                return self.hang()
            return self.send(200, "ok", ctype="text/plain")
        if u.path == "/v1.0/auditLogs/directoryAudits":
            return self.after_use(u, q)
        tenant = tenant_route(u.path)
        other = tenant or (u.path.startswith("/v1.0/users/") or u.path in (
            "/v1.0/identity/conditionalAccess/policies",
            "/v1.0/auditLogs/signIns"))
        if u.path != "/v1.0/admin/serviceAnnouncement/issues" and not other:
            return self.send(404, graph_error("ResourceNotFound",
                                              "no such resource"))
        auth = self.headers.get("Authorization", "")
        with LOCK:
            known = auth.startswith("Bearer ") and auth[7:] in TOKENS
        if not known:
            return self.send(401, graph_error(
                "InvalidAuthenticationToken", "Access token is empty."))
        if tenant:
            return tenant_answer(self, tenant, q, scen, stamp)
        if other:
            return self.directory(u, q, scen, stamp)
        mode, sec = mode_for(scen, stamp, "issues")
        if self.fault(mode, sec, "graph"):
            return
        items = sec.get("items", [])
        with LOCK:
            served = COUNTS.get("issues", 1) - 1
        if served < sec.get("items_first_times", 0):
            items = sec.get("items_first", [])
        if "isResolved eq false" in q.get("$filter", ""):
            items = [i for i in items if not i.get("isResolved")]
        skip = int(q.get("$skiptoken", "0"))
        size = sec.get("page_size") or len(items) or 1
        page = items[skip:skip + size]
        base = "https://%s%s" % (self.headers.get("Host"), u.path)
        body = {"@odata.context": "https://graph.microsoft.com/v1.0/"
                "$metadata#admin/serviceAnnouncement/issues", "value": page}
        nxt = None
        if mode == "loop":
            nxt = base + "?" + u.query
        elif mode == "foreign":
            nxt = "https://graph.evil.example/v1.0/admin/" \
                  "serviceAnnouncement/issues?$skiptoken=1"
        elif skip + size < len(items):
            q2 = dict(q)
            q2["$skiptoken"] = str(skip + size)
            nxt = base + "?" + urllib.parse.urlencode(q2, safe="$ ")
        if nxt:
            body["@odata.nextLink"] = nxt
        self.send(200, body, ctype="application/json; odata.metadata=minimal;"
                  " charset=utf-8", extra={"page_skip": skip})


# -- TENANT: what doctor reads about the tenant (issue 16) ----------------
# Shapes as Microsoft's v1.0 pages show them: "List methods"
# (authentication-list-methods), "Get identitySecurityDefaultsEnforcement
# Policy", "Get domain", "List organization".
TENANT_ROUTES = (
    ("auth_methods", "/v1.0/users/", "/authentication/methods"),
    ("security_defaults",
     "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", ""),
    ("domains", "/v1.0/domains/", ""),
    ("organization", "/v1.0/organization", ""),
)
GOOD_METHODS = [
    {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
     "id": "28c10230-6103-485e-b985-444c60001490", "password": None,
     "createdDateTime": "2026-01-10T09:00:00Z"},
    {"@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
     "id": "-2_GRUg2-HYz6_1YG4YRAQ2", "displayName": "Red key",
     "creationDateTime": "2026-01-10T09:05:00Z",
     "aaGuid": "2fc0579f-8113-47ea-b116-555a8db9202a", "model": "NFC key",
     "attestationCertificates": ["dbe793efdf1945e2df25d93653a1e8a3268a9075"],
     "attestationLevel": "attested"},
]


def tenant_route(path):
    """(kind, the {id|name} segment or None), or None for other paths."""
    for kind, head, tail in TENANT_ROUTES:
        if not tail and not head.endswith("/") and path == head:
            return kind, None
        if head.endswith("/") and path.startswith(head) and \
                path.endswith(tail):
            seg = path[len(head):len(path) - len(tail)]
            if seg and "/" not in seg:
                return kind, urllib.parse.unquote(seg)
    return None


def tenant_answer(h, route, q, scen, stamp):
    kind, seg = route
    mode, sec = mode_for(scen, stamp, kind)
    if h.fault(mode, sec, "graph"):
        return
    ctx = "https://graph.microsoft.com/v1.0/$metadata#"
    if kind == "auth_methods":
        return h.send(200, {"@odata.context": ctx + "users('%s')/"
                            "authentication/methods" % seg,
                            "value": sec.get("items", GOOD_METHODS)})
    if kind == "security_defaults":
        return h.send(200, {
            "@odata.context": ctx +
            "policies/identitySecurityDefaultsEnforcementPolicy",
            "description": "Security defaults is a set of basic identity "
            "security mechanisms recommended by Microsoft. When enabled, "
            "these recommendations will be automatically enforced in your "
            "organization. Administrators and users will be better "
            "protected from common identity related attacks.",
            "displayName": "Security Defaults",
            "id": "00000000-0000-0000-0000-000000000005",
            "isEnabled": sec.get("isEnabled", False)})
    if kind == "domains":
        items = sec.get("items")
        if items is not None and seg.lower() not in \
                [k.lower() for k in items]:
            return h.send(404, graph_error(
                "Request_ResourceNotFound", "Resource '%s' does not exist "
                "or one of its queried reference-property objects are not "
                "present." % seg))
        dom = {"@odata.context": ctx + "domains/$entity",
               "authenticationType": "Managed", "availabilityStatus": None,
               "id": seg, "isAdminManaged": True, "isDefault": False,
               "isInitial": False, "isRoot": True, "isVerified": True,
               "supportedServices": ["Email", "OfficeCommunicationsOnline"],
               "passwordValidityPeriodInDays": None,
               "passwordNotificationWindowInDays": None, "state": None}
        for k, v in (items or {}).items():
            if k.lower() == seg.lower():
                dom.update(v)
        return h.send(200, dom)
    last = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                         time.gmtime(time.time() - 600))
    org = {"id": "84841066-274d-4ec0-a5c1-276be684bdd3",
           "deletedDateTime": None, "businessPhones": ["425-555-0100"],
           "city": None, "country": None, "countryLetterCode": "NL",
           "createdDateTime": "2021-08-02T10:30:06Z",
           "displayName": "Contoso", "marketingNotificationEmails": [],
           "onPremisesLastSyncDateTime": last,
           "onPremisesSyncEnabled": True, "preferredLanguage": "en",
           "securityComplianceNotificationMails": [],
           "securityComplianceNotificationPhones": [],
           "technicalNotificationMails": ["admin@contoso.com"],
           "tenantType": "AAD",
           "verifiedDomains": [{
               "capabilities": "Email, OfficeCommunicationsOnline",
               "isDefault": True, "isInitial": True,
               "name": "Contoso.onmicrosoft.com", "type": "Managed"}]}
    for k in ("onPremisesSyncEnabled", "onPremisesLastSyncDateTime"):
        if k in sec:
            org[k] = sec[k]
    sel = q.get("$select")
    if sel:
        org = {k: org.get(k) for k in sel.split(",")}
    return h.send(200, {"@odata.context": ctx + "organization",
                        "value": [org]})


# -- sign-ins: GET /v1.0/auditLogs/signIns ----------------------------------
# "signins": {"mode": "ok|nolicence|429|...", "items": [signIn, ...],
#             "generate": [{"users": 6, "per_user": 1, "code": 500121,
#                           "app": "Office 365 Exchange Online",
#                           "domain": "corp.example.test", "prefix": "u",
#                           "age": 5}, ...],
#             "page_size": 0}
# generate: signIn objects made at request time, createdDateTime "age"
# seconds ago (default 5), each user a userId and a UPN PREFIXn@DOMAIN.
# $filter: createdDateTime ge, status/errorCode ne 0 / eq N and
# userPrincipalName eq are honoured; pages of page_size (or $top, at most
# 1000, as Graph documents) with an absolute @odata.nextLink ($skiptoken).

SIGNIN_REASONS = {
    0: None,
    50074: "Strong Authentication is required.",
    50076: "Due to a configuration change made by your administrator, or "
           "because you moved to a new location, you must use multi-factor "
           "authentication to access the resource.",
    50126: "Error validating credentials due to invalid username or "
           "password.",
    500121: "Authentication failed during strong authentication request.",
}


def signin_item(n, user, upn, code, app, created):
    """One signIn in the shape of signin-list.md's example."""
    return {
        "id": "%08x-6301-4ee5-be62-%012x" % (n, abs(hash(upn)) % (1 << 48)),
        "createdDateTime": created,
        "userDisplayName": upn.split("@")[0],
        "userPrincipalName": upn, "userId": user,
        "appId": "de8bc8b5-d9f9-48b1-a8ad-b748da725064",
        "appDisplayName": app, "ipAddress": "203.0.113.%d" % (n % 250 + 1),
        "clientAppUsed": "Browser",
        "correlationId": "d79f5bee-5860-4832-928f-%012x" % n,
        "conditionalAccessStatus": "notApplied" if code else "success",
        "isInteractive": True, "riskDetail": "none",
        "riskLevelAggregated": "none", "riskLevelDuringSignIn": "none",
        "riskState": "none", "riskEventTypes": [], "riskEventTypes_v2": [],
        "resourceDisplayName": "Microsoft Graph",
        "resourceId": "00000003-0000-0000-c000-000000000000",
        "status": {"errorCode": code, "failureReason":
                   SIGNIN_REASONS.get(code, "Other."),
                   "additionalDetails": None},
        "deviceDetail": {"deviceId": "", "displayName": None,
                         "operatingSystem": "Windows 10",
                         "browser": "Edge 120.0", "isCompliant": None,
                         "isManaged": None, "trustType": None},
        "location": {"city": "Redmond", "state": "Washington",
                     "countryOrRegion": "US", "geoCoordinates": {
                         "altitude": None, "latitude": 47.68,
                         "longitude": -122.12}},
        "appliedConditionalAccessPolicies": []}


def signins_generated(sec):
    out, n = [], 0
    for g in sec.get("generate", []):
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
            time.time() - g.get("age", 5)))
        for u in range(g.get("users", 1)):
            upn = "%s%d@%s" % (g.get("prefix", "u"), u,
                               g.get("domain", "corp.example.test"))
            user = "26be570a-ae82-4189-b4e2-%012x" % (abs(hash(upn)) %
                                                      (1 << 48))
            for _ in range(g.get("per_user", 1)):
                n += 1
                out.append(signin_item(n, user, upn, g.get("code", 500121),
                                       g.get("app", "Azure Portal"),
                                       created))
    return out


def signins_no_licence(h):
    """The 403 of a tenant without Entra ID P1 (or a B2C tenant)."""
    return h.send(403, graph_error(
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license"))


def signins_answer(h, u, q, sec, mode):
    import re
    items = sec.get("items", []) + signins_generated(sec)
    f = q.get("$filter", "")
    m = re.search(r"createdDateTime ge (\S+)", f)
    if m:
        items = [i for i in items if i["createdDateTime"] >= m.group(1)]
    m = re.search(r"status/errorCode (ne|eq) (-?\d+)", f)
    if m:
        want = int(m.group(2))
        items = [i for i in items if (i["status"]["errorCode"] == want) ==
                 (m.group(1) == "eq")]
    m = re.search(r"userPrincipalName eq '([^']*)'", f)
    if m:
        items = [i for i in items
                 if i["userPrincipalName"].lower() == m.group(1).lower()]
    skip = int(q.get("$skiptoken", "0"))
    size = sec.get("page_size") or min(int(q.get("$top", "1000")), 1000)
    page = items[skip:skip + size]
    body = {"@odata.context": "https://graph.microsoft.com/v1.0/"
            "$metadata#auditLogs/signIns", "value": page}
    if skip + size < len(items):
        q2 = dict(q)
        q2["$skiptoken"] = str(skip + size)
        body["@odata.nextLink"] = "https://%s%s?%s" % (
            h.headers.get("Host"), u.path,
            urllib.parse.urlencode(q2, safe="$/'",
                                   quote_via=urllib.parse.quote))
    return h.send(200, body, extra={"filter": f, "page_skip": skip,
                                    "served": len(page)})


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--tenant")
    ap.add_argument("--client-id")
    ap.add_argument("--client-secret-file")
    ap.add_argument("--client-cert")
    ap.add_argument("--token-log", help="append every issued token here")
    ap.add_argument("--verbose", action="store_true")
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    if ARGS.port_file:
        tmp = ARGS.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, ARGS.port_file)
    print("PORT=%d" % port, flush=True)
    import signal
    signal.signal(signal.SIGTERM, lambda *a: (STOP.set(), threading.Thread(
        target=srv.shutdown).start()))
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    STOP.set()


if __name__ == "__main__":
    main()
