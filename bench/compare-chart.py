"""Chart of `npm run bench -- --compare` (matplotlib, in .tools/litellm-venv): reads compare.json, writes an SVG.

Panels: added p50 latency at one client (sync chat, streaming time to first token), requests/s at
32 clients, and CPU milliseconds per sync request at 32 clients stacked by process. Medians over
rounds; the per-round values are drawn as dots so the spread shows.

    .tools/litellm-venv/bin/python bench/compare-chart.py docs/bench/compare.json docs/bench/compare.svg
"""

import json
import statistics
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

PROCESS_ORDER = ["temporal", "api", "worker", "agent", "postgres", "minio", "litellm", "demo provider"]


def runs_of(doc, target, mode, clients):
    return [r for r in doc["runs"] if r["target"] == target and r["mode"] == mode and r["clients"] == clients]


def added_p50(doc, target, mode, clients):
    direct = {r["round"]: r for r in runs_of(doc, "direct", mode, clients)}
    return [r["latency"]["p50"] - direct[r["round"]]["latency"]["p50"] for r in runs_of(doc, target, mode, clients) if r["round"] in direct]


def main(src, dst):
    with open(src) as f:
        doc = json.load(f)
    targets = [t["name"] for t in doc["targets"] if any(r["target"] == t["name"] for r in doc["runs"])]
    others = [t for t in targets if t != "direct"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    fig.suptitle(
        f"npm run bench -- --compare, {doc['date'][:10]}, nproc {doc['machine']['nproc']}, "
        f"load {doc['machine']['loadAtStart'][0]:.2f} at start (median of {doc['options']['rounds']} interleaved rounds)"
    )

    ax = axes[0]
    width = 0.38
    for i, (mode, label) in enumerate([("sync", "sync chat"), ("stream", "stream TTFT")]):
        values = [added_p50(doc, t, mode, 1) for t in others]
        xs = [j + (i - 0.5) * width for j in range(len(others))]
        ax.bar(xs, [statistics.median(v) if v else 0 for v in values], width, label=label)
        for x, v in zip(xs, values):
            ax.plot([x] * len(v), v, "k.", markersize=4)
    ax.set_xticks(range(len(others)), others, rotation=20)
    ax.set_ylabel("ms added over the direct call (p50)")
    ax.set_title("added latency, 1 client (lower is better)")
    ax.legend()

    ax = axes[1]
    for i, (mode, label) in enumerate([("sync", "sync chat"), ("stream", "stream")]):
        values = [[r["rps"] for r in runs_of(doc, t, mode, 32)] for t in others]
        xs = [j + (i - 0.5) * width for j in range(len(others))]
        ax.bar(xs, [statistics.median(v) if v else 0 for v in values], width, label=label)
        for x, v in zip(xs, values):
            ax.plot([x] * len(v), v, "k.", markersize=4)
    ax.set_xticks(range(len(others)), others, rotation=20)
    ax.set_ylabel("requests/s")
    ax.set_title("throughput, 32 clients (higher is better; direct off the scale)")
    ax.legend()

    ax = axes[2]
    bottoms = [0.0] * len(targets)
    for name in PROCESS_ORDER:
        heights = []
        for t in targets:
            vals = [r["cpuMsPerRequest"].get(name) for r in runs_of(doc, t, "sync", 32)]
            vals = [v for v in vals if v is not None]
            heights.append(statistics.median(vals) if vals else 0.0)
        if any(heights):
            ax.bar(range(len(targets)), heights, 0.6, bottom=bottoms, label=name)
            bottoms = [b + h for b, h in zip(bottoms, heights)]
    ax.set_xticks(range(len(targets)), targets, rotation=20)
    ax.set_ylabel("CPU ms per request")
    ax.set_title("CPU per sync request at 32 clients, by process")
    ax.legend(fontsize=8)

    fig.tight_layout()
    fig.savefig(dst, metadata={"Date": None})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
