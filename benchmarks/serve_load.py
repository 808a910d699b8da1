"""Load on `serve`: concurrent clients POST /api/ask on 127.0.0.1; bounded in count and time.

    python benchmarks/serve_load.py [--clients 16] [--requests 2000] [--flood]

Starts `python -m assistant serve --port 0` (a real process), warms it up, then sends the
evaluation questions round-robin. Prints answers/s, p50/p95 latency, errors and the server's
resident memory before and after. `--flood` adds one client sending malformed requests as fast
as it can, to see what it does to the good requests' latency.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from common import ENV, ROOT, cpu_seconds, percentile_ms, rss_mb, save

from assistant.evaluation import read_eval_set

TIME_LIMIT_S = 300
BAD_BODIES = [b"{not json", b'{"question": 5}', b'{"question": "", "top_k": 0}', b"[]"]


def start_server() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        # every client is 127.0.0.1 here, so the per-address limit is off
        [sys.executable, "-m", "assistant", "serve", "--port", "0", "--rate-limit", "0"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    if not line.startswith("Policy assistant: "):
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return process, line.split()[2].rstrip("/")


def run_load(
    url: str, clients: int, requests: int, flood: bool, server_pid: int
) -> dict[str, float]:
    bodies = [
        json.dumps({"question": c.question, "history": list(c.history)})
        for c in read_eval_set(ROOT / "tests" / "data" / "eval.jsonl")
    ]
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + TIME_LIMIT_S
    stop_flood = threading.Event()
    flooded = 0

    def flooder() -> None:
        nonlocal flooded
        with httpx.Client(timeout=30) as client:
            while not stop_flood.is_set() and time.monotonic() < deadline:
                for body in BAD_BODIES:
                    client.post(f"{url}/api/ask", content=body)
                    flooded += 1

    def worker(offset: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=30, headers={"content-type": "application/json"}) as client:
            for n in range(offset, requests, clients):
                if time.monotonic() > deadline:
                    return
                began = time.perf_counter()
                try:
                    ok = (
                        client.post(f"{url}/api/ask", content=bodies[n % len(bodies)]).status_code
                        == 200
                    )
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - began)
                    errors += not ok

    flood_thread = threading.Thread(target=flooder, daemon=True) if flood else None
    if flood_thread:
        flood_thread.start()
    began = time.perf_counter()
    server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - began
    server_cpu, client_cpu = cpu_seconds(server_pid) - server_cpu, time.process_time() - client_cpu
    stop_flood.set()
    if flood_thread:
        flood_thread.join()
    return {
        "answers": len(latencies),
        "answers_per_s": len(latencies) / elapsed,
        "p50_ms": percentile_ms(latencies, 50),
        "p95_ms": percentile_ms(latencies, 95),
        "errors": errors,
        "malformed_sent": flooded,
        # the clients share the 2 cores with the server: what each used of them
        "server_cpu_ms_per_answer": 1000 * server_cpu / max(len(latencies), 1),
        "server_cores_busy": server_cpu / elapsed,
        "client_cores_busy": client_cpu / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=2000, help="good requests in all")
    parser.add_argument("--flood", action="store_true", help="also flood malformed requests")
    args = parser.parse_args()
    process, url = start_server()
    try:
        # warm-up at the same concurrency: each serving thread's first answer allocates its
        # buffers (malloc arenas, e5 scratch); growth after that is what would be a leak
        run_load(url, args.clients, 4 * args.clients, False, process.pid)
        before = rss_mb(process.pid)
        result = run_load(url, args.clients, args.requests, args.flood, process.pid)
        after = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    result |= {"clients": args.clients, "rss_before_mb": before, "rss_after_mb": after}
    print(
        f"{args.clients} clients, {result['answers']} answers{' + flood' if args.flood else ''}: "
        f"{result['answers_per_s']:.0f} answers/s (target >= 100), p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms (<= 150), errors {result['errors']} (0); "
        f"server RSS {before:.0f} -> {after:.0f} MB (<= 400)\n"
        f"CPU: server {result['server_cpu_ms_per_answer']:.1f} ms an answer, "
        f"{result['server_cores_busy']:.2f} cores busy; load clients "
        f"{result['client_cores_busy']:.2f} cores busy"
    )
    save(f"serve_load_{args.clients}{'_flood' if args.flood else ''}", result)


if __name__ == "__main__":
    main()
