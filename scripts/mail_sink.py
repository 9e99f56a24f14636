#!/usr/bin/env python3
"""A real SMTP server for tests (aiosmtpd): stores every accepted mail as <n>.eml plus <n>.json (envelope) in --out.

Prints "READY <port>" once listening. Modes: --starttls CERT KEY (offer STARTTLS, required before AUTH),
--implicit-tls CERT KEY (TLS from the first byte), --auth USER:PASS (require AUTH PLAIN/LOGIN),
--reply CODE (answer every DATA with CODE, e.g. 550 or 451, and store nothing).
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out, reply):
        self.out = out
        self.reply = reply
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return f"{self.reply} refused by the test sink"
        self.count += 1
        base = os.path.join(self.out, f"{self.count:05d}")
        with open(base + ".eml.part", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None, "auth": session.authenticated}, f)
        os.rename(base + ".eml.part", base + ".eml")
        return "250 OK stored"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth")
    parser.add_argument("--reply")
    parser.add_argument("--until-killed", action="store_true", help="run until SIGTERM instead of until stdin closes")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    def context(pair):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(pair[0], pair[1])
        return ctx

    options = {"enable_SMTPUTF8": True, "decode_data": False}
    if args.starttls:
        options["tls_context"] = context(args.starttls)
        options["require_starttls"] = False
    if args.auth:
        user, password = args.auth.split(":", 1)
        options["authenticator"] = authenticator(user, password)
        options["auth_require_tls"] = bool(args.starttls or args.implicit_tls)
        options["auth_required"] = True
    port = args.port
    if port == 0:
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    controller = Controller(Sink(args.out, args.reply), hostname="127.0.0.1", port=port,
                            ssl_context=context(args.implicit_tls) if args.implicit_tls else None,
                            server_hostname="localhost", ready_timeout=30, **options)
    controller.start()
    print(f"READY {port}", flush=True)
    try:
        if args.until_killed:
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            threading.Event().wait()
        else:
            sys.stdin.read()  # until the test closes our stdin (or dies)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
