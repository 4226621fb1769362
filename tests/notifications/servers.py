"""Real local servers the notifications tests deliver to: a webhook receiver that checks
signatures, and a small SMTP server. Each runs on its own thread (green, as the test
process is monkey-patched) and listens on a real local port.
"""
import email
import json
import socket
import socketserver
import threading
import time
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notifications import domain


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebhookReceiver:
    """A department's system: accepts signed JSON POSTs on ``url``.

    Created on a port but not listening until ``start()``, so a test can have it down
    first and bring it up later; ``stop()`` takes it down again.
    """

    def __init__(self, secret, port=None):
        self.secret = secret
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/fazhi-hook"
        self.received = []  # (headers, parsed body, signature valid)
        self.server = None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = domain.verify_signature(
                    receiver.secret, self.headers.get(domain.SIGNATURE_HEADER, ""), body,
                    now=time.time())
                receiver.received.append((dict(self.headers), json.loads(body), valid))
                self.send_response(200 if valid else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def events(self):
        return [body["event"] for _headers, body, valid in self.received if valid]


class _TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpServer:
    """Enough of SMTP (RFC 5321) for smtplib: greets, takes one message per DATA, keeps it."""

    def __init__(self):
        self.messages = []  # email.message.EmailMessage
        server = self

        class Session(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.reply("220 localhost test SMTP")
                while line := self.rfile.readline():
                    command = line.decode().strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.reply("250 localhost")
                    elif command.startswith(("MAIL FROM", "RCPT TO", "RSET", "NOOP")):
                        self.reply("250 OK")
                    elif command == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        self.read_data()
                        self.reply("250 OK queued")
                    elif command == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

            def read_data(self):
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                server.messages.append(
                    email.message_from_bytes(b"".join(lines), policy=policy.default))

        self.server = _TcpServer(("127.0.0.1", 0), Session)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
