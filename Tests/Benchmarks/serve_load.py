#!/usr/bin/env python3
"""A bounded load on `sriov-audit serve`: C concurrent clients POST N distinct snapshots to
/v1/snapshots on 127.0.0.1 and record what was acknowledged.

Each client is one host (its own token) and sends the host's base snapshot with a new
collectedAt and a changed kernel command line each time, so every request is a distinct
collection with distinct content. A client retries 429/503 (after Retry-After) and connection
errors, up to --retries times, then gives up on that snapshot and records it as undelivered.
The run stops by itself after N snapshots or --max-seconds, whichever comes first.

Writes a JSON result: acknowledged [host, collectedAt, status], undelivered [host, collectedAt,
document], latencies of the acknowledged requests, counts by status.

usage: serve_load.py --url http://127.0.0.1:PORT --tokens FILE --base FLEET.jsonl --count N
                     [--concurrency 64] [--out RESULT.json] [--max-seconds 120] [--retries 5]
--tokens: lines "HOST TOKEN"; --base: JSON lines, one snapshot per host named in --tokens.
"""
import argparse, http.client, json, threading, time, urllib.parse
from datetime import datetime, timedelta, timezone


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--out")
    ap.add_argument("--max-seconds", type=float, default=120)
    ap.add_argument("--retries", type=int, default=5)
    ap.add_argument("--start", default="2026-01-01T00:00:00Z", help="collectedAt of the first snapshot")
    ap.add_argument("--same-content", action="store_true",
                    help="only collectedAt changes (a fleet whose hosts did not change: each push is an observation)")
    args = ap.parse_args()
    result = run(args.url, read_tokens(args.tokens), read_base(args.base), args.count, args.concurrency,
                 args.max_seconds, args.retries, args.start, args.same_content)
    summary = {k: v for k, v in result.items() if k not in ("acknowledged", "undelivered", "latencies")}
    print(json.dumps(summary, sort_keys=True))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f)


def read_tokens(path):
    tokens = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                host, token = line.split()
                tokens[host] = token
    return tokens


def read_base(path):
    base = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                doc = json.loads(line)
                base[doc["host"]["hostname"]] = doc
    return base


def run(url, tokens, base, count, concurrency, max_seconds, retries, start, same_content=False):
    parsed = urllib.parse.urlparse(url)
    hosts = sorted(tokens)[:concurrency]
    first = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    lock = threading.Lock()
    next_index = [0]
    acknowledged, undelivered, latencies = [], [], []
    statuses = {}
    deadline = time.monotonic() + max_seconds

    def take():
        with lock:
            if next_index[0] >= count or time.monotonic() > deadline:
                return None
            next_index[0] += 1
            return next_index[0] - 1

    def client(host):
        token = tokens[host]
        # The document is serialized once, with markers where the two changing values go; each
        # request joins the pieces (re-serializing 100 KB per request would cost the load
        # generator more CPU than the server it measures, on the same cores).
        doc = json.loads(json.dumps(base[host]))
        cmdline = doc["host"].get("kernelCommandLine") or ""
        doc["collectedAt"] = "\u0001TIME\u0001"
        doc["host"]["kernelCommandLine"] = "\u0001CMDLINE\u0001"
        text = json.dumps(doc, separators=(",", ":"))
        head, rest = text.split("\\u0001TIME\\u0001")
        middle, tail = rest.split("\\u0001CMDLINE\\u0001")
        head, middle, tail = head.encode(), middle.encode(), tail.encode()
        connection = None
        while True:
            n = take()
            if n is None:
                break
            collected = (first + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            line = cmdline if same_content else cmdline + " load=%d" % n
            body = head + collected.encode() + middle + json.dumps(line)[1:-1].encode() + tail
            headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token,
                       "Idempotency-Key": "%s-%d" % (host, n)}
            delivered = False
            for attempt in range(retries + 1):
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
                    began = time.monotonic()
                    connection.request("POST", "/v1/snapshots", body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    elapsed = time.monotonic() - began
                    status = response.status
                    with lock:
                        statuses[status] = statuses.get(status, 0) + 1
                    if 200 <= status < 300:
                        with lock:
                            acknowledged.append([host, collected, str(status)])
                            latencies.append(elapsed)
                        delivered = True
                        break
                    if status in (429, 503):
                        time.sleep(min(5.0, float(response.getheader("Retry-After", "1"))))
                        continue
                    break  # any other status: asking again will not change the answer
                except (OSError, http.client.HTTPException):
                    with lock:
                        statuses["connection-error"] = statuses.get("connection-error", 0) + 1
                    if connection is not None:
                        connection.close()
                    connection = None
                    time.sleep(0.2 * (attempt + 1))
            if not delivered:
                with lock:
                    undelivered.append([host, collected, json.loads(body)])
        if connection is not None:
            connection.close()

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(host,)) for host in hosts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    ordered = sorted(latencies)

    def percentile(p):
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else None

    return {
        "acknowledged": acknowledged, "undelivered": undelivered, "latencies": latencies,
        "sent": next_index[0], "acknowledgedCount": len(acknowledged), "undeliveredCount": len(undelivered),
        "wallSeconds": round(wall, 3), "perSecond": round(len(acknowledged) / wall, 1) if wall > 0 else 0,
        "p50Ms": round(percentile(0.50) * 1000, 1) if ordered else None,
        "p99Ms": round(percentile(0.99) * 1000, 1) if ordered else None,
        "statuses": {str(k): v for k, v in statuses.items()},
    }


if __name__ == "__main__":
    main()
