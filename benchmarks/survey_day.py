"""A port's day at ten times the seed's peak on the local stack, for the survey suite
(`benchmarks.survey`): the agency, the port and its officers, the arrival form, 230 flights and
18,000 declarations, and the reads the suite measures on it (the peak's counters, a metered
traveller, the board, the exports).
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import requests

from benchmarks import latencies
from benchmarks.metering import AwsMeter, Usage

FLIGHTS = 230
DAY_DECLARATIONS = 18_000
PEAK_FLIGHTS = 5
PER_PEAK_FLIGHT = 80
#: Of the 225 flights written straight: this many of 79 declarations, the rest of 78 (17,600).
FLIGHTS_OF_79 = 50
HELD = 3
LANGS = ("zh", "en", "ja", "ko", "ru", "fr", "de", "es", "it", "pt", "ar", "vi")
FUNCTION = "RemoteSurveyApiFunction"
#: The survey function's share of a vCPU at its 1,024 MB (Lambda: one vCPU at 1,769 MB).
LAMBDA_VCPU = 1024 / 1769
LONG = 900  # seconds an export may take over HTTP on the loaded local stack


def pages_of(n: int, document: str, seat: str, day: date) -> list[dict[str, Any]]:
    """Traveller `n`'s answers in the two pages the mini-program saves: the document page,
    then the rest. One in 50 has a fever and a cough (decision support holds them)."""
    ill = n % 50 == 0
    return [
        {
            "surname": f"TRAVELLER{n:04d}",
            "given_names": "ANNA MARIA",
            "sex": "F" if n % 2 else "M",
            "date_of_birth": "1974-08-12",
            "nationality": "JPN",
            "document_type": "passport",
            "document_number": document,
        },
        {
            "seat_number": seat,
            "departure_date": day.isoformat(),
            "countries_visited": ["JPN"],
            "contact_confirmed": "no",
            "contact_symptomatic": "no",
            "symptoms": ["fever", "dry_cough"] if ill else ["none"],
            "temperature": 38.1 if ill else 36.6,
            "medicine_taken": "no",
            "address": "上海市浦东新区世纪大道100号",
            "phone": "+8613800138000",
            "declaration": "yes",
        },
    ]


def _seat(i: int) -> str:
    return f"{i // 6 + 1}{'ABCDEF'[i % 6]}"


def _units(usage: Usage) -> dict[str, Any]:
    return {
        "calls": usage.total_calls,
        "read": usage.read_units,
        "write": usage.write_units,
        "detail": ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(usage.calls.items())),
    }


class Day:
    """The agency `customs-<sfx>`, its port `pvg-<sfx>` (an admin, an officer), the arrival
    form published over HTTP, and the day's 230 flight numbers (the peak's are 5 of them)."""

    def __init__(self, stack: Any, sfx: str) -> None:
        from enforcement.auth import Role
        from enforcement.remote_survey.declarations import port_today

        from tests.integration.client import officer_session
        from tests.integration.survey import arrival_sheets
        from tests.survey_records import FORM_ID

        self.stack, self.sfx = stack, sfx
        self.agency, self.port = f"customs-{sfx}", f"pvg-{sfx}"
        login = {"agency": self.agency, "jurisdiction": self.port}
        self.admin = officer_session(
            stack.api_url, f"sadm{sfx}", role=Role.ADMIN, name="admin", **login
        )
        self.officer = officer_session(
            stack.api_url, f"soff{sfx}", role=Role.OFFICER, name="officer", **login
        )
        self.officer.timeout = LONG
        # the form id the declarations written straight into the tables name
        self.form_id = FORM_ID
        self.admin.post("/remote-survey/forms", {"sheets": arrival_sheets(self.form_id)})
        self.day = port_today().isoformat()
        self.numbers = [f"MU{1000 + n}" for n in range(FLIGHTS)]
        self.peak_flights = self.numbers[FLIGHTS // 2 : FLIGHTS // 2 + PEAK_FLIGHTS]

    # ------------------------------------------------------------------ the peak
    def import_flight(self, number: str, day: str, people: list[tuple[str, str, str]]) -> None:
        from tests.integration.manifests import manifest, send

        status = send(self.officer, self.port, manifest(number, day, people))
        assert status["result"] == "imported", status

    def peak_travellers(self, stack: Any) -> list[dict[str, Any]]:
        """The peak's flights on record from their manifests, and their 400 travellers, each
        with a login code of their own."""
        plan = []
        day = date.fromisoformat(self.day)
        for k, number in enumerate(self.peak_flights):
            people = []
            for i in range(PER_PEAK_FLIGHT):
                n = k * PER_PEAK_FLIGHT + i
                document = f"E{n:04d}{self.sfx.upper()}"
                people.append((f"TRAVELLER{n:04d}/ANNA MARIA", document, _seat(i)))
                code = f"code-peak-{n}-{secrets.token_hex(4)}"
                stack.login_platform.add_code(code, f"openid-peak-{n}-{secrets.token_hex(4)}")
                plan.append(
                    {
                        "code": code,
                        "flight_number": number,
                        "lang": LANGS[n % len(LANGS)],
                        "pages": pages_of(n, document, _seat(i), day),
                    }
                )
            self.import_flight(number, self.day, people)
        # the five flights' travellers interleaved, as they come off the aircraft together
        order = sorted(range(len(plan)), key=lambda n: (n % PER_PEAK_FLIGHT, n))
        return [plan[n] for n in order]

    def declared_of_peak_flights(self) -> dict[str, int]:
        from enforcement.remote_survey.models import Flight, port_day

        key = port_day(self.port, self.day)
        return {
            n: int(Flight.get(key, n, consistent_read=True).declared) for n in self.peak_flights
        }

    def metered_travellers(self, stack: Any, day: date, count: int = 3) -> dict[str, Any]:
        """`count` travellers of a flight of `day` (not the measured day), one request at a
        time, each request metered: the last one's calls and units per step."""
        from tests.integration.client import Client
        from tests.integration.people import crew_account

        number = "MU9990"
        documents = [f"M{i:04d}{self.sfx.upper()}" for i in range(count)]
        people = [(f"METERED{i}/ANNA", documents[i], _seat(i)) for i in range(count)]
        self.import_flight(number, day.isoformat(), people)
        meter = AwsMeter()
        figures: dict[str, Any] = {}
        for i in range(count):
            traveller: Client = crew_account(stack, f"metered{i}")
            pages = pages_of(1 + i, documents[i], _seat(i), day)
            body = {
                "port": self.port,
                "arrival_date": day.isoformat(),
                "flight_number": number,
                "form_id": self.form_id,
                "lang": "ja",
            }
            with meter.measure() as usage:
                started = traveller.post("/remote-survey/declarations", body)
            figures["start"] = _units(usage)
            path = f"/remote-survey/declarations/{started['declaration_id']}"
            for n, page in enumerate(pages):
                with meter.measure() as usage:
                    traveller.call("PATCH", path, {"answers": page}, expect=200)
                figures[f"patch {n + 1}"] = _units(usage)
            with meter.measure() as usage:
                assert traveller.post(f"{path}/check", {}, expect=200)["ok"]
            figures["check"] = _units(usage)
            with meter.measure() as usage:
                traveller.post(f"{path}/submit", expect=200)
            figures["submit"] = _units(usage)
        return figures

    # ------------------------------------------------------------------ the officers' reads
    @contextmanager
    def _handler_cpu(self) -> Iterator[list[float]]:
        """The CPU seconds of each invocation of the survey function inside the block, in the
        thread that runs it (botocore's parsing, pynamodb, our code; moto answers in others)."""
        runtime = self.stack._require_runtime()
        original = runtime.handler_for(self.stack.functions[FUNCTION])
        spent: list[float] = []

        def timed(event: Any, context: Any) -> Any:
            began = time.thread_time()
            try:
                return original(event, context)
            finally:
                spent.append(time.thread_time() - began)

        with self.stack.override_handler(FUNCTION, timed):
            yield spent

    def _metered_call(self, call: Any) -> tuple[Any, Usage, float, float]:
        """`call()` metered: its answer, usage, the survey function's last duration (ms) and
        the CPU seconds of its thread."""
        meter = AwsMeter()
        with self._handler_cpu() as cpu, meter.measure() as usage:
            answer = call()
        last = [i for i in self.stack.invocations[-20:] if i.function == FUNCTION][-1]
        return answer, usage, last.duration_ms, cpu[-1]

    def board(self, stack: Any) -> dict[str, Any]:
        path = f"/remote-survey/boards/{self.day}"
        self.officer.get(path)  # warm
        walls = []
        for _ in range(3):
            began = time.perf_counter()
            self.officer.get(path)
            walls.append((time.perf_counter() - began) * 1000)
        board, usage, duration, cpu = self._metered_call(lambda: self.officer.get(path))
        return {
            "flights": len(board["flights"]),
            "declared": sum(int(f["declared"]) for f in board["flights"]),
            "median_ms": statistics.median(walls),
            "worst_ms": max(walls),
            "duration_ms": duration,
            "own_ms": duration - usage.aws_seconds * 1000,
            "cpu_ms": cpu * 1000,
            "calls": _units(usage)["detail"],
            "read": usage.read_units,
        }

    def exports(self, stack: Any) -> dict[str, Any]:
        body = {"port": self.port, "arrival_date": self.day, "format": "csv", "lang": "ja"}
        began = time.perf_counter()
        done, usage, duration, cpu = self._metered_call(
            lambda: self.officer.post("/remote-survey/exports", body)
        )
        request_s = time.perf_counter() - began
        began = time.perf_counter()
        fetched = requests.get(done["url"], timeout=LONG)
        fetched.raise_for_status()
        download_s = time.perf_counter() - began
        began = time.perf_counter()
        xlsx, xlsx_usage, _, _ = self._metered_call(
            lambda: self.officer.call("POST", "/remote-survey/exports", {**body, "format": "xlsx"})
        )
        xlsx_day_s = time.perf_counter() - began
        xlsx_day = f"{xlsx.status_code} {xlsx.json().get('code') or 'exported'}"
        began = time.perf_counter()
        one = self.officer.post(
            "/remote-survey/exports",
            {**body, "format": "xlsx", "flight_number": self.peak_flights[0]},
        )
        requests.get(one["url"], timeout=LONG).raise_for_status()
        return {
            "rows": int(done["rows"]),
            "bytes": len(fetched.content),
            "request_s": request_s,
            "duration_s": duration / 1000,
            "own_s": duration / 1000 - usage.aws_seconds,
            "cpu_s": cpu,
            "lambda_s": cpu / LAMBDA_VCPU + latencies.total_ms(usage.calls.items()) / 1000,
            "download_s": download_s,
            "calls": _units(usage)["detail"],
            "read": usage.read_units,
            "xlsx_day": xlsx_day,
            "xlsx_day_s": xlsx_day_s,
            "xlsx_day_queries": xlsx_usage.calls.get("dynamodb:Query", 0),
            "xlsx_rows": int(one["rows"]),
            "xlsx_request_s": time.perf_counter() - began,
        }

    def stock_index_query_s(self) -> float:
        """Seconds of one Query of the `by_flight` index under moto as it is (one flight)."""
        from enforcement.remote_survey.declaration_lists import submitted_of
        from enforcement.remote_survey.models import flight_key

        began = time.perf_counter()
        list(submitted_of(flight_key(self.port, self.day, self.numbers[0])))
        return time.perf_counter() - began

    def rows_read_back(self) -> tuple[list[Any], dict[tuple[str, int], Any]]:
        """The day's submitted declarations as the table holds them, and their forms. Read from
        moto's store in this process (the export above has read them over HTTP already; a third
        pass of 231 Queries would time moto again, not the export)."""
        from enforcement.remote_survey import form_store
        from enforcement.remote_survey.models import Declaration
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends[self.stack.account_id][self.stack.region].get_table(
            Declaration.Meta.table_name
        )
        rows = []
        for item in table.items.values():
            declaration = Declaration.from_raw_data(item.to_json()["Attributes"])
            if (declaration.port, declaration.arrival_date, declaration.status) == (
                self.port,
                self.day,
                "submitted",
            ):
                rows.append(declaration)
        versions = {(d.form_id, int(d.form_version)) for d in rows}
        return rows, {v: form_store.form(*v)[1] for v in versions}


def seed_day(day: Day) -> dict[str, int]:
    """The day's other 225 flights, with 17,600 submitted declarations written straight into
    the tables (`tests/survey_records.py`, batched) and each flight's counters as a day of
    clearance leaves them (all but `HELD` released)."""
    from enforcement import clock
    from enforcement.remote_survey.models import Declaration, DeclarationVersion, Flight, port_day

    from benchmarks.survey_board import _times
    from benchmarks.survey_exports import _answers
    from tests.survey_records import write_declaration

    rng = random.Random(18)
    others = [n for n in day.numbers if n not in day.peak_flights]
    count = 0
    start = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    with (
        Flight.batch_write() as flights,
        Declaration.batch_write() as declarations,
        DeclarationVersion.batch_write() as versions,
    ):

        def save(item: Any) -> None:
            (declarations if isinstance(item, Declaration) else versions).save(item)

        for f, number in enumerate(others):
            travellers = 79 if f < FLIGHTS_OF_79 else 78
            on_block = clock.iso(start + timedelta(minutes=6 * f))
            flights.save(
                Flight(
                    port_day(day.port, day.day),
                    number,
                    port=day.port,
                    agency=day.agency,
                    arrival_date=day.day,
                    origin="JPN",
                    departure_airport="NRT",
                    scheduled_on_block=on_block,
                    actual_on_block=on_block,
                    passengers=travellers,
                    declared=travellers,
                    released=travellers - HELD,
                    held=HELD,
                    clearance_seconds=_times(rng, travellers - HELD),
                )
            )
            for i in range(travellers):
                write_declaration(
                    day.port,
                    day.agency,
                    number,
                    day.day,
                    owner=f"acc-{day.sfx}-{count}",
                    answers=_answers(count),
                    computed={"has_symptoms": "no", "has_fever": "no"},
                    outcome="release" if i >= HELD else "sampling",
                    scanned_by="officer",
                    rule_version="bench",
                    save=save,
                )
                count += 1
    assert count == DAY_DECLARATIONS - PEAK_FLIGHTS * PER_PEAK_FLIGHT, count
    return {"flights": len(others) + PEAK_FLIGHTS, "declarations": count}
