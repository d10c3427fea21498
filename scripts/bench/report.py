#!/usr/bin/env python3
"""Markdown tables for `make bench` (scripts/bench.sh): meta.txt, results.tsv, bytes.tsv -> stdout."""
import sys
from collections import OrderedDict


def read_meta(path):
    meta = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            meta[key] = value
    return meta


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def mib(kib):
    return f"{int(kib) / 1024:.0f} MiB" if kib and int(kib) > 0 else "–"


def num(x):
    return f"{x:,.0f}"


def ms(x):
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def table(header, rows, left=3):
    """A markdown table; the first `left` columns are text, the rest right-aligned numbers."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i < left else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def main():
    meta = read_meta(sys.argv[1])
    results = read_tsv(sys.argv[2])
    byte_rows = read_tsv(sys.argv[3])

    # (page, conns, enc) -> server -> (rps, p50, p99, errors)
    runs = OrderedDict()
    for server, page, conns, enc, rps, p50, p99, errs, others in results:
        runs.setdefault((page, int(conns), enc), {})[server] = (float(rps), float(p50), float(p99), int(errs), int(others))
    servers = [("newsroom-cold", "Newsroom cold"), ("newsroom-cached", "Newsroom cached"), ("varnish", "through Varnish")]
    page_order = ["front", "article", "section", "news-feed", "feed"]
    keys = sorted(runs, key=lambda k: (page_order.index(k[0]) if k[0] in page_order else 99, k[2] != "identity", k[1]))

    disturbed = [0]

    def errors(r):
        """Marks a cell whose run had errors, or shared the serving core with other work."""
        mark = f" ({r[3]} errors)" if r[3] else ""
        if r[4] > 10:
            disturbed[0] += 1
            mark += f" †{r[4]}%"
        return mark

    rps_rows, lat_rows = [], []
    for key in keys:
        page, conns, enc = key
        by = runs[key]
        nginx = by.get("nginx")
        label = [page, str(conns), "br" if enc == "br" else "none"]
        rrow, lrow = list(label), list(label)
        rrow.append(num(nginx[0]) + errors(nginx) if nginx else "–")
        lrow.append(f"{ms(nginx[1])} / {ms(nginx[2])}" if nginx else "–")
        for name, _ in servers:
            r = by.get(name)
            if r is None:
                rrow += ["", ""]
                lrow.append("")
                continue
            rrow.append(num(r[0]) + errors(r))
            rrow.append(f"{r[0] / nginx[0]:.2f}" if nginx and nginx[0] else "–")
            lrow.append(f"{ms(r[1])} / {ms(r[2])}")
        rps_rows.append(rrow)
        lat_rows.append(lrow)

    print("# Big-news-day speed (make bench)\n")
    print(f"Machine: {meta['nproc']} cores, {meta['cpu']}, {meta['ram']} RAM, {meta['kernel']}; "
          f"before the start the cores were {meta['load']}. "
          f"Newsroom {meta['commit']}, nginx {meta['nginx']}, {meta['varnish']}, wrk {meta['wrk']}.")
    print(f"Each cell: wrk, one thread on core 1, {meta['warmup']} s warm-up then {meta['seconds']} s measured; "
          "the server (nginx alone, Newsroom alone, or Varnish with Newsroom behind it) on core 0; "
          f"servers and wrk at nice {meta['prio']}. "
          f"Pages: front `/`, article `{meta['article']}`, section `{meta['section']}`, "
          "`/news-feed`, `/feed.xml`. Encoding: the request's Accept-Encoding.\n")
    if meta.get("cold_note"):
        print(f"Note: {meta['cold_note']}\n")
    print("## Requests per second (÷ nginx: the fraction of nginx's rate)\n")
    header = ["Page", "Conns", "Encoding", "nginx"]
    for _, title in servers:
        header += [title, "÷ nginx"]
    print(table(header, rps_rows))
    if disturbed[0]:
        print(f"\n† {disturbed[0]} runs shared the serving core with other work on the machine, which took "
              "the given share of that core; those numbers are low.")
    print("\n## Latency p50 / p99 (ms)\n")
    print(table(["Page", "Conns", "Encoding", "nginx"] + [t for _, t in servers], lat_rows))

    print("\n## Bytes on the wire\n")
    print("As Newsroom sends them (Accept-Encoding none / gzip / br); the last column is the same "
          "file at brotli's best quality (`brotli -q 11`), which is what nginx serves for pages "
          "and what `make build --precompress` ships for assets.\n")
    rows = []
    for kind, name, url, raw, gz, br, best in byte_rows:
        what = f"page {name} `{url}`" if kind == "page" else f"`{url}`"
        rows.append([what, num(int(raw)), num(int(gz)), num(int(br)), num(int(best))])
    print(table(["What", "raw", "gzip", "br (sent)", "brotli -q 11"], rows, left=1))

    print("\n## The server process\n")
    srows = [
        ["first 200 on /healthz after start", f"{meta['startup_cold']} ms", f"{meta['startup_cached']} ms"],
        ["RSS idle (VmRSS, 1 s after start)", mib(meta["rss_idle_cold"]), mib(meta["rss_idle_cached"])],
        ["RSS under load (largest mid-run VmRSS)", mib(meta["rss_load_cold"]), mib(meta["rss_load_cached"])],
        ["peak RSS (VmHWM at the end)", mib(meta["rss_peak_cold"]), mib(meta["rss_peak_cached"])],
    ]
    print("| | cold | cached |\n|---|---:|---:|")
    for r in srows:
        print("| " + " | ".join(r) + " |")
    print(f"\n## Edited headline through Varnish\n\n{meta['purge_note']}")
    print(f"\n`scripts/bench/varnish-vcl-check.sh` (the example VCL's rules against a stub backend): {meta['vcl_check']}")


if __name__ == "__main__":
    main()
