#!/usr/bin/env python3
"""Plots a soak's minutes (bench/soak.sh's CSV) as one SVG, with no library: latency
(p50, p99 and the 1.5 × line), throughput, RSS, and file descriptors with database
connections, one panel each. Prints the verdicts and exits 1 if one fails.

Usage: soak_plot.py CSV SVG BACKEND MAX_RPS DELAY_MS CONNECTIONS
"""

import csv
import sys
from statistics import mean, median

src, dst, backend, max_rps, delay, conns = sys.argv[1:7]
rows = list(csv.DictReader(open(src)))
minutes = [int(r["minute"]) for r in rows]
p50 = [float(r["p50_ms"]) for r in rows]
p99 = [float(r["p99_ms"]) for r in rows]
rps = [float(r["rps"]) for r in rows]
rss = [int(r["rss_kib"]) / 1024 for r in rows]
fds = [int(r["fds"]) for r in rows]
dbc = [int(r["db_connections"]) for r in rows]
errors = sum(int(r["errors"]) for r in rows)

first = p99[:5]
baseline = mean(first)
later = p99[5:] or p99
warm = 4 if len(rss) > 5 else 0  # the end of minute 5: warm-up is over
# RSS growth compares the median of the five minutes after warm-up with the median of the
# last five: one reading swings by up to ±10 % from minute to minute as the allocator
# hands memory back and takes it again, so one reading against another measures the swing,
# not growth. (The single readings are printed too.)
after_warm = rss[warm + 1:warm + 6] or rss
last_five = rss[-5:]
growth = (median(last_five) - median(after_warm)) / median(after_warm) * 100
verdicts = [
    ("errors", errors == 0, f"{errors} errors in {sum(rps) * 60:,.0f} requests"),
    ("p99", max(later) <= 1.5 * baseline,
     f"worst later minute p99 {max(later):.2f} ms = {max(later) / baseline:.2f} × the first five minutes' {baseline:.2f} ms (≤ 1.5 ×)"),
    ("RSS", growth < 10,
     f"median {median(after_warm):.1f} MiB in minutes {warm + 2}–{warm + 1 + len(after_warm)} → median "
     f"{median(last_five):.1f} MiB in the last five: {growth:+.1f} % (< 10 %); single readings "
     f"{rss[warm]:.1f} MiB after minute {warm + 1}, {rss[-1]:.1f} MiB at the end, "
     f"{min(rss[warm:]):.1f}–{max(rss[warm:]):.1f} MiB after warm-up"),
    ("fds", max(fds[warm:]) <= fds[warm] + 2,
     f"file descriptors {fds[warm]} after warm-up, {max(fds[warm:])} at most, {fds[-1]} at the end"),
    ("connections", max(dbc[warm:]) <= max(dbc[:warm + 1]),
     f"database connections {max(dbc[:warm + 1])} in warm-up, {max(dbc[warm:])} at most after, {dbc[-1]} at the end"),
]

W, H, PAD = 760, 190, 48
panels = [
    ("latency (ms): p99 ▬, p50 ┄, 1.5 × first-five p99 ┅", [(p99, "#b3261e", ""), (p50, "#1f6feb", "4 3"), ([1.5 * baseline] * len(minutes), "#666", "8 4")]),
    ("requests per second", [(rps, "#2e7d32", "")]),
    ("RSS (MiB)", [(rss, "#6a1b9a", "")]),
    ("open file descriptors ▬, database connections ┄", [([float(x) for x in fds], "#ef6c00", ""), ([float(x) for x in dbc], "#00796b", "4 3")]),
]
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H * len(panels) + 40}" '
       f'font-family="sans-serif" font-size="12">',
       f'<text x="{PAD}" y="20" font-size="14">Soak on {backend}: {len(minutes)} minutes at 70 % of '
       f'{float(max_rps):,.0f} req/s ({conns} connections, one request each per {delay} ms)</text>']
for i, (title, series) in enumerate(panels):
    top = 40 + i * H
    values = [v for s, _, _ in series for v in s]
    hi = max(values) * 1.1 or 1
    x0, x1, y0, y1 = PAD, W - 20, top + 20, top + H - 30
    out.append(f'<text x="{x0}" y="{top + 12}">{title}</text>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="none" stroke="#ccc"/>')
    for frac in (0, 0.5, 1):
        y = y1 - frac * (y1 - y0)
        out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end">{hi * frac:.{0 if hi > 20 else 1}f}</text>')
    n = len(minutes)
    for m in (1, n // 2, n):
        x = x0 + (m - 1) / max(n - 1, 1) * (x1 - x0)
        out.append(f'<text x="{x:.1f}" y="{y1 + 14}" text-anchor="middle">min {m}</text>')
    for values_, colour, dash in series:
        pts = " ".join(f"{x0 + k / max(n - 1, 1) * (x1 - x0):.1f},{y1 - v / hi * (y1 - y0):.1f}"
                       for k, v in enumerate(values_))
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8"{extra}/>')
out.append("</svg>")
open(dst, "w").write("\n".join(out) + "\n")

failed = False
for name, ok, text in verdicts:
    print(f"{'✓' if ok else '✗'} {name}: {text}")
    failed |= not ok
print(f"plot: {dst}")
sys.exit(1 if failed else 0)
