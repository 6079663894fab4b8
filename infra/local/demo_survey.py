"""Demo data and walk-through steps of the remote survey: arrival health declarations.

The port `shanghai-pvg` (Shanghai Pudong airport), a jurisdiction of the agency `customs`, with
its admin and an officer; the example 12-language arrival form published by the admin; two of
today's flights (the port's local date) put on record as a port's system does it, a manifest
CSV posted to S3 and imported by the S3 event; a few of their travellers already declared,
scanned and released (one held for sampling, one waiting), so the day's board has figures. The
walk-through's traveller is the mini-program user `hanako` (山田花子, passport TZ1234567, seat
32A of NH921). Everything goes through the real API and the real upload.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from enforcement import accounts, jurisdictions
from enforcement.auth import Role
from enforcement.errors import Conflict
from enforcement.remote_survey.declarations import port_today

from infra.local.stack import wait_for

REPO = Path(__file__).resolve().parents[2]
FORM = REPO / "layers/common/enforcement/remote_survey/forms/arrival_health_declaration.json"
AGENCY = "customs"
PORT = "shanghai-pvg"
ACCOUNTS = [
    ("customs", "customs-demo-2026", Role.ADMIN, "浦东机场海关"),
    ("gaoy", "gaoy-demo-2026", Role.OFFICER, "高远"),
]
#: The walk-through's traveller: her passport's MRZ (check digits computed, valid until 2032).
TRAVELLER = "hanako"
MRZ = [
    "P<JPNYAMADA<<HANAKO<<<<<<<<<<<<<<<<<<<<<<<<<",
    "TZ12345676JPN9003152F3204016<<<<<<<<<<<<<<<6",
]
#: (flight, origin, departure airport, on-block minutes before start, passengers: name,
#: document, seat, nationality, the answers' sex and date of birth, and where they are at start:
#: not declared (""), declared and scanned ("waiting"), or the officer's disposition)
FLIGHTS: list[tuple[str, str, str, int, list[tuple[str, ...]]]] = [
    (
        "NH921",
        "JPN",
        "NRT",
        20,
        [
            ("YAMADA/HANAKO", "TZ1234567", "32A", "JPN", "", "", ""),
            ("SATO/KEN", "TR0001234", "32B", "JPN", "M", "1985-06-01", "released"),
            ("SUZUKI/YUI", "TK5550123", "33C", "JPN", "F", "1992-11-20", "released"),
            ("CHEN/JIE", "E87654321", "40A", "CHN", "M", "1979-02-14", "released"),
            ("TANAKA/RIN", "TS9090909", "41D", "JPN", "F", "2001-04-09", ""),
        ],
    ),
    (
        "KE893",
        "KOR",
        "ICN",
        25,
        [
            ("KIM/MINJI", "M12345678", "12A", "KOR", "F", "1990-01-31", "released"),
            ("PARK/JOON", "M23456789", "12B", "KOR", "M", "1988-08-08", "sampled"),
            ("LI/NA", "E11223344", "20C", "CHN", "F", "1995-05-05", "waiting"),
        ],
    ),
]
HEALTHY = {
    "document_type": "passport",
    "contact_confirmed": "no",
    "contact_symptomatic": "no",
    "symptoms": ["none"],
    "temperature": 36.5,
    "medicine_taken": "no",
    "address": "上海市浦东新区世纪大道100号",
    "phone": "+8613800138000",
    "declaration": "yes",
}
#: A fever: decision support proposes sampling, which the officer follows.
FEVER = {"symptoms": ["fever", "fatigue"], "temperature": 38.4}


def _session(api: str, username: str, password: str) -> dict[str, str]:
    body = {"username": username, "password": password}
    answer = requests.post(f"{api}/auth/officer/login", json=body, timeout=30)
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _call(method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
    answer = requests.request(method, url, json=body, headers=headers, timeout=30)
    if not answer.ok:
        raise RuntimeError(f"{method} {url}: {answer.status_code} {answer.text}")
    return answer.json()


def _manifest(
    number: str, origin: str, airport: str, day: str, on_block: datetime, people: Any
) -> bytes:
    scheduled = (on_block - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    actual = on_block.strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        "flight_number,origin,departure_airport,arrival_date,scheduled_on_block,actual_on_block",
        f"{number},{origin},{airport},{day},{scheduled},{actual}",
        "name,document_number,seat,nationality",
        *(f"{p[0]},{p[1]},{p[2]},{p[3]}" for p in people),
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _import(api: str, officer: dict[str, str], content: bytes) -> None:
    """A manifest through the real upload: a presigned POST, the S3 event's import."""
    grant = _call("POST", f"{api}/remote-survey/manifests", officer, {"port": PORT})
    posted = requests.post(
        grant["url"],
        data=grant["fields"],
        files={grant["file_field"]: ("manifest.csv", content, "text/csv")},
        timeout=60,
    )
    posted.raise_for_status()
    status_url = f"{api}/remote-survey/manifests/{grant['upload_id']}?port={PORT}"
    status = wait_for(
        lambda: (s := _call("GET", status_url, officer))["status"] != "pending" and s,
        timeout=60,
        interval=0.1,
    )
    if status["status"] != "done":
        raise RuntimeError(f"demo manifest refused: {status}")


def _traveller(stack: Any, handle: str) -> dict[str, str]:
    """A mini-program user's first login (a one-time code of the fake login platform)."""
    code = f"code-{handle}-{secrets.token_hex(4)}"
    stack.login_platform.add_code(code, f"openid-demo-{handle}")
    login = _call("POST", f"{stack.api_url}/auth/miniprogram/login", {}, {"code": code})
    return {"Authorization": f"Bearer {login['token']}"}


def _declare_and_clear(
    stack: Any,
    officer: dict[str, str],
    day: str,
    number: str,
    origin: str,
    passenger: tuple[str, ...],
) -> None:
    """A traveller declared and scanned at the port, then `disposition` unless waiting."""
    name, document, seat, nationality, sex, born, disposition = passenger
    api = f"{stack.api_url}/remote-survey"
    traveller = _traveller(stack, document.lower())
    start = {"port": PORT, "arrival_date": day, "flight_number": number}
    started = _call("POST", f"{api}/declarations", traveller, {**start, "lang": "en"})
    path = f"{api}/declarations/{started['declaration_id']}"
    surname, given = name.split("/")
    answers = {
        **HEALTHY,
        **(FEVER if disposition == "sampled" else {}),
        "surname": surname,
        "given_names": given,
        "sex": sex,
        "date_of_birth": born,
        "nationality": nationality,
        "document_number": document,
        "seat_number": seat,
        "countries_visited": [origin],
    }
    _call("PATCH", path, traveller, {"answers": answers})
    code = _call("POST", f"{path}/submit", traveller)["code"]
    _call("POST", f"{api}/scans", officer, {"code": code, "lang": "zh"})
    if disposition != "waiting":
        _call("POST", f"{path}/clearance", officer, {"disposition": disposition})


def load(stack: Any) -> None:
    api = stack.api_url
    jurisdictions.register("system:demo", AGENCY, PORT)
    for username, password, role, name in ACCOUNTS:
        with contextlib.suppress(Conflict):  # already there on a second load
            accounts.create_officer(
                "system:demo",
                username=username,
                password=password,
                name=name,
                role=role,
                agency=AGENCY,
                jurisdiction=PORT,
            )
    admin = _session(api, "customs", "customs-demo-2026")
    sheets = json.loads(FORM.read_text(encoding="utf-8"))
    _call("POST", f"{api}/remote-survey/forms", admin, {"sheets": sheets})
    officer = _session(api, "gaoy", "gaoy-demo-2026")
    day = port_today().isoformat()  # once: a load across the port's midnight keeps one day
    now = datetime.now(UTC).replace(microsecond=0)
    for number, origin, airport, minutes, people in FLIGHTS:
        on_block = now - timedelta(minutes=minutes)
        _import(api, officer, _manifest(number, origin, airport, day, on_block, people))
        for passenger in people:
            if passenger[-1]:
                _declare_and_clear(stack, officer, day, number, origin, passenger)
    stack.login_platform.add_user(TRAVELLER, f"openid-demo-{TRAVELLER}")
    stack.demo_survey_day = day


def walkthrough(stack: Any) -> str:
    """Steps 10 to 13 of the printed walk-through (uses $API, $LOGIN, $J and get() of the
    earlier steps, in their scratch folder)."""
    day = getattr(stack, "demo_survey_day", port_today().isoformat())
    mrz = json.dumps(MRZ)
    return f"""
# 10. Remote survey (agency customs, port {PORT}: admin customs / customs-demo-2026, officer
#     gaoy / gaoy-demo-2026). Flights NH921 (Tokyo) and KE893 (Seoul) of {day} are on record,
#     imported from the manifests a port's system uploads; some travellers are already through.
#     山田花子 (mini-program user hanako, seat 32A of NH921) declares in Japanese: she starts
#     the example arrival form, fills her name, birth and passport from its MRZ, then the rest
DAY={day}
HANAKO=$(curl -s -X POST $API/auth/miniprogram/login -H "$J" \\
  -d '{{"code":"'$(curl -s "$LOGIN/demo-code?user=hanako")'"}}' | get token)
H="authorization: Bearer $HANAKO"
curl -s -X POST $API/remote-survey/declarations -H "$J" -H "$H" \\
  -d '{{"port":"{PORT}","arrival_date":"'$DAY'","flight_number":"NH921","lang":"ja"}}' > decl.json
DECL=$API/remote-survey/declarations/$(get declaration_id < decl.json)
MRZ='{mrz}'
curl -s -X POST $DECL/autofill -H "$J" -H "$H" -d '{{"mrz":'"$MRZ"'}}'; echo
curl -s -X PATCH $DECL -H "$J" -H "$H" -d '{{"answers":{{"seat_number":"32B",
  "countries_visited":["JPN"],"contact_confirmed":"no","contact_symptomatic":"no",
  "symptoms":["none"],"temperature":36.6,"medicine_taken":"no","phone":"+8613800138000",
  "address":"上海市浦东新区世纪大道100号","declaration":"yes"}}}}' > /dev/null

# 11. The check before submit answers in Japanese: seat 32B is not the manifest's (32A).
#     She corrects it, the check passes, she submits and gets her declaration code (the QR)
curl -s -X POST $DECL/check -H "$J" -H "$H" -d '{{}}'; echo
curl -s -X PATCH $DECL -H "$J" -H "$H" -d '{{"answers":{{"seat_number":"32A"}}}}' > /dev/null
curl -s -X POST $DECL/check -H "$J" -H "$H" -d '{{}}'; echo
curl -s -X POST $DECL/submit -H "$H" > submitted.json; get code < submitted.json

# 12. At the port, officer 高远 scans her code and reads the declaration in Chinese (answers
#     labelled, a summary: symptoms, temperature, decision support's outcome); he releases her
GAO=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"gaoy","password":"gaoy-demo-2026"}}' | get token)
G="authorization: Bearer $GAO"
curl -s -X POST $API/remote-survey/scans -H "$J" -H "$G" \\
  -d '{{"code":"'$(get code < submitted.json)'","lang":"zh"}}'; echo
curl -s -X POST $DECL/clearance -H "$J" -H "$G" -d '{{"disposition":"released"}}'; echo

# 13. The port's clearance board for the day: per flight, arrivals, declared, released, held,
#     in process, clearance time p50/p90/max (release - on-block) and late past the target
curl -s $API/remote-survey/boards/$DAY -H "$G"; echo
"""
