"""A fake drand relay for the draws' beacon, on 127.0.0.1.

It serves one chain the way a drand HTTP relay does: `GET /{chain hash}/public/{round}` (and
`/public/latest`) answers `{"round", "randomness", "signature"}` for rounds whose time has come
(plus `delay`, for a relay that lags) and 404 for later ones; `GET /{chain hash}/info` gives the
chain's genesis time and period. Round `n` is published at `genesis + (n - 1) * period`, the
genesis being the moment `start` is called. A round's signature is HMAC-SHA256 under a key drawn
at start-up over the round number (8 bytes, big-endian), and its randomness is SHA-256 of the
signature, as on drand's quicknet; nothing here is a BLS signature. `forge` makes a round answer
a wrong randomness (for tests of the check every reader makes).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from infra.local.serving import LocalServer, bound_handler

DEFAULT_PERIOD = 1


class Beacon:
    """The fake relay; `start` sets the genesis, `url` is its base URL once started."""

    def __init__(
        self, *, period: int = DEFAULT_PERIOD, clock: Callable[[], float] = time.time
    ) -> None:
        if period < 1:
            raise ValueError("the period is at least one second")
        self.period = period
        self.chain_hash = secrets.token_hex(32)
        self.genesis = 0
        #: Seconds a round's answer lags behind its time (a slow relay), 0 by default.
        self.delay = 0.0
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._forged: dict[int, str] = {}
        self.served: list[int] = []
        self._http = LocalServer("beacon")

    # ------------------------------------------------------------------ the chain
    def round_time(self, round_number: int) -> int:
        return self.genesis + (round_number - 1) * self.period

    def latest(self) -> int:
        """The latest round this relay answers now (0 before the genesis)."""
        now = self._clock() - self.delay
        return 0 if now < self.genesis else int(now - self.genesis) // self.period + 1

    def value(self, round_number: int) -> dict[str, Any]:
        """What the relay answers for a round (whether or not its time has come)."""
        signature = hmac.new(self._key, round_number.to_bytes(8, "big"), hashlib.sha256).digest()
        randomness = self._forged.get(round_number, hashlib.sha256(signature).hexdigest())
        return {"round": round_number, "randomness": randomness, "signature": signature.hex()}

    def forge(self, round_number: int, randomness: str) -> None:
        """From now on, answer `randomness` for this round (its signature stays the real one)."""
        self._forged[round_number] = randomness

    def info(self) -> dict[str, Any]:
        return {
            "hash": self.chain_hash,
            "genesis_time": self.genesis,
            "period": self.period,
            "schemeID": "local-hmac-sha256",
            "metadata": {"beaconID": "local"},
        }

    def answer(self, path: str) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) for a GET of `path`."""
        parts = path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != self.chain_hash:
            return 404, {"error": "unknown chain"}
        if parts[1:] == ["info"]:
            return 200, self.info()
        if len(parts) != 3 or parts[1] != "public":
            return 404, {"error": "not found"}
        latest = self.latest()
        wanted = latest if parts[2] == "latest" else int(parts[2]) if parts[2].isdigit() else -1
        if not 1 <= wanted <= latest:
            return 404, {"error": "no such round yet"}
        self.served.append(wanted)
        return 200, self.value(wanted)

    # ------------------------------------------------------------------ server
    @property
    def url(self) -> str:
        return self._http.url

    def environment(self) -> dict[str, str]:
        """The functions' settings that make them read this chain."""
        return {
            "DRAW_BEACON_CHAIN_HASH": self.chain_hash,
            "DRAW_BEACON_GENESIS": str(self.genesis),
            "DRAW_BEACON_PERIOD": str(self.period),
        }

    def start(self, port: int = 0) -> None:
        self.genesis = int(self._clock())
        self._http.start(bound_handler(_BeaconRequestHandler, beacon=self), port)

    def stop(self) -> None:
        self._http.stop()


class _BeaconRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    beacon: Beacon

    def do_GET(self) -> None:
        status, document = self.beacon.answer(urlsplit(self.path).path)
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the rounds served are in `Beacon.served`."""
