#!/usr/bin/env python3
"""Checks deploy/grafana/sfu-server.json against a running sfu-server.

Every metric the dashboard's PromQL names must be a sample in /metrics of a fresh server (after
one CreateMeeting, so the control API's families exist); every equality label matcher must match
a series; rate() and friends only take counters and histogram parts. The dashboard must use the
Prometheus datasource variable and cover the families listed in REQUIRED. The checker is shown
to catch a planted unknown metric, label value and rate() over a gauge.
Environment: SFU_SERVER_BIN (default build/sfu-server).
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "sfu-server.json")
# Families the dashboard must show (README.md, "Metrics and health", "Dashboard").
REQUIRED = [
    "sfu_meetings", "sfu_attendees", "sfu_connected_attendees", "sfu_signaling_frames_total",
    "sfu_signaling_refusals_total", "sfu_shard_cpu_seconds_total", "sfu_shard_late_ticks_total",
    "sfu_mixer_tick_cpu_microseconds_bucket", "sfu_shard_packets_total", "sfu_shard_drops_total",
    "sfu_video_packets_total", "sfu_video_layer_switches_total",
    "sfu_api_request_duration_seconds_bucket", "sfu_api_requests_total",
    "sfu_shard_stream_connections_total", "sfu_shard_stream_datagrams_total",
    "sfu_shard_turn_events_total",
]
# PromQL words that are not metric names.
KEYWORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "and", "or", "unless", "offset", "inf", "nan",
}
LABEL_LIST_AFTER = {"by", "without", "on", "ignoring", "group_left", "group_right"}
RATE_FUNCS = {"rate", "irate", "increase"}
ADDED_BY_PROMETHEUS = {"instance", "job"}  # scrape labels, not in the exposition
TOKEN = re.compile(r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<range>\[[^\]]*\])|(?P<var>\$\w+)
                     |(?P<num>\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(?P<id>[A-Za-z_:][A-Za-z0-9_:]*)
                     |(?P<sym>=~|!~|!=|==|>=|<=|[{}(),=<>+\-*/%^]))""", re.X)


def tokens(expr):
    out, pos = [], 0
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip() == "":
                break
            raise ValueError(f"cannot tokenize at {expr[pos:pos + 20]!r} in {expr!r}")
        out.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    return out


def selectors(expr):
    """(metric, [(label, op, value)], inside rate()) for each vector selector in expr."""
    toks, found, i = tokens(expr), [], 0
    while i < len(toks):
        kind, text = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else ("", "")
        if kind == "id" and text in LABEL_LIST_AFTER and nxt == ("sym", "("):
            i = toks.index(("sym", ")"), i) + 1  # skip "by (label, ...)"
            continue
        if kind == "id" and nxt != ("sym", "(") and text.lower() not in KEYWORDS:
            in_rate = i >= 2 and toks[i - 1] == ("sym", "(") and toks[i - 2][1] in RATE_FUNCS
            matchers = []
            if nxt == ("sym", "{"):
                close = toks.index(("sym", "}"), i)
                body = [t for t in toks[i + 2:close] if t != ("sym", ",")]
                if len(body) % 3 or any(body[j][0] != "id" or body[j + 2][0] != "str"
                                        for j in range(0, len(body), 3)):
                    raise ValueError(f"cannot read the label matchers of {text} in {expr!r}")
                matchers = [(body[j][1], body[j + 1][1], json.loads(body[j + 2][1]))
                            for j in range(0, len(body), 3)]
                i = close
            found.append((text, matchers, in_rate))
        i += 1
    return found


def parse_exposition(text):
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif line and not line.startswith("#"):
            m = re.match(r"([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s", line)
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
            samples.setdefault(m.group(1), []).append(labels)
    return samples, types


def family_type(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return types[base]
    return types.get(name)


def check_expr(expr, samples, types):
    errors = []
    sels = selectors(expr)
    for name, matchers, in_rate in sels:
        if name not in samples:
            errors.append(f"{name}: not in /metrics (query: {expr})")
            continue
        for label, op, value in matchers:
            if label in ADDED_BY_PROMETHEUS:
                continue
            if op in ("=~", "!~"):
                re.compile(value)
            elif op == "=" and not any(s.get(label) == value for s in samples[name]):
                have = sorted({s.get(label, "") for s in samples[name]})
                errors.append(f'{name}{{{label}="{value}"}}: no such series ({label} is one of {have})')
        kind = family_type(name, types)
        if in_rate and kind not in ("counter", "histogram", "summary"):
            errors.append(f"{name}: rate()/increase() over a {kind}, not a counter (query: {expr})")
    return sels, errors


def dashboard_queries(dash):
    errors, exprs = [], []
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource", {})
    if ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        errors.append("no datasource variable of type prometheus")
    for v in variables.values():
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.match(r"label_values\(\s*([A-Za-z_:][\w:]*)", q or "")
        if m:
            exprs.append(m.group(1))
    for p in dash["panels"]:
        if p.get("type") == "row":
            continue
        for obj in [p] + p.get("targets", []):
            if obj.get("datasource", {}).get("uid") != "${datasource}":
                errors.append(f"panel '{p.get('title')}': datasource is not ${{datasource}}")
        if not p.get("targets"):
            errors.append(f"panel '{p.get('title')}' has no queries")
        exprs.extend(t["expr"] for t in p.get("targets", []))
    return exprs, errors


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, data=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status, r.read().decode()


def scrape_fresh_server():
    binary = os.environ.get("SFU_SERVER_BIN", os.path.join(ROOT, "build", "sfu-server"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen(
            [binary, "--listen", f"127.0.0.1:{port}", "--media-port", "0", "--data-dir", data,
             "--log-level", "warn", "--overload-late-ticks", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + 10
            while True:
                if proc.poll() is not None:
                    sys.exit(f"FAIL: sfu-server exited {proc.returncode}: {proc.stdout.read()}")
                try:
                    if fetch(base + "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                if time.time() > deadline:
                    sys.exit("FAIL: sfu-server did not answer /healthz within 10 s")
                time.sleep(0.05)
            status, _ = fetch(base + "/meetings", b'{"ExternalMeetingId":"dashboard-check"}')
            assert status == 200, status
            return fetch(base + "/metrics")[1]
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main():
    with open(DASHBOARD) as f:
        dash = json.load(f)
    exprs, errors = dashboard_queries(dash)
    samples, types = parse_exposition(scrape_fresh_server())
    names = set()
    for expr in exprs:
        sels, errs = check_expr(expr, samples, types)
        names.update(n for n, _, _ in sels)
        errors.extend(errs)
    errors.extend(f"{r}: required but not queried by the dashboard" for r in REQUIRED if r not in names)
    # The checker itself must catch mistakes, or a pass means nothing.
    planted = {
        'sum(rate(sfu_no_such_metric_total{instance=~"$instance"}[$__rate_interval]))': "not in /metrics",
        'sum(rate(sfu_shard_packets_total{direction="sideways"}[5m]))': "no such series",
        'sum by (shard) (rate(sfu_shard_rooms[5m]))': "over a gauge",
    }
    for expr, want in planted.items():
        _, errs = check_expr(expr, samples, types)
        if not any(want in e for e in errs):
            errors.append(f"checker missed a planted mistake ({want}): {expr} -> {errs}")
    if errors or not exprs:
        print("FAIL: deploy/grafana/sfu-server.json:\n  " + "\n  ".join(errors or ["no queries"]))
        return 1
    print(f"ok: {len(exprs)} queries of {len(dash['panels'])} panels name {len(names)} metrics, "
          f"all in /metrics of a fresh sfu-server; planted mistakes caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
