#!/usr/bin/env python3
"""Print criterion's medians from `cargo bench -p wisp-ws --bench codec` as a table:
ratios first (wisp's throughput over each peer's; > 1 means wisp is ahead),
absolute numbers second."""
import json, os, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "criterion")


def median_ns(group, bench, param=None):
    parts = [root, group, bench] + ([str(param)] if param is not None else []) + ["new", "estimates.json"]
    try:
        with open(os.path.join(*parts)) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def fmt_rate(bytes_, ns):
    return f"{bytes_ / ns:.2f} GB/s" if ns else "—"


def ratio(a, b):
    return f"{b / a:.2f}×" if a and b else "—"


sizes = [16, 125, 4096, 65536, 1 << 20]
peers = ["tungstenite", "fastwebsockets", "websocketz"]
for group, wisp_rows in [("receive", ["wisp", "wisp+recv-copy"]), ("send", ["wisp"])]:
    print(f"\n### {group}\n")
    print("| size | " + " | ".join(f"{w} vs {p}" for w in wisp_rows for p in peers) + " | wisp vs memcpy |")
    print("| ---: |" + " ---: |" * (len(wisp_rows) * len(peers) + 1))
    for s in sizes:
        w = {r: median_ns(group, r, s) for r in wisp_rows}
        row = [ratio(w[r], median_ns(group, p, s)) for r in wisp_rows for p in peers]
        mem = median_ns(group, "memcpy", s)
        print(f"| {s} | " + " | ".join(row) + f" | {mem / w['wisp']:.2f} |" if mem and w["wisp"] else " | — |")
    print(f"\n| size | " + " | ".join(["memcpy"] + wisp_rows + peers) + " |")
    print("| ---: |" + " ---: |" * (1 + len(wisp_rows) + len(peers)))
    for s in sizes:
        cells = [median_ns(group, n, s) for n in ["memcpy"] + wisp_rows + peers]
        print(f"| {s} | " + " | ".join(f"{c:,.1f} ns ({fmt_rate(s, c)})" if c else "—" for c in cells) + " |")

print("\n### printf: one ~40-byte text message encoded and written\n")
print("| impl | median | messages/s | wisp ahead by |")
print("| --- | ---: | ---: | ---: |")
w = median_ns("printf", "wisp")
for impl in ["wisp"] + peers:
    m = median_ns("printf", impl)
    if m:
        print(f"| {impl} | {m:.1f} ns | {1e9 / m / 1e6:.1f} M | {m / w:.2f}× |")

print("\n### UTF-8 validation of 64 KiB\n")
print("| text | core::str::from_utf8 | wisp | wisp-portable (no tables; Cortex-M path) | wisp / from_utf8 time |")
print("| --- | ---: | ---: | ---: | ---: |")
for t in ["ascii", "mixed"]:
    c, w, p = (median_ns("utf8", n, t) for n in ["core__str__from_utf8", "wisp", "wisp-portable"])
    if c and w and p:
        print(f"| {t} | {c / 1000:.2f} µs | {w / 1000:.2f} µs | {p / 1000:.2f} µs | {w / c:.2f} (portable {p / c:.2f}) |")
