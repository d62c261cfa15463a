"""A real SMTP server on loopback for the mail tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py DIR PORT [--auth USER PASSWORD] [--tls CERT KEY]
Listens on 127.0.0.1:PORT. Each message received is saved as DIR/NNN.eml (the raw bytes)
and DIR/NNN.json: envelope and the headers and body as Python's email package decodes
them (an independent decoder of our MIME). Writes DIR/ready once listening; runs until
SIGTERM. A message for defer-data@… is refused with 451 and one for reject-data@… with 554
after its end of data (nothing saved). --auth: AUTH (PLAIN/LOGIN) is required. --tls: STARTTLS is offered and required
before MAIL, with that certificate and key.
"""
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

out_dir, port = sys.argv[1], int(sys.argv[2])
opts = {}
rest = sys.argv[3:]
while rest:
    opts[rest[0]] = (rest[1], rest[2])
    rest = rest[3:]
creds = tuple(v.encode() for v in opts["--auth"]) if "--auth" in opts else None
lock = threading.Lock()


class Saver:
    async def handle_DATA(self, server, session, envelope):
        # Refusals of the end of data (after the whole message), for the outbox's tests.
        if any(r.startswith("defer-data@") for r in envelope.rcpt_tos):
            return "451 4.3.0 try again later"
        if any(r.startswith("reject-data@") for r in envelope.rcpt_tos):
            return "554 5.6.0 message refused"
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
                "tls": session.ssl is not None,
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
    kwargs.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=False)
if "--tls" in opts:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*opts["--tls"])
    kwargs.update(tls_context=context, require_starttls=True)
controller = Controller(Saver(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
open(os.path.join(out_dir, "ready"), "w").close()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
stop.wait()
controller.stop()
