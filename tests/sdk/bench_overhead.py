"""Proxy overhead benchmark: the same non-streaming ~1 KB chat request sent
directly to the fake upstream and through Astral, one at a time over a kept-alive
connection; prints p50/p99 of each and of the difference.

    python bench_overhead.py --upstream http://127.0.0.1:PORT --astral http://127.0.0.1:PORT \
        --key ak_... [--requests 2000] [--warmup 200]

Bounded: it sends exactly warmup + requests calls to each target, on loopback only.
"""

import argparse
import http.client
import json
import statistics
import time
import urllib.parse


def body_1kb():
    filler = ("The quarterly report covers revenue, churn and hiring plans for the next period. " * 13)[:1000]
    return json.dumps({"model": "gpt-fake", "messages": [{"role": "user", "content": filler}]}).encode()


def run(url, headers, body, count):
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("benchmark targets must be on loopback")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        connection.request("POST", "/v1/chat/completions", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter_ns() - start) / 1000.0)
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
    connection.close()
    return samples


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--astral", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()
    body = body_1kb()
    headers = {"content-type": "application/json", "authorization": "Bearer " + args.key}
    run(args.upstream, headers, body, args.warmup)
    run(args.astral, headers, body, args.warmup)
    # Interleave rounds so load from other processes hits both sides alike.
    direct, proxied = [], []
    rounds = 10
    for _ in range(rounds):
        direct += run(args.upstream, headers, body, args.requests // rounds)
        proxied += run(args.astral, headers, body, args.requests // rounds)
    result = {
        "request_bytes": len(body),
        "requests": len(direct),
        "direct_p50_us": round(percentile(direct, 50), 1),
        "direct_p99_us": round(percentile(direct, 99), 1),
        "astral_p50_us": round(percentile(proxied, 50), 1),
        "astral_p99_us": round(percentile(proxied, 99), 1),
        "overhead_p50_us": round(percentile(proxied, 50) - percentile(direct, 50), 1),
        "overhead_p99_us": round(percentile(proxied, 99) - percentile(direct, 99), 1),
        "direct_mean_us": round(statistics.mean(direct), 1),
        "astral_mean_us": round(statistics.mean(proxied), 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
