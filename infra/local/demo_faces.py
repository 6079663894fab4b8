"""Demo data and the walk-through step of identifying a driver by face, in the city `yantai`
(`demo_ticketing`): two drivers on the city's registry whose licence photos the command centre
(the traffic agency's admin) enrols, and the roadside officer liuj's search with a second photo
of one of them, confirmed. The photos are dlib's "johns" (.cache/photos/johns, fetched by
scripts/fetch_photos.py): two photographs of one man from different occasions, and another man.
"""

from __future__ import annotations

from typing import Any

from infra.local.demo_ticketing import CITY

#: licence number (resident ID number), name, licence photo, as on the registry.
DRIVERS = (
    ("370602198503142314", "孙建国", "johns/John_Savage/000274_01099061.jpg"),
    ("370602199207081515", "李卫东", "johns/John_Simm/000300_00470148.jpg"),
)
#: A second photograph of the first driver, taken on another occasion.
SECOND_PHOTO = "johns/John_Savage/000290_01099090.jpg"


def load(stack: Any) -> None:
    """The two drivers on yantai's registry, unless there already (as the import writes them)."""
    from enforcement.ticketing.models import Driver, driver_key

    for number, name, _photo in DRIVERS:
        key = driver_key(CITY, number)
        try:
            Driver.get(key, consistent_read=True)
        except Driver.DoesNotExist:
            Driver(
                key,
                city=CITY,
                licence_number=number,
                name=name,
                classes=["C1"],
                first_issued="2012-06-01",
                valid_from="2018-06-01",
                valid_to="2028-06-01",
                status="valid",
                points=0,
                date_of_birth=f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
            ).save()


def walkthrough(stack: Any) -> str:
    (first, first_name, first_photo), (second, _, second_photo) = DRIVERS
    city = "$CITY_API"
    audit_table = stack.env.get("AUDIT_TABLE", "?")
    return f"""
# 14. Identify a driver by face ({CITY}). The command centre (the traffic agency's admin)
#     enrols the licence photos of two drivers on the registry: each goes through the face
#     engine into the city's 1:N index. Then officer liuj, at the roadside, stops a man with
#     no licence on him: a reason, a photo, and the 5 nearest drivers of the city with their
#     distances; {first_name} ({first}) comes first, marked match (within the calibrated
#     line). Nothing is decided until the officer confirms him; every step is audited.
CITY_API=$API/ticketing/cities/{CITY}
COMMAND=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"command","password":"command-demo-2026"}}' | get token)
curl -s -X POST {city}/drivers/{first}/face-enrolment -H "authorization: Bearer $COMMAND" \\
  > enrol1.json
upload enrol1.json $PHOTOS/{first_photo}
curl -s -X POST {city}/drivers/{second}/face-enrolment -H "authorization: Bearer $COMMAND" \\
  > enrol2.json
upload enrol2.json $PHOTOS/{second_photo}
curl -s {city}/drivers/{first}/face-enrolment -H "authorization: Bearer $COMMAND"; echo
LIUJ=$(curl -s -X POST $API/auth/officer/login -H "$J" \\
  -d '{{"username":"liuj","password":"liuj-demo-2026"}}' | get token)
curl -s -X POST {city}/face-searches -H "$J" -H "authorization: Bearer $LIUJ" \\
  -d '{{"reason":"no driving licence on him at the Zhifu checkpoint"}}' > search.json
upload search.json $PHOTOS/{SECOND_PHOTO}
curl -s {city}/face-searches/$(get search_id < search.json) -H "authorization: Bearer $LIUJ"; echo
curl -s -X POST {city}/face-searches/$(get search_id < search.json)/confirm -H "$J" \\
  -H "authorization: Bearer $LIUJ" -d '{{"licence_number":"{first}"}}'; echo
#    The search in the audit log: requested (officer, reason), searched (the candidates),
#    confirmed
$REPO/.venv/bin/python $REPO/scripts/audit_entries.py --endpoint-url {stack.moto_url} \\
  --table {audit_table} face_search:$(get search_id < search.json)
"""
