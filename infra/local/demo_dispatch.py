"""Demo data and walk-through steps of random dispatch, duty tasks and hazard reports.

Random dispatch (agency `msa`, the check-in demo's maritime agency): the example ship risk model,
twelve ships, the officer zhang and three more inspectors on duty. Duty tasks (agency
`yantai-traffic`): a command-centre account, three traffic officers on duty and two patrol areas
in Yantai with their time slots. Everything goes through the real API.
"""

from __future__ import annotations

import contextlib
from typing import Any

import requests
from enforcement import accounts, jurisdictions
from enforcement.auth import Role
from enforcement.dispatch import risk
from enforcement.errors import Conflict

MSA_JURISDICTION = "shanghai-wusongkou"
MSA_INSPECTORS = [
    ("chen", "chen-demo-2026"),
    ("zhou", "zhou-demo-2026"),
    ("wuxin", "wuxin-demo-2026"),
]
TRAFFIC = "yantai-traffic"
TRAFFIC_JURISDICTION = "yantai-zhifu"
TRAFFIC_ACCOUNTS = [
    ("command", "command-demo-2026", Role.ADMIN, "指挥中心"),
    ("wanghy", "wanghy-demo-2026", Role.OFFICER, "王海英"),
    ("zhaol", "zhaol-demo-2026", Role.OFFICER, "赵磊"),
    ("sunp", "sunp-demo-2026", Role.OFFICER, "孙鹏"),
]
PATROL_AREAS = {
    "gangcheng-tongshi": {
        "name": "港城西大街与通世南路交叉口",
        "lat": 37.5395,
        "lon": 121.3520,
        "radius_m": 600,
        "qualification": "patrol",
        "slots": [
            {"start": "07:00", "end": "09:00", "officers": 2},
            {"start": "17:00", "end": "19:00", "officers": 2},
        ],
    },
    "binhai-road": {
        "name": "滨海路第一海水浴场段",
        "lat": 37.5330,
        "lon": 121.4010,
        "radius_m": 1500,
        "qualification": "patrol",
        "slots": [
            {"start": "09:00", "end": "11:30", "officers": 1},
            {"start": "14:00", "end": "17:00", "officers": 1},
        ],
    },
}
SHIPS = 12


def _account(
    username: str, password: str, role: Role, agency: str, jurisdiction: str, name: str
) -> None:
    with contextlib.suppress(Conflict):  # already there on a second load
        accounts.create_officer(
            "system:demo",
            username=username,
            password=password,
            name=name,
            role=role,
            agency=agency,
            jurisdiction=jurisdiction,
        )


def _session(api: str, username: str, password: str) -> dict[str, str]:
    answer = requests.post(
        f"{api}/auth/officer/login",
        json={"username": username, "password": password},
        timeout=30,
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _call(method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
    answer = requests.request(method, url, json=body, headers=headers, timeout=30)
    answer.raise_for_status()
    return answer.json()


def load(stack: Any) -> None:
    api = stack.api_url
    # random dispatch: the maritime agency's model, ships and inspectors
    for username, password in MSA_INSPECTORS:
        _account(username, password, Role.OFFICER, "msa", MSA_JURISDICTION, username)
    admin = _session(api, "admin", "admin-demo-2026")
    model = risk.ship_model_document()
    model.pop("model_id")
    _call("POST", f"{api}/dispatch/risk-models/ship-risk/versions", admin, model)
    codes = [i["code"] for c in model["categories"] for i in c["indicators"]]
    for n in range(SHIPS):
        flagged = codes[: (n * 7) % len(codes)]  # from no flags to many: every level appears
        _call(
            "PUT",
            f"{api}/dispatch/targets/ship-{n:02d}",
            admin,
            {
                "kind": "ship",
                "name": f"沪港{n + 1}号",
                "company_id": f"co-{n % 5}",
                "company_name": f"上海第{n % 5 + 1}航运有限公司",
                "model_id": "ship-risk",
                "indicators": {code: 1 for code in flagged},
            },
        )
    for username in ["zhang", *(u for u, _ in MSA_INSPECTORS)]:
        _call(
            "PUT",
            f"{api}/dispatch/inspectors/off-{username}",
            admin,
            {"qualifications": ["ship", "cargo"], "on_duty": True},
        )
    # duty tasks: the traffic command centre, its officers and patrol areas
    jurisdictions.register("system:demo", TRAFFIC, TRAFFIC_JURISDICTION)
    for username, password, role, name in TRAFFIC_ACCOUNTS:
        _account(username, password, role, TRAFFIC, TRAFFIC_JURISDICTION, name)
    centre = _session(api, "command", "command-demo-2026")
    for username, _, role, _ in TRAFFIC_ACCOUNTS:
        if role is Role.OFFICER:
            _call(
                "PUT",
                f"{api}/dispatch/inspectors/off-{username}",
                centre,
                {"qualifications": ["patrol"], "on_duty": True},
            )
    for area_id, body in PATROL_AREAS.items():
        _call("PUT", f"{api}/duty/areas/{area_id}", centre, body)


def walkthrough(stack: Any) -> str:
    """Steps 8 and 9 of the printed walk-through (uses $API, $J, $REPO, $PHOTOS, get() and
    upload() of the earlier steps, in the scratch folder they made the working directory)."""
    return """
# 8. Random dispatch: the maritime admin starts a draw; the public sees and re-runs it (no token)
ADMIN=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{"username":"admin","password":"admin-demo-2026"}' | get token)
curl -s -X POST $API/dispatch/draws -H "$J" -H "authorization: Bearer $ADMIN" \\
  -d '{"model_id":"ship-risk","team_size":2,"reveal_wait_seconds":3}' > draw.json
cat draw.json; echo
sleep 8   # freeze and commit, wait, reveal, select and assign, publish: the state machine
#    the page: teams by public ids (insp-...), never account names; the anchors verification
#    holds documents to (snapshot hash, commitment, reveal wait, beacon round, secret, value)
curl -s $API/public/draws/$(get draw_id < draw.json); echo
curl -s $API/public/draws/$(get draw_id < draw.json)/verify; echo
$REPO/.venv/bin/python -m enforcement.dispatch.verify --api $API $(get draw_id < draw.json)
#    the specification, to write a verifier of your own: docs/draw-specification.md

# 9. Traffic duty: the command centre dispatches today's patrol tasks (balanced, random among
#    equals); 王海英 sees hers, acknowledges one and reports an accident with a photo
CENTRE=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{"username":"command","password":"command-demo-2026"}' | get token)
TODAY=$(TZ=Asia/Shanghai date +%F)
curl -s -X POST $API/duty/days/$TODAY/dispatch -H "authorization: Bearer $CENTRE"; echo
WANG=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{"username":"wanghy","password":"wanghy-demo-2026"}' | get token)
curl -s "$API/duty/me/tasks?date=$TODAY" -H "authorization: Bearer $WANG" > tasks.json
cat tasks.json; echo
TASK=$(python3 -c 'import json;print(json.load(open("tasks.json"))[0]["task_id"])')
curl -s -X POST $API/duty/tasks/$TASK/acknowledge -H "authorization: Bearer $WANG"; echo
curl -s -X POST $API/duty/hazards -H "$J" -H "authorization: Bearer $WANG" \\
  -d '{"kind":"accident","description":"两车轻微剐蹭 无人员受伤","photos":1,
       "gps":{"lat":37.5396,"lon":121.3521,"accuracy_m":8}}' > hazard.json
upload hazard.json $PHOTOS/t1.jpg
curl -s $API/duty/hazards -H "authorization: Bearer $CENTRE"; echo    # the centre's queue
HAZARD=$API/duty/hazards/$(get report_id < hazard.json)
curl -s -X POST $HAZARD/take -H "authorization: Bearer $CENTRE"; echo
curl -s -X POST $HAZARD/close -H "$J" -H "authorization: Bearer $CENTRE" \\
  -d '{"outcome":"resolved","resolution":"事故处理组已到场"}'; echo
curl -s $API/duty/days/$TODAY -H "authorization: Bearer $CENTRE"; echo   # the day's board
"""
