"""Demo data and walk-through steps of traffic e-tickets: a city's registries and roadside
lookups.

The city `yantai` (烟台, plates 鲁F and 鲁Y), a jurisdiction of the traffic-police agency
`yantai-traffic` (the duty demo's agency: its command centre `command` is the agency's admin,
who syncs the registries), with a roadside officer, 刘军 (`liuj`). The registries are a small
set of CSV files (`infra/local/ticketing/`: vehicles, drivers, violations, each with one bad
row), imported in the walk-through through the real upload and the S3 event, as a
traffic-police system syncs them; importing them again changes nothing.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from enforcement import accounts, jurisdictions
from enforcement.auth import Role
from enforcement.errors import Conflict

from infra.local.demo_dispatch import TRAFFIC

CITY = "yantai"
ACCOUNTS = [("liuj", "liuj-demo-2026", Role.OFFICER, "刘军")]
DATA = Path(__file__).resolve().parent / "ticketing"
REGISTRIES = ("vehicles", "drivers", "violations")


def load(stack: Any) -> None:
    """The city and its officer (a second load changes nothing)."""
    jurisdictions.register("system:demo", TRAFFIC, CITY)
    for username, password, role, name in ACCOUNTS:
        with contextlib.suppress(Conflict):  # already there on a second load
            accounts.create_officer(
                "system:demo",
                username=username,
                password=password,
                name=name,
                role=role,
                agency=TRAFFIC,
                jurisdiction=CITY,
            )


def walkthrough(stack: Any) -> str:
    """Steps 14 and 15 of the printed walk-through (uses $API, $J, $REPO, get() and upload() of
    the earlier steps, in the scratch folder they made the working directory)."""
    return f"""
# 14. Traffic e-tickets, city {CITY} (agency {TRAFFIC}): the command centre syncs the city's
#     registries as a traffic-police system does, three CSV files through presigned POSTs
#     (infra/local/ticketing/). Each file's report: rows kept, rows written, and each bad row
#     with its line and reason (a plate with an O, a licence number whose check character is
#     wrong); the good rows are kept. Imported again, a file writes nothing ("unchanged").
CENTRE=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"command","password":"command-demo-2026"}}' | get token)
for R in {" ".join(REGISTRIES)}; do
  curl -s -X POST $API/ticketing/registries/uploads -H "$J" -H "authorization: Bearer $CENTRE" \\
    -d '{{"city":"{CITY}","registry":"'$R'"}}' > registry-$R.json
  upload registry-$R.json $REPO/infra/local/ticketing/$R.csv
done
for R in {" ".join(REGISTRIES)}; do
  until curl -s $API/ticketing/registries/uploads/$(get upload_id < registry-$R.json) \\
    -H "authorization: Bearer $CENTRE" > report-$R.json && ! grep -q '"pending"' report-$R.json
  do sleep 0.2; done
  cat report-$R.json; echo
done

# 15. At the roadside, officer 刘军 of {CITY}: a plate (two vehicles share 鲁F12345: a blue car
#     and a yellow truck; documents in force today, outstanding violations, owners masked), the
#     owner opened with a reason (audited), a plate the phone's OCR misread (I for 1: the
#     registered plates one misreading away), a licence with a class mismatch (a C1 licence at
#     the wheel of a heavy truck), a bad licence number (its check character), and officer
#     王海英 of another jurisdiction refused
LIUJ=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"liuj","password":"liuj-demo-2026"}}' | get token)
L="authorization: Bearer $LIUJ"
urlenc() {{ python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "$1"; }}
YT=$API/ticketing/cities/{CITY}
curl -s $YT/plates/$(urlenc 鲁F12345) -H "$L"; echo
curl -s -X POST $YT/plates/$(urlenc 鲁F12345)/owner -H "$J" -H "$L" \\
  -d '{{"reason":"事故处理: 车辆占道","plate_kind":"ordinary_large"}}'; echo
curl -s $YT/plates/$(urlenc 鲁FI2345) -H "$L"; echo
curl -s "$YT/licences/37060219850315231X?vehicle_type=heavy_truck" -H "$L"; echo
curl -s "$YT/licences/370602198503152318" -H "$L"; echo
WANG=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"wanghy","password":"wanghy-demo-2026"}}' | get token)
curl -s $YT/plates/$(urlenc 鲁F12345) -H "authorization: Bearer $WANG"; echo
"""
