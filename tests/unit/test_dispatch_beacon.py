"""The draws' public beacon: drand round arithmetic, fetching and checking rounds from a relay
over real HTTP (the local fake relay), and the verify command's check against the beacon."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from enforcement import clock, config
from enforcement.dispatch import beacon, draw, risk
from enforcement.dispatch import verify as verify_cli
from enforcement.dispatch.beacon import QUICKNET, BeaconError, BeaconNotReady

from infra.local.beacon import Beacon
from tests import synthetic
from tests.draw_pages import page_of

SECRET = "fedcba9876543210" * 4
GENESIS = 1_000_000


class Clock:
    """The fake relay's time, moved by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def relay() -> Iterator[tuple[Beacon, Clock]]:
    """A fake relay with genesis GENESIS and a 3-second period, 20 s after its genesis."""
    time = Clock(GENESIS)
    fake = Beacon(period=3, clock=time)
    fake.start()
    time.now = GENESIS + 20  # rounds 1..7 are out (round 7 at +18, round 8 at +21)
    yield fake, time
    fake.stop()


def chain_of(fake: Beacon) -> beacon.Chain:
    return beacon.Chain(fake.chain_hash, fake.genesis, fake.period)


# ------------------------------------------------------------------ round arithmetic


def test_quicknet_rounds_follow_from_its_genesis_and_period() -> None:
    assert (QUICKNET.genesis, QUICKNET.period) == (1692803367, 3)
    assert QUICKNET.round_at(QUICKNET.genesis) == 1
    assert QUICKNET.round_at(QUICKNET.genesis + 2.999) == 1
    assert QUICKNET.round_at(QUICKNET.genesis + 3) == 2
    assert QUICKNET.round_at(QUICKNET.genesis - 1) == 0
    assert QUICKNET.round_time(2) == QUICKNET.genesis + 3
    # the rounds drand's clients give for these moments
    assert QUICKNET.round_at(datetime(2026, 4, 20, tzinfo=UTC).timestamp()) == 27946612
    assert QUICKNET.round_at(datetime(2026, 4, 20, 12, 30, 45, tzinfo=UTC).timestamp()) == (
        27961627
    )


def test_the_round_named_is_the_first_strictly_after_the_moment() -> None:
    # at a round's own time that round is out already: the next one is named
    assert QUICKNET.first_round_after(QUICKNET.round_time(10)) == 11
    assert QUICKNET.first_round_after(QUICKNET.round_time(10) - 0.001) == 10
    assert QUICKNET.first_round_after(QUICKNET.genesis - 100) == 1
    for tenths in range(0, 200):
        moment = QUICKNET.genesis + 1000 + tenths / 10
        named = QUICKNET.first_round_after(moment)
        assert QUICKNET.round_time(named) > moment >= QUICKNET.round_time(named - 1)


def test_a_draw_names_the_first_round_after_its_reveal_wait() -> None:
    source = beacon.Source("https://relay.example", QUICKNET)
    committed = clock.from_epoch(QUICKNET.round_time(500) + 0.25)
    name = source.name_after(committed, 600)
    chain_hash, round_number = beacon.parse_name(name)
    assert name == f"drand/quicknet/{QUICKNET.chain_hash}/round/{round_number}"
    assert chain_hash == QUICKNET.chain_hash
    assert round_number == 701  # round 700 comes out 0.25 s before the wait ends
    assert source.published_at(name) > committed.timestamp() + 600
    assert source.published_at(name) - 3 <= committed.timestamp() + 600


def test_names_that_are_not_quicknet_rounds_are_refused() -> None:
    for name in (
        "lottery draw 2026-001",
        f"drand/quicknet/{QUICKNET.chain_hash}/round/0",
        f"drand/quicknet/{QUICKNET.chain_hash[:-1]}/round/5",
        f"drand/quicknet/{QUICKNET.chain_hash}/round/5/../6",
    ):
        with pytest.raises(BeaconError):
            beacon.parse_name(name)


def test_the_settings_default_to_quicknet_and_no_beacon(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DRAW_BEACON_URL", "DRAW_BEACON_CHAIN_HASH", "DRAW_BEACON_GENESIS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DRAW_BEACON_PERIOD", raising=False)
    config.settings.cache_clear()
    try:
        assert beacon.configured() is None
        monkeypatch.setenv("DRAW_BEACON_URL", "https://api.drand.sh")
        config.settings.cache_clear()
        assert beacon.configured() == beacon.Source("https://api.drand.sh", QUICKNET)
        monkeypatch.setenv("DRAW_BEACON_GENESIS", "1700000000")
        monkeypatch.setenv("DRAW_BEACON_PERIOD", "1")
        config.settings.cache_clear()
        source = beacon.configured()
        assert source is not None
        assert source.chain == beacon.Chain(QUICKNET.chain_hash, 1700000000, 1)
    finally:
        monkeypatch.undo()
        config.settings.cache_clear()


# ------------------------------------------------------------------ fetching over HTTP


def test_a_published_round_is_fetched_and_its_randomness_is_the_hash_of_its_signature(
    relay: tuple[Beacon, Clock],
) -> None:
    fake, _ = relay
    name = chain_of(fake).name(7)
    fetched = beacon.fetch(fake.url, name)
    assert fetched.round == 7
    assert fetched.randomness == hashlib.sha256(bytes.fromhex(fetched.signature)).hexdigest()
    assert fetched.randomness == fake.value(7)["randomness"]
    assert fetched.randomness != fake.value(6)["randomness"]
    assert fake.served == [7]
    assert beacon.fetch_chain(fake.url, fake.chain_hash) == chain_of(fake)


def test_a_future_round_is_not_ready_whether_the_clock_or_the_relay_says_so(
    relay: tuple[Beacon, Clock],
) -> None:
    fake, time = relay
    name = chain_of(fake).name(8)  # out at +21
    with pytest.raises(BeaconNotReady, match="HTTP 404"):
        beacon.fetch(fake.url, name)  # the relay answers 404
    source = beacon.Source(fake.url, chain_of(fake))
    with pytest.raises(BeaconNotReady, match="time has not come"):
        source.fetch(name, clock.from_epoch(time.now))  # not even asked
    assert fake.served == []
    time.now = GENESIS + 21
    assert source.fetch(name, clock.from_epoch(time.now)).randomness == fake.value(8)["randomness"]


def test_a_relay_that_lags_is_not_ready_either(relay: tuple[Beacon, Clock]) -> None:
    fake, time = relay
    fake.delay = 5
    source = beacon.Source(fake.url, chain_of(fake))
    with pytest.raises(BeaconNotReady):
        source.fetch(chain_of(fake).name(7), clock.from_epoch(time.now))


def test_a_randomness_that_is_not_the_hash_of_the_signature_is_refused(
    relay: tuple[Beacon, Clock],
) -> None:
    fake, _ = relay
    fake.forge(5, "ab" * 32)
    with pytest.raises(BeaconError, match="not SHA-256 of the signature") as caught:
        beacon.fetch(fake.url, chain_of(fake).name(5))
    assert not isinstance(caught.value, BeaconNotReady)


def test_answers_for_another_round_or_without_a_signature_are_refused() -> None:
    name = QUICKNET.name(42)
    signature = "aa" * 48
    good = {"round": 42, "signature": signature}
    # drand's v2 API leaves the randomness out: it is derived
    assert (
        beacon.checked(good, name).randomness
        == hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    )
    for bad in ({**good, "round": 43}, {"round": 42}, {**good, "signature": "xyz"}, [good]):
        with pytest.raises(BeaconError):
            beacon.checked(bad, name)


def test_an_unreachable_relay_is_an_error_not_a_wait() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BeaconError) as caught:
        beacon.fetch(f"http://127.0.0.1:{port}", QUICKNET.name(1), timeout=2)
    assert not isinstance(caught.value, BeaconNotReady)


# ------------------------------------------------------------------ the verify command


def _draw_with_beacon(fake: Beacon, round_number: int, value: str) -> tuple[Any, Any]:
    snapshot = synthetic.population(
        risk.parse_model(risk.ship_model_document()), targets=200, inspectors=12, salt="beacon"
    )
    snapshot["beacon"] = chain_of(fake).name(round_number)
    snapshot["frozen_at"] = clock.iso(clock.from_epoch(fake.genesis + 1.5))  # round 1 is out
    # the wait that makes the round named the first after it (round 2 and on)
    snapshot["reveal_wait_seconds"] = max(0, 3 * (round_number - 2))
    return draw.publish(snapshot, SECRET, value), snapshot


def _run(tmp_path: Path, published: Any, snapshot: Any, *options: str) -> int:
    """The verify command on the two documents, anchored on the page of the draw that
    published them."""
    (tmp_path / "published.json").write_text(json.dumps(published))
    (tmp_path / "snapshot.json").write_text(json.dumps(snapshot))
    (tmp_path / "page.json").write_text(json.dumps(page_of(published, snapshot)))
    return verify_cli.main(
        [
            *options,
            "--draw",
            str(tmp_path / "page.json"),
            str(tmp_path / "published.json"),
            str(tmp_path / "snapshot.json"),
        ]
    )


def test_the_verify_command_checks_the_beacon_value_at_the_beacon(
    relay: tuple[Beacon, Clock], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = relay
    published, snapshot = _draw_with_beacon(fake, 3, fake.value(3)["randomness"])
    assert _run(tmp_path, published, snapshot, "--check-beacon", fake.url) == 0
    out = capsys.readouterr().out
    assert "identical" in out
    assert f"beacon: {snapshot['beacon']} read from {fake.url}" in out
    assert fake.served == [3]


def test_a_draw_published_with_another_beacon_value_is_caught_only_at_the_beacon(
    relay: tuple[Beacon, Clock], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = relay
    # an operator who grinds: a made-up beacon value, and a draw consistent with it
    published, snapshot = _draw_with_beacon(fake, 3, "cd" * 32)
    assert draw.verify(published, snapshot) == []
    assert _run(tmp_path, published, snapshot) == 0
    capsys.readouterr()
    assert _run(tmp_path, published, snapshot, f"--check-beacon={fake.url}") == 1
    out = capsys.readouterr().out
    assert (
        f"beacon_value: published {'cd' * 32}, the beacon gives {fake.value(3)['randomness']}"
        in out
    )


def test_a_round_published_before_the_freeze_is_reported(
    relay: tuple[Beacon, Clock], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = relay
    published, snapshot = _draw_with_beacon(fake, 1, fake.value(1)["randomness"])
    assert _run(tmp_path, published, snapshot, "--check-beacon", fake.url) == 1
    assert "was published at" in capsys.readouterr().out


def test_the_verify_command_reads_the_default_relay_when_given_no_url(
    relay: tuple[Beacon, Clock],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, _ = relay
    monkeypatch.setattr(beacon, "DEFAULT_URL", fake.url)
    published, snapshot = _draw_with_beacon(fake, 4, fake.value(4)["randomness"])
    # `--check-beacon published.json snapshot.json`: the first document is not taken as a URL
    assert _run(tmp_path, published, snapshot, "--check-beacon") == 0
    assert fake.served == [4]
    fake.forge(4, "00" * 32)
    assert _run(tmp_path, published, snapshot, "--check-beacon") == 2
    assert "not SHA-256 of the signature" in capsys.readouterr().err
