"""The local stack under a steady 20-client load for 10 minutes: is its memory flat?
(part of `make bench`; `SOAK_SECONDS` and `SOAK_CLIENTS` change the defaults; `SOAK_WRITES=0`
leaves out the write, so that what stays is what does not grow with the data)

Every client, in a loop, on a vessel of its own: an audited write (`PUT .../position`), a read
of the vessel and of its manning report. Every 30 s it prints the requests answered, by status,
and the process's resident memory (moto, every handler and the gateway all live in it). The
data itself grows a little (one audit entry per write, about 0.5 KB); what must not grow is
everything else: records of calls, moto's table copies, per-request clients.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "20"))
WRITES = os.environ.get("SOAK_WRITES", "1") != "0"
REPORT_EVERY = 30
TIMEOUT = 120


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _officer(api: str) -> str:
    from enforcement.auth import Role

    from tests.integration.client import officer_session

    client = officer_session(
        api,
        f"soak-{secrets.token_hex(3)}",
        role=Role.OFFICER,
        agency="msa",
        jurisdiction="soak-harbour",
        name="soak",
    )
    return str(client.token)


def soak() -> int:
    from benchmarks.concurrency import fresh_stack

    with fresh_stack() as stack:
        api = stack.api_url
        headers = {"Authorization": f"Bearer {_officer(api)}"}
        vessels = []
        base = 400_000_000 + secrets.randbelow(10**6) * 100
        for n in range(CLIENTS):
            mmsi = str(base + n)
            body: dict[str, Any] = {
                "mmsi": mmsi,
                "name_zh": f"耐久{mmsi}",
                "home_port": "上海",
                "jurisdiction": "soak-harbour",
                "length_m": 40,
                "manning": [
                    {
                        "code": "master",
                        "title": "船长",
                        "certificate_type": "master",
                        "min_grade": "B",
                    }
                ],
            }
            requests.post(
                f"{api}/checkin/vessels", json=body, headers=headers, timeout=TIMEOUT
            ).raise_for_status()
            vessels.append(mmsi)

        statuses: Counter[str] = Counter()
        lock = threading.Lock()
        stop = threading.Event()

        def client(mmsi: str) -> None:
            n = 0
            with requests.Session() as session:
                while not stop.is_set():
                    n += 1
                    position = {"lat": 31.39 + (n % 100) / 10000, "lon": 121.50, "sog_knots": 3}
                    calls = [
                        ("PUT", f"/checkin/vessels/{mmsi}/position", position),
                        ("GET", f"/checkin/vessels/{mmsi}", None),
                        ("GET", f"/checkin/vessels/{mmsi}/manning", None),
                    ]
                    for method, path, body in calls if WRITES else calls[1:]:
                        try:
                            status = str(
                                session.request(
                                    method, api + path, json=body, headers=headers, timeout=TIMEOUT
                                ).status_code
                            )
                        except requests.RequestException as exc:
                            status = type(exc).__name__
                        with lock:
                            statuses[status] += 1

        threads = [threading.Thread(target=client, args=(m,), daemon=True) for m in vessels]
        began = time.monotonic()
        print(f"{CLIENTS} clients for {SECONDS} s; RSS at start {rss_mb():.0f} MB")
        print(f"{'s':>5} {'requests':>9} {'req/s':>6} {'RSS MB':>7}  statuses")
        for thread in threads:
            thread.start()
        done_before = 0
        samples = []
        while (elapsed := time.monotonic() - began) < SECONDS:
            time.sleep(min(REPORT_EVERY, SECONDS - elapsed))
            with lock:
                done = sum(statuses.values())
                seen = dict(sorted(statuses.items()))
            rss = rss_mb()
            samples.append(rss)
            rate = (done - done_before) / REPORT_EVERY
            print(f"{time.monotonic() - began:5.0f} {done:9d} {rate:6.1f} {rss:7.0f}  {seen}")
            done_before = done
        stop.set()
        for thread in threads:
            thread.join(timeout=TIMEOUT)
        print(
            f"kept records: {stack.invocations.kept} invocations of {len(stack.invocations)}, "
            f"{stack.api_calls.kept} API calls of {len(stack.api_calls)}"
        )
        if samples:
            print(
                f"RSS: first sample {samples[0]:.0f} MB, last {samples[-1]:.0f} MB, "
                f"peak {max(samples):.0f} MB"
            )
    return 0


def main() -> int:
    """In a fresh interpreter, so that the figures are this stack's memory alone."""
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.soak"],
        cwd=Path(__file__).resolve().parents[1],
        check=False,
    ).returncode


if __name__ == "__main__":
    sys.exit(soak())
