"""The public randomness beacon a draw names at its commitment: drand's `quicknet` chain.

drand (run by the League of Entropy) publishes one value per round, every `period` seconds
since `genesis`: round `n` appears at `genesis + (n - 1) * period`, and the round current at unix
time `t` is `(t - genesis) // period + 1`. A relay answers `GET {base}/{chain hash}/public/{n}`
with `{"round": n, "randomness": hex, "signature": hex}` (404 or 425 before the round exists) and
`GET {base}/{chain hash}/info` with the chain's genesis time and period.

A draw names the first round whose time is strictly after its commitment time plus its reveal
wait, as `drand/quicknet/<chain hash>/round/<n>`; that name is in the snapshot, hence in the
committed hash. At the reveal the round's `randomness` (lowercase hex) is the draw's beacon
value. Nobody, the operator included, knows it when the secret is committed, so discarding
unwanted draws no longer helps.

Every fetched value is checked for `randomness == SHA-256(signature)`, which holds for quicknet
(drand-client checks the same): a cheap integrity check against a garbled or made-up answer.
The BLS signature itself (BLS12-381, checked against the chain's public key) is not verified
here; whoever wants that checks the round with a drand client of their own.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from enforcement import clock
from enforcement.config import settings

#: The drand quicknet chain on the League of Entropy mainnet (bls-unchained-g1-rfc9380).
QUICKNET_CHAIN_HASH = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
QUICKNET_GENESIS = 1692803367
QUICKNET_PERIOD = 3
#: A public relay of the League of Entropy.
DEFAULT_URL = "https://api.drand.sh"
NAME_PREFIX = "drand/quicknet/"
TIMEOUT_SECONDS = 5.0
USER_AGENT = "enforcement-dispatch-beacon/1"
#: Answers of a relay for a round it does not have yet.
NOT_YET = (404, 425)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_NAME = re.compile(r"drand/quicknet/([0-9a-f]{64})/round/([1-9][0-9]{0,15})")
_HEX = re.compile(r"(?:[0-9a-f]{2})+")


class BeaconError(Exception):
    """The beacon could not be read, or answered something that is not a valid round."""


class BeaconNotReady(BeaconError):
    """The named round is not published yet: ask again later (the state machine retries)."""


@dataclass(frozen=True)
class Chain:
    """A drand chain's timing: round `n` is published at `genesis + (n - 1) * period`."""

    chain_hash: str
    genesis: int
    period: int

    def round_at(self, unix_seconds: float) -> int:
        """The latest round published at this time (0 before the genesis)."""
        if unix_seconds < self.genesis:
            return 0
        return int(unix_seconds - self.genesis) // self.period + 1

    def round_time(self, round_number: int) -> int:
        return self.genesis + (round_number - 1) * self.period

    def first_round_after(self, unix_seconds: float) -> int:
        """The first round whose time is strictly after `unix_seconds`."""
        return self.round_at(unix_seconds) + 1

    def name(self, round_number: int) -> str:
        return f"{NAME_PREFIX}{self.chain_hash}/round/{round_number}"

    def round_for(self, committed_at: str, reveal_wait_seconds: int) -> int:
        """The round a draw committed at `committed_at` (its published time, millisecond ISO
        8601) with this reveal wait names: the first whose time is strictly after the two
        added. In integer milliseconds, so every verifier gets the same round."""
        moment = epoch_ms(committed_at) + 1000 * reveal_wait_seconds
        since = moment - 1000 * self.genesis
        if since < 0:
            return 1
        return since // (1000 * self.period) + 2


QUICKNET = Chain(QUICKNET_CHAIN_HASH, QUICKNET_GENESIS, QUICKNET_PERIOD)


@dataclass(frozen=True)
class BeaconRound:
    """One published round, checked: `randomness` is SHA-256 of `signature`."""

    name: str
    round: int
    randomness: str
    signature: str


def epoch_ms(text: str) -> int:
    """Milliseconds since the Unix epoch of a published time ("2026-03-01T01:00:00.123Z")."""
    moment = clock.parse(text)
    if moment.tzinfo is None:
        raise BeaconError(f"{text!r} names no time zone")
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def parse_name(name: str) -> tuple[str, int]:
    """(chain hash, round) of a beacon name; BeaconError if it is not one."""
    match = _NAME.fullmatch(name)
    if match is None:
        raise BeaconError(f"not a drand quicknet round name: {name!r}")
    return match.group(1), int(match.group(2))


def round_url(base_url: str, chain_hash: str, round_number: int) -> str:
    return f"{base_url.rstrip('/')}/{chain_hash}/public/{round_number}"


def checked(document: Any, name: str) -> BeaconRound:
    """The round of a relay's answer, if it is the named round and its randomness is the
    SHA-256 of its signature (derived when the answer leaves it out, as drand's v2 API does)."""
    _, round_number = parse_name(name)
    if not isinstance(document, dict):
        raise BeaconError(f"{name}: the answer is not a JSON object")
    if document.get("round") != round_number:
        raise BeaconError(f"{name}: the answer is for round {document.get('round')!r}")
    signature = document.get("signature")
    if not isinstance(signature, str) or not _HEX.fullmatch(signature.lower()):
        raise BeaconError(f"{name}: the signature is not hex")
    derived = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    randomness = document.get("randomness", derived)
    if not isinstance(randomness, str) or randomness.lower() != derived:
        raise BeaconError(f"{name}: the randomness is not SHA-256 of the signature")
    return BeaconRound(name, round_number, derived, signature.lower())


def _get_json(url: str, timeout: float) -> Any:
    if not url.startswith(("https://", "http://")):
        raise BeaconError(f"not an http(s) URL: {url}")
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked)
        return json.loads(response.read())


def fetch(base_url: str, name: str, *, timeout: float = TIMEOUT_SECONDS) -> BeaconRound:
    """The named round from a relay at `base_url`: BeaconNotReady when the relay does not have
    it yet, BeaconError for anything else that is not a valid answer."""
    chain_hash, round_number = parse_name(name)
    url = round_url(base_url, chain_hash, round_number)
    try:
        document = _get_json(url, timeout)
    except urllib.error.HTTPError as exc:
        if exc.code in NOT_YET:
            raise BeaconNotReady(f"{name}: not published yet (HTTP {exc.code})") from exc
        raise BeaconError(f"{name}: HTTP {exc.code} from {url}") from exc
    except (OSError, ValueError) as exc:  # URLError and timeouts are OSErrors
        raise BeaconError(f"{name}: cannot read {url} ({exc})") from exc
    return checked(document, name)


def fetch_chain(base_url: str, chain_hash: str, *, timeout: float = TIMEOUT_SECONDS) -> Chain:
    """A chain's timing from a relay's `/info`, checked against the chain hash asked for."""
    url = f"{base_url.rstrip('/')}/{chain_hash}/info"
    try:
        info = _get_json(url, timeout)
    except (OSError, ValueError) as exc:
        raise BeaconError(f"cannot read {url} ({exc})") from exc
    if not isinstance(info, dict) or info.get("hash", info.get("chain_hash")) != chain_hash:
        raise BeaconError(f"{url} describes another chain")
    genesis, period = info.get("genesis_time"), info.get("period")
    if not isinstance(genesis, int) or not isinstance(period, int) or period < 1:
        raise BeaconError(f"{url} gives no genesis time and period")
    return Chain(chain_hash, genesis, period)


def not_after_freeze(name: str, published_at: int, frozen_at: str) -> str | None:
    """A difference line when the named round was published at or before the freeze (a value
    the operator could have known when committing), else None."""
    if frozen_at and published_at > clock.parse(frozen_at).timestamp():
        return None
    when = clock.iso(clock.from_epoch(published_at))
    return f"beacon: {name} was published at {when}, not after the freeze at {frozen_at or '-'}"


@dataclass(frozen=True)
class Source:
    """The beacon this deployment names in its draws: a relay and the chain it reads."""

    url: str
    chain: Chain

    def name_after(self, moment: datetime, wait_seconds: int) -> str:
        """The round a draw committed at `moment` names: the first strictly after the reveal
        wait."""
        return self.chain.name(self.chain.first_round_after(moment.timestamp() + wait_seconds))

    def name_for(self, committed_at: str, wait_seconds: int) -> str:
        """The round a draw names, from its published commitment time (`Chain.round_for`)."""
        return self.chain.name(self.chain.round_for(committed_at, wait_seconds))

    def published_at(self, name: str) -> int:
        """The unix time at which the named round of this chain is published."""
        chain_hash, round_number = parse_name(name)
        if chain_hash != self.chain.chain_hash:
            raise BeaconError(f"{name} is not a round of chain {self.chain.chain_hash}")
        return self.chain.round_time(round_number)

    def fetch(self, name: str, now: datetime, *, timeout: float = TIMEOUT_SECONDS) -> BeaconRound:
        """The named round; BeaconNotReady, without asking, while its time has not come."""
        if self.published_at(name) > now.timestamp():
            raise BeaconNotReady(f"{name}: its time has not come")
        return fetch(self.url, name, timeout=timeout)


def configured() -> Source | None:
    """The deployment's beacon (`DRAW_BEACON_URL`, and the chain settings, quicknet unless
    overridden), or None when draws name no beacon."""
    config = settings()
    if not config.draw_beacon_url:
        return None
    chain = Chain(
        config.draw_beacon_chain_hash or QUICKNET_CHAIN_HASH,
        config.draw_beacon_genesis or QUICKNET_GENESIS,
        config.draw_beacon_period or QUICKNET_PERIOD,
    )
    return Source(config.draw_beacon_url, chain)
