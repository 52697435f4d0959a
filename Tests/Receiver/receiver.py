#!/usr/bin/env python3
"""A scripted HTTP(S) receiver for sriov-audit's push tests: answers POSTs with a planned sequence
of statuses, checks the bearer token without ever writing it down, and logs one JSON line per
request (path, Idempotency-Key, body digest, what it answered)."""
import argparse, hashlib, http.server, json, os, ssl, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--script", default="200", help="statuses answered in order; the last one repeats")
parser.add_argument("--retry-after", default=None, help="Retry-After value sent with 429/503")
parser.add_argument("--token-env", default="RECEIVER_TOKEN", help="variable holding the expected token")
parser.add_argument("--hang", action="store_true", help="accept and never answer")
parser.add_argument("--cert"), parser.add_argument("--key")
parser.add_argument("--client-ca", help="require a client certificate signed by this CA")
parser.add_argument("--body-dir", help="keep each body as IDEMPOTENCY-KEY.N.json")
args = parser.parse_args()

script = [int(s) for s in args.script.split(",")]
expected = os.environ.get(args.token_env)
lock = threading.Lock()
count = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        if args.hang:
            time.sleep(3600)
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        auth = self.headers.get("Authorization")
        with lock:
            index = count[0]
            count[0] += 1
        status = script[min(index, len(script) - 1)]
        if expected is not None and status < 300 and auth != "Bearer " + expected:
            status = 401
        key = self.headers.get("Idempotency-Key")
        entry = {
            "n": index, "path": self.path, "status": status, "idempotency_key": key,
            "content_type": self.headers.get("Content-Type"), "kind": self.headers.get("X-Sriov-Audit-Kind"),
            "authorization": None if auth is None else ("ok" if expected is not None and auth == "Bearer " + expected else "other"),
            "body_sha256": hashlib.sha256(body).hexdigest(), "body_length": len(body), "time": time.time(),
            "user_agent": self.headers.get("User-Agent"),
        }
        if args.body_dir and key:
            with open(os.path.join(args.body_dir, "%s.%d.json" % (key, index)), "wb") as f:
                f.write(body)
        with lock, open(args.log, "a") as log:
            log.write(json.dumps(entry) + "\n")
        reply = json.dumps({"status": status}).encode()
        self.send_response(status)
        if status in (429, 503) and args.retry_after:
            self.send_header("Retry-After", args.retry_after)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
server.daemon_threads = True
if args.cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    server.socket = context.wrap_socket(server.socket, server_side=True)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
