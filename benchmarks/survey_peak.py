"""The travellers of the survey suite's peak, as their phones would be: plain HTTP clients in a
process of their own (`python -m benchmarks.survey_peak < plan.json`), apart from the local
stack's process, so that the clients' own work (TLS aside: JSON, sockets, threads) does not
share the stack's interpreter lock.

The plan (JSON on stdin) names the API, the number of concurrent clients and each traveller:
a login code of the fake mini-program platform, the flight, the form, the language, and the
answers in the two pages the mini-program saves (the document page, then the rest). Each
client takes the next traveller from a queue and puts them through, one request after another:

    login -> start -> PATCH (document page) -> PATCH (the rest) -> check -> submit

and the next traveller as soon as one is done (a closed loop: each client keeps one request in
flight). Printed on stdout as JSON: every request (step, start time, milliseconds over HTTP,
status) and, per traveller, whether the submit answered a declaration code.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from typing import Any

import requests

TIMEOUT = 120
DECLARATIONS = "/remote-survey/declarations"


def _traveller(api: str, plan: dict[str, Any], who: dict[str, Any], out: dict[str, Any]) -> None:
    requests_made: list[tuple[str, float, float, int]] = out["requests"]
    with requests.Session() as http:

        def call(step: str, method: str, path: str, body: Any = None) -> Any:
            began = time.time()
            start = time.perf_counter()
            response = http.request(method, api + path, json=body, timeout=TIMEOUT)
            ms = (time.perf_counter() - start) * 1000
            requests_made.append((step, began, ms, response.status_code))
            if response.status_code >= 300:
                raise RuntimeError(f"{step}: {response.status_code} {response.text[:300]}")
            return response.json()

        token = call("login", "POST", "/auth/miniprogram/login", {"code": who["code"]})["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        started = call(
            "start",
            "POST",
            DECLARATIONS,
            {
                "port": plan["port"],
                "arrival_date": plan["day"],
                "flight_number": who["flight_number"],
                "form_id": plan["form_id"],
                "lang": who["lang"],
            },
        )
        path = f"{DECLARATIONS}/{started['declaration_id']}"
        for page in who["pages"]:
            call("patch", "PATCH", path, {"answers": page})
        checked = call("check", "POST", f"{path}/check", {})
        if not checked["ok"]:
            raise RuntimeError(f"check: {checked['problems']}")
        submitted = call("submit", "POST", f"{path}/submit")
        out["submitted"] = bool(submitted.get("code")) and submitted["status"] == "submitted"
        out["declaration_id"] = started["declaration_id"]
        out["outcome"] = submitted.get("outcome")


def drive(plan: dict[str, Any]) -> dict[str, Any]:
    """Put every traveller of `plan` through with `plan["clients"]` concurrent clients."""
    todo: queue.Queue[dict[str, Any]] = queue.Queue()
    for who in plan["travellers"]:
        todo.put(who)
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(plan["clients"])

    def client() -> None:
        barrier.wait()
        while True:
            try:
                who = todo.get_nowait()
            except queue.Empty:
                return
            out: dict[str, Any] = {"requests": [], "submitted": False, "error": None}
            try:
                _traveller(plan["api"], plan, who, out)
            except (RuntimeError, requests.RequestException, KeyError, ValueError) as exc:
                out["error"] = str(exc)[:500]
            out["ended"] = time.time()
            with lock:
                results.append(out)

    threads = [threading.Thread(target=client) for _ in range(plan["clients"])]
    began = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"began": began, "ended": time.time(), "travellers": results}


if __name__ == "__main__":
    json.dump(drive(json.load(sys.stdin)), sys.stdout)
