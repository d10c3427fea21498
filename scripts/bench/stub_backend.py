#!/usr/bin/env python3
"""A stand-in for the app behind Varnish, for scripts/bench/varnish-vcl-check.sh.

Pages answer with s-maxage=2, stale-while-revalidate=3, stale-if-error=60 and the tags
`page-a front` (in xkey and Surrogate-Key); the body counts renders and echoes the Cookie and
Accept-Encoding it was sent. /plain has no Cache-Control, /cookie sets a cookie; /fail makes
every later request (and /healthz) answer 500 until /unfail.
"""
import http.server, sys, time, threading
state = {"n": 0, "fail": False}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        self._send(200, b"posted", {})

    def do_GET(self):
        state["n"] += 1
        if self.path == "/healthz":
            code = 500 if state["fail"] else 200
            self._send(code, b"ok", {})
            return
        if self.path == "/fail":
            state["fail"] = True; self._send(200, b"now failing", {}); return
        if self.path == "/unfail":
            state["fail"] = False; self._send(200, b"ok", {}); return
        if state["fail"]:
            self._send(500, b"down", {"Cache-Control": "no-store"}); return
        hdr = {"Cache-Control": "public, max-age=0, s-maxage=2, stale-while-revalidate=3, stale-if-error=60",
               "xkey": "page-a front", "Surrogate-Key": "page-a front", "Vary": "Cookie, Accept-Encoding"}
        if self.path == "/plain": hdr = {}
        if self.path == "/cookie": hdr["Set-Cookie"] = "x=1"
        body = f"render {state['n']} cookie={self.headers.get('Cookie')} ae={self.headers.get('Accept-Encoding')}".encode()
        self._send(200, body, hdr)
    def _send(self, code, body, hdr):
        self.send_response(code)
        for k, v in hdr.items(): self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
