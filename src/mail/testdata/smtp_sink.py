"""A real SMTP server on loopback for the mail tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py DIR PORT [USER PASSWORD]
Listens on 127.0.0.1:PORT. Each message received is saved as DIR/NNN.eml (the raw bytes)
and DIR/NNN.json: envelope and the headers and body as Python's email package decodes
them (an independent decoder of our MIME). Writes DIR/ready once listening; runs until
SIGTERM. With USER and PASSWORD, AUTH (PLAIN/LOGIN) is required over plain text.
"""
import email
import email.policy
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

out_dir, port = sys.argv[1], int(sys.argv[2])
creds = (sys.argv[3].encode(), sys.argv[4].encode()) if len(sys.argv) > 4 else None
lock = threading.Lock()


class Saver:
    async def handle_DATA(self, server, session, envelope):
        with lock:
            n = len([f for f in os.listdir(out_dir) if f.endswith(".eml")]) + 1
            base = os.path.join(out_dir, "%03d" % n)
            raw = envelope.original_content or envelope.content
            with open(base + ".eml", "wb") as f:
                f.write(raw)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            summary = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "subject": str(msg["Subject"]),
                "from": str(msg["From"]),
                "to": str(msg["To"]),
                "date": str(msg["Date"]),
                "message_id": str(msg["Message-ID"]),
                "content_type": msg.get_content_type(),
                "charset": msg.get_content_charset(),
                "body": msg.get_content(),
                "authenticated": bool(getattr(session, "authenticated", False)),
            }
            with open(base + ".json.tmp", "w", encoding="utf-8") as f:
                json.dump(summary, f, ensure_ascii=False)
            os.rename(base + ".json.tmp", base + ".json")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = creds is not None and (auth_data.login, auth_data.password) == creds
    return AuthResult(success=ok, handled=False)


kwargs = {}
if creds is not None:
    kwargs = dict(authenticator=authenticator, auth_required=True,
                  auth_require_tls=False)
controller = Controller(Saver(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
open(os.path.join(out_dir, "ready"), "w").close()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
stop.wait()
controller.stop()
