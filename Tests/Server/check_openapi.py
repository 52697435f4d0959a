#!/usr/bin/env python3
"""Checks a running `sriov-audit serve` against its OpenAPI document (Sources/Server/openapi.yaml).

The document itself is validated (openapi-spec-validator); then every operation is called, with
good and bad input, and each answer must have a status the document lists for that operation,
and a JSON body that validates against the schema listed for that status (jsonschema, with the
document's $refs inlined). Every path of the document must have been called.

usage: check_openapi.py --spec openapi.yaml --url http://127.0.0.1:PORT --host NAME --host-token T
       --reader-token T --snapshot A.json --snapshot2 B.json --report R.json --enroll-secret S
"""
import argparse, copy, json, sys, urllib.error, urllib.request

import jsonschema
import yaml
from openapi_spec_validator import validate as validate_spec


def inline(node, spec, depth=0):
    """The schema with every local $ref replaced by what it points to."""
    if depth > 40:
        raise ValueError("$ref nesting too deep")
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return inline(copy.deepcopy(target), spec, depth + 1)
        return {k: inline(v, spec, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(v, spec, depth + 1) for v in node]
    return node


def main():
    ap = argparse.ArgumentParser()
    for name in ("spec", "url", "host", "host-token", "reader-token", "snapshot", "snapshot2", "report", "enroll-secret"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--wait-for-audit", action="store_true", help="wait (20 s at most) for a scheduled audit that saw the pushes")
    args = ap.parse_args()
    spec = yaml.safe_load(open(args.spec))
    validate_spec(spec)
    problems, called, checked = [], set(), 0

    def call(template, method, path, status_expected=None, token=None, body=None, content_type="application/json", headers=None):
        nonlocal checked
        request = urllib.request.Request(args.url + path, method=method.upper(), data=body)
        if body is not None:
            request.add_header("Content-Type", content_type)
        if token:
            request.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            request.add_header(k, v)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload, ctype = response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, payload, ctype = error.code, error.read(), error.headers.get("Content-Type", "")
        called.add(template)
        checked += 1
        operation = spec["paths"][template][method]
        where = "%s %s -> %d" % (method.upper(), path, status)
        if status_expected is not None and status != status_expected:
            problems.append("%s: expected %d (%s)" % (where, status_expected, payload[:200]))
        documented = operation["responses"].get(str(status))
        if documented is None:
            problems.append("%s: status not in the document" % where)
            return status, payload
        documented = inline(documented, spec)
        content = documented.get("content", {})
        media = ctype.split(";")[0].strip()
        if content and media not in content:
            problems.append("%s: Content-Type %s not documented (%s)" % (where, media, ", ".join(content)))
        elif media == "application/json":
            try:
                jsonschema.validate(json.loads(payload), content[media]["schema"], cls=jsonschema.Draft202012Validator,
                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
            except (ValueError, jsonschema.ValidationError) as error:
                problems.append("%s: body does not match the document: %s" % (where, str(error).splitlines()[0]))
        return status, payload

    snap = open(args.snapshot, "rb").read()
    snap2 = open(args.snapshot2, "rb").read()
    report = open(args.report, "rb").read()
    run_id = json.loads(report)["runId"]
    H, R, host = args.host_token, args.reader_token, args.host

    call("/healthz", "get", "/healthz", 200)
    call("/readyz", "get", "/readyz", 200)
    call("/metrics", "get", "/metrics", 200)
    call("/v1/snapshots", "post", "/v1/snapshots", 201, H, snap, headers={"Idempotency-Key": "a"})
    call("/v1/snapshots", "post", "/v1/snapshots", 200, H, snap, headers={"Idempotency-Key": "a"})
    call("/v1/snapshots", "post", "/v1/snapshots", 201, H, snap2)
    call("/v1/snapshots", "post", "/v1/snapshots", 401, "sra_" + "0" * 64, snap)
    call("/v1/snapshots", "post", "/v1/snapshots", 403, R, snap)
    call("/v1/snapshots", "post", "/v1/snapshots", 415, H, snap, content_type="text/plain")
    call("/v1/snapshots", "post", "/v1/snapshots", 422, H, b'{"schemaVersion": 1}')
    call("/v1/reports", "post", "/v1/reports", 201, H, report)
    call("/v1/reports", "post", "/v1/reports", 200, H, report)
    call("/v1/reports", "post", "/v1/reports", 422, H, b"[]")
    call("/v1/enroll", "post", "/v1/enroll", 401, None, json.dumps({"hostname": "new-host", "secret": "wrong" * 4}).encode())
    call("/v1/enroll", "post", "/v1/enroll", 201, None, json.dumps({"hostname": "new-host", "secret": args.enroll_secret}).encode())
    call("/v1/enroll", "post", "/v1/enroll", 409, None, json.dumps({"hostname": "new-host", "secret": args.enroll_secret}).encode())
    call("/v1/enroll", "post", "/v1/enroll", 422, None, b'{"hostname": 5}')
    call("/v1/hosts", "get", "/v1/hosts", 200, R)
    call("/v1/hosts", "get", "/v1/hosts?select=site%3Dnowhere", 200, R)
    call("/v1/hosts", "get", "/v1/hosts?select=nonsense", 422, R)
    call("/v1/hosts", "get", "/v1/hosts", 401)
    call("/v1/hosts", "get", "/v1/hosts", 403, H)
    call("/v1/hosts/{name}", "get", "/v1/hosts/" + host, 200, R)
    call("/v1/hosts/{name}", "get", "/v1/hosts/nobody", 404, R)
    call("/v1/hosts/{name}/history", "get", "/v1/hosts/%s/history" % host, 200, R)
    call("/v1/hosts/{name}/diff", "get", "/v1/hosts/%s/diff" % host, 200, R)
    call("/v1/hosts/{name}/diff", "get", "/v1/hosts/%s/diff?to=yesterday" % host, 422, R)
    call("/v1/hosts/{name}/reports", "get", "/v1/hosts/%s/reports" % host, 200, R)
    call("/v1/hosts/{name}/reports/{run}", "get", "/v1/hosts/%s/reports/%s" % (host, run_id), 200, R)
    call("/v1/hosts/{name}/reports/{run}", "get", "/v1/hosts/%s/reports/nope" % host, 404, R)
    if args.wait_for_audit:
        import time
        for _ in range(200):
            try:
                latest = urllib.request.Request(args.url + "/v1/audit/latest", headers={"Authorization": "Bearer " + R})
                with urllib.request.urlopen(latest, timeout=10) as response:
                    if host.encode() in response.read():
                        break
            except urllib.error.HTTPError:
                pass
            time.sleep(0.1)
    call("/v1/audit/latest", "get", "/v1/audit/latest", 200, R)
    call("/reports/latest.html", "get", "/reports/latest.html", 200, R)

    for path in spec["paths"]:
        if path not in called:
            problems.append("%s: documented but never called" % path)
    for problem in problems:
        print("PROBLEM: " + problem)
    print("%d requests to %d documented paths checked against the OpenAPI document: %s"
          % (checked, len(spec["paths"]), "OK" if not problems else "%d problem(s)" % len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
