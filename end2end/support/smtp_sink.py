#!/usr/bin/python3
"""A loopback SMTP server for tests (Debian's python3-aiosmtpd).

Every accepted message is written to DIR as one .eml file (prefixed with an
X-Envelope-To header), atomically, so tests can count and read what arrived.
With --tempfail-every N, every Nth message is refused with 451 (a temporary
failure) to exercise retries. Prints "READY <port>" once listening.
"""
import argparse
import itertools
import os
import signal
import threading
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, tempfail_every):
        self.directory = directory
        self.tempfail_every = tempfail_every
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        if self.tempfail_every and n % self.tempfail_every == 0:
            return "451 4.3.0 Try again later (test sink)"
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        tmp = os.path.join(self.directory, "." + name)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.directory, name))
        return "250 2.0.0 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--tempfail-every", type=int, default=0)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    controller = Controller(Sink(a.dir, a.tempfail_every), hostname="127.0.0.1", port=a.port)
    controller.start()
    print(f"READY {a.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
