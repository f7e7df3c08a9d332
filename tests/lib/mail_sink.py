#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""mail_sink.py - a real SMTP server (aiosmtpd) on 127.0.0.1 for the tests.

  mail_sink.py --port-file F --maildir DIR --cert C --key K
               [--require-starttls] [--smtps] [--no-tls]
               [--user U --password-file F]
               [--port N] [--delay SECONDS]

Each message is stored as DIR/NNNN.eml (raw bytes as received, CRLF kept)
and DIR/NNNN.json (mail_from, rcpt_tos, auth_user, tls).  With --user, AUTH
PLAIN/LOGIN is required and checked; with --require-starttls, MAIL before
STARTTLS is refused.
"""
import argparse
import json
import os
import signal
import ssl
import threading
import warnings

warnings.filterwarnings("ignore")

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ARGS = None
LOCK = threading.Lock()


class Store:
    async def handle_DATA(self, server, session, envelope):
        if ARGS.delay:
            import asyncio
            await asyncio.sleep(ARGS.delay)
        with LOCK:
            n = len([f for f in os.listdir(ARGS.maildir)
                     if f.endswith(".eml")]) + 1
            base = os.path.join(ARGS.maildir, "%04d" % n)
            with open(base + ".eml.tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            meta = {"mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "auth_user": (session.auth_data.login.decode()
                                  if session.auth_data else None),
                    # implicit TLS (--smtps): the listener speaks only TLS
                    "tls": session.ssl is not None or ARGS.smtps}
            with open(base + ".json", "w") as f:
                json.dump(meta, f)
            os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK stored"


def authenticator(server, session, envelope, mechanism, auth_data):
    want = open(ARGS.password_file).read().strip()
    ok = (isinstance(auth_data, LoginPassword) and
          auth_data.login.decode() == ARGS.user and
          auth_data.password.decode() == want)
    return AuthResult(success=ok, handled=False,
                      auth_data=auth_data if ok else None)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--require-starttls", action="store_true")
    ap.add_argument("--smtps", action="store_true")
    ap.add_argument("--no-tls", action="store_true")
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    ap.add_argument("--delay", type=float, default=0,
                    help="seconds to wait before answering DATA")
    ARGS = ap.parse_args()
    os.makedirs(ARGS.maildir, exist_ok=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    port = ARGS.port
    if port == 0:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    kw = dict(hostname="127.0.0.1", port=port)
    if ARGS.smtps:
        kw["ssl_context"] = ctx
    elif ARGS.no_tls:
        pass                    # a relay that offers no STARTTLS
    else:
        kw["tls_context"] = ctx
        kw["require_starttls"] = ARGS.require_starttls
    if ARGS.user:
        kw["authenticator"] = authenticator
        kw["auth_required"] = True
        # with implicit TLS (--smtps) aiosmtpd does not see the session as
        # TLS and would hide AUTH; the whole connection is TLS anyway
        kw["auth_require_tls"] = not ARGS.smtps and not ARGS.no_tls
    ctl = Controller(Store(), **kw)
    ctl.start()
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, ARGS.port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
