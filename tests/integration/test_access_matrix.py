"""The actor x route matrix, built from the OpenAPI document the local stack serves.

Every operation of `GET /openapi.json` must have a row here (a new route without one fails
`test_every_route_has_a_row`), and every cell runs over real HTTP: nine actors, each expecting a
precise answer — the route's success status, or a domain status that shows access was passed
(e.g. 409 `binding_decided` for an approval of a decided binding), or the refusal the access
model designs (401, 403 with its code, 404 with the record's own "not found" code).

Actors: anonymous; crew whose records the routes name (`crew_own`), another linked crew
member (`crew_other`), a mini-program account not linked (`crew_unlinked`); officers of the
records' jurisdiction (`officer_same`), of another jurisdiction of the same agency
(`officer_other_jurisdiction`), of another agency (`officer_other_agency`); the agency's admin
(`admin_own`, whose home jurisdiction is the agency's other one) and another agency's admin.
The records are made once for the module, with unique ids.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from enforcement import clock
from enforcement.auth import Role
from enforcement.checkin.models import Check, Review
from enforcement.dispatch import risk
from enforcement.dispatch.models import Assignment, Draw

from tests.integration.client import Client, officer_session, wait_for
from tests.integration.manifests import manifest, send, unique_flight
from tests.integration.people import (
    NEAR,
    SHIP,
    bind,
    crew_account,
    id_number,
    link,
    new_vessel,
    register,
    vessel_body,
)
from tests.integration.survey import (
    SPECIMEN_PASSENGER,
    SPECIMEN_TD3,
    arrival_sheets,
    submit_declaration,
)

ACTORS = (
    "anonymous",
    "crew_own",
    "crew_other",
    "crew_unlinked",
    "officer_same",
    "officer_other_jurisdiction",
    "officer_other_agency",
    "admin_own",
    "admin_other_agency",
)
CREW = ACTORS[1:4]
OFFICERS = ACTORS[4:7]
ADMINS = ACTORS[7:]

Outcome = tuple[int, str | None]
ANON: Outcome = (401, "token_missing")
ROLE: Outcome = (403, "role_not_allowed")
OUTSIDE: Outcome = (403, "outside_jurisdiction")
NOT_LINKED: Outcome = (403, "account_not_linked")
OK, CREATED = (200, None), (201, None)
SAME = (0, "same for every actor as for the anonymous caller")


def only(allowed: dict[str, Outcome], default: Outcome = ROLE) -> dict[str, Outcome]:
    """Every signed-in actor gets `default` unless named; anonymous callers 401."""
    return {"anonymous": ANON, **dict.fromkeys(ACTORS[1:], default), **allowed}


def in_jurisdiction(ok: Outcome, hidden: str, **more: Outcome) -> dict[str, Outcome]:
    """A record of the owners' jurisdiction: its officer and its agency's admin; the other
    jurisdiction of the agency is told so (403); another agency finds nothing (404)."""
    return only(
        {
            "officer_same": ok,
            "admin_own": ok,
            "officer_other_jurisdiction": OUTSIDE,
            "officer_other_agency": (404, hidden),
            "admin_other_agency": (404, hidden),
            **more,
        }
    )


def in_agency(ok: Outcome, hidden: str, **more: Outcome) -> dict[str, Outcome]:
    """An agency-wide record: every officer and admin of the agency; other agencies 404."""
    return only(
        {
            "officer_same": ok,
            "officer_other_jurisdiction": ok,
            "admin_own": ok,
            "officer_other_agency": (404, hidden),
            "admin_other_agency": (404, hidden),
            **more,
        }
    )


def administered(ok: Outcome, other: Outcome) -> dict[str, Outcome]:
    """Agency administration: the agency's admin; the other agency's admin gets `other`."""
    return only({"admin_own": ok, "admin_other_agency": other})


def anyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(ACTORS, outcome)


@dataclass
class Row:
    expect: dict[str, Outcome]
    params: dict[str, str] = field(default_factory=dict)
    body: Callable[[str], Any] | None = None
    query: dict[str, str] | None = None
    #: waits until what a successful call started in the background (a state machine) is over,
    #: so that no step of it writes while the next cells (or the next tests) run
    settle: Callable[[dict[str, Any]], Any] | None = None


def task_over(w: World) -> Callable[[dict[str, Any]], Any]:
    officer = w.clients["officer_same"]
    return lambda task: wait_for(
        lambda: officer.get(f"/checkin/remote-tasks/{task['task_id']}"),
        lambda t: t["status"] != "running",
        timeout=60,
    )


def draw_over(w: World) -> Callable[[dict[str, Any]], Any]:
    admin = w.clients["admin_own"]
    return lambda draw: wait_for(
        lambda: admin.get(f"/dispatch/draws/{draw['draw_id']}"),
        lambda d: d["status"] in ("published", "failed"),
        timeout=120,
    )


class World:
    """Two agencies: A owns jurisdictions ja1 and ja2, B owns jb. The records the routes name
    belong to A and ja1 (and to `crew_own`)."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        sfx = self.sfx = secrets.token_hex(3)
        a, b = f"msa-{sfx}", f"agb-{sfx}"
        self.ja1, self.ja2, self.jb = f"ja1-{sfx}", f"ja2-{sfx}", f"jb-{sfx}"
        self.agency = a
        self.licence = "37060219850315231X"
        staff = {
            "officer_same": (f"os{sfx}", Role.OFFICER, a, self.ja1),
            "officer_other_jurisdiction": (f"oj{sfx}", Role.OFFICER, a, self.ja2),
            "officer_other_agency": (f"oa{sfx}", Role.OFFICER, b, self.jb),
            "admin_own": (f"ao{sfx}", Role.ADMIN, a, self.ja2),
            "admin_other_agency": (f"ax{sfx}", Role.ADMIN, b, self.jb),
        }
        self.clients: dict[str, Client] = {"anonymous": Client(stack.api_url)}
        for actor, (username, role, agency, jurisdiction) in staff.items():
            self.clients[actor] = officer_session(
                stack.api_url,
                username,
                role=role,
                agency=agency,
                jurisdiction=jurisdiction,
                name=username,
            )
        self.account = {actor: f"off-{spec[0]}" for actor, spec in staff.items()}
        officer, admin = self.clients["officer_same"], self.clients["admin_own"]

        # remote survey's flights: a flight of ja1 imported from its manifest (that upload's id)
        self.survey_flight = unique_flight()
        imported = send(
            officer,
            self.ja1,
            manifest(self.survey_flight, "2026-12-01", [("LI/LEI", "E7654321", "1A")]),
        )
        self.manifest_upload = imported["upload_id"]

        # check-in: a vessel of ja1, two crew members of ja1, crew accounts
        self.vessel = new_vessel(officer)
        self.vessel_name = officer.get(f"/checkin/vessels/{self.vessel}")["name_zh"]
        self.crew = register(officer, "李")
        self.certificate = self.crew["certificates"][0]["number"]
        other = register(officer, "王")
        self.crew_id_number = id_number()  # a record nobody linked, face not enrolled
        register(officer, "赵", self.crew_id_number)
        self.clients["crew_own"] = link(stack, crew_account(stack, "own"), self.crew["crew_id"])
        self.clients["crew_other"] = link(stack, crew_account(stack, "other"), other["crew_id"])
        self.clients["crew_unlinked"] = crew_account(stack, "unlinked")
        own = self.clients["crew_own"]
        self.binding = bind(own, officer, self.vessel, "master")["binding_id"]
        pending = self.clients["crew_other"].put(
            "/checkin/me/binding", {"vessel_id": self.vessel, "post": "chief_engineer"}
        )
        assert pending["status"] == "pending"  # it gives crew_other nothing below
        self.check = own.post("/checkin/checks", {"gps": NEAR})["check_id"]
        self.application = own.post(
            "/checkin/applications",
            {"kind": "appointment", "vessel_id": self.vessel, "post": "master", "gps": NEAR},
        )["check_id"]
        own_account = own.get("/auth/me")["account_id"]
        self.link_check = f"chk-{secrets.token_hex(8)}"
        Check(
            self.link_check,
            purpose="link",
            crew_id=self.crew["crew_id"],
            account_id=own_account,
            status="verified",
            reasons=[],
            created_at=clock.iso(),
        ).save()
        self.review = f"rev-{secrets.token_hex(8)}"  # a review of ja1, decided already
        Review(
            self.review,
            kind="check",
            subject_id=self.check,
            crew_id=self.crew["crew_id"],
            jurisdiction=self.ja1,
            status="confirmed",
            reason="face_match_uncertain",
            message="between the lines",
            figures={"distance": 0.55},
            photos=[],
            created_at=clock.iso(),
            created_by="crew:x",
        ).save()
        task = officer.post(f"/checkin/vessels/{self.vessel}/remote-tasks", {"window_seconds": 1})
        self.task = task["task_id"]
        task_over(self)(task)
        own.post("/checkin/health-reports", {"vessel_id": self.vessel, "symptoms": ["none"]})

        # dispatch: a model, a target, profiles, a draw with an inspected assignment
        self.model = f"ship-risk-{sfx}"
        document = risk.ship_model_document()
        document.pop("model_id")
        self.model_document = document
        admin.post(f"/dispatch/risk-models/{self.model}/versions", document)
        self.target = f"ship-{sfx}"
        self.target_body = {
            "kind": "ship",
            "name": "沪港1号",
            "company_id": "co-1",
            "model_id": self.model,
        }
        admin.put(f"/dispatch/targets/{self.target}", self.target_body)
        for actor, by in (
            ("officer_same", "admin_own"),
            ("officer_other_jurisdiction", "admin_own"),
            ("officer_other_agency", "admin_other_agency"),
        ):
            self.clients[by].put(
                f"/dispatch/inspectors/{self.account[actor]}",
                {"qualifications": ["ship", "patrol"], "on_duty": True},
            )
        self.draw = f"draw-{secrets.token_hex(8)}"
        Draw(
            self.draw,
            agency=a,
            requested_at=clock.iso(),
            requested_by=f"admin:{self.account['admin_own']}",
            trigger="on_demand",
            model_id=self.model,
            team_size=1,
            status="requested",
        ).save()
        Assignment(
            self.draw,
            self.target,
            agency=a,
            level="low",
            ticket="0" * 16,
            order=0,
            team=[self.account["officer_same"]],
            status="inspected",
        ).save()

        # duty: a patrol area, a dispatched day with a closed task, a closed hazard report
        self.area = f"pa-{sfx}"
        self.area_body = {
            "name": "港城西大街",
            "lat": 37.5395,
            "lon": 121.352,
            "jurisdiction": self.ja1,
            "qualification": "patrol",
            "slots": [{"start": "07:00", "end": "09:00"}],
        }
        admin.put(f"/duty/areas/{self.area}", self.area_body)
        self.day = "2020-01-02"
        self.duty_task = f"{self.day}.0700.{self.area}.1"
        self._dispatched_day(a)
        hazard = officer.post(
            "/duty/hazards",
            {"kind": "road_hazard", "description": "落石", "gps": NEAR, "photos": 0},
        )
        self.hazard = hazard["report_id"]
        admin.post(f"/duty/hazards/{self.hazard}/take", expect=200)
        admin.post(
            f"/duty/hazards/{self.hazard}/close",
            {"outcome": "resolved", "resolution": "清理完毕"},
            expect=200,
        )

        # remote survey: a form of agency A, a flight of ja1, crew_own's submitted declaration
        self.form_id = f"arrival_{sfx}"
        admin.post("/remote-survey/forms", {"sheets": arrival_sheets(self.form_id)})
        self.flight, self.flight_day = unique_flight(), clock.now().date().isoformat()
        arrived = manifest(self.flight, self.flight_day, [SPECIMEN_PASSENGER])
        assert send(officer, self.ja1, arrived)["result"] == "imported"
        self.declaration = submit_declaration(
            own, port=self.ja1, form_id=self.form_id, number=self.flight, day=self.flight_day
        )

        # e-tickets: ja1 as a city, a registry upload granted, a vehicle and a driver on record
        self.registry_upload = admin.post(
            "/ticketing/registries/uploads", {"city": self.ja1, "registry": "vehicles"}
        )["upload_id"]
        self._registries()
        # driver faces: officer_same's face search of ja1 (a driver of ja1 is on record above)
        self.face_search = officer.post(
            f"/ticketing/cities/{self.ja1}/face-searches", {"reason": "no licence shown"}
        )["search_id"]

    def _registries(self) -> None:
        from enforcement.ticketing import registry_store
        from enforcement.ticketing.registry_rows import read_drivers, read_vehicles

        vehicles = "plate,plate_type,vehicle_type,owner,registration_status,inspection_due,"
        vehicles += "insurance_expiry,flags\n鲁F12345,02,small_car,张伟,registered,2027-01-01,"
        vehicles += "2027-01-01,\n"
        drivers = "licence_number,name,classes,first_issued,valid_from,valid_to,status,points\n"
        drivers += f"{self.licence},张伟,C1,2006-05-20,2022-05-20,长期,valid,0\n"
        for record in [
            *read_vehicles(vehicles.encode()),
            *read_drivers(drivers.encode(), today=clock.now().date()),
        ]:
            registry_store.item_of(self.ja1, record).save()

    def _dispatched_day(self, agency: str) -> None:
        """A past day of agency A, dispatched from a stored rota document, with one closed task
        of officer_same."""
        from enforcement import documents
        from enforcement.duty import days as duty
        from enforcement.duty import rota
        from enforcement.duty.models import DutyDay, DutyTask

        document = duty.build_document(agency, self.day, "00" * 32)
        digest = rota.document_hash(document)
        key = f"{duty.ROTA_PREFIX}{agency}/{self.day}/{digest}.json"
        documents.put(key, document)
        DutyDay(
            agency,
            self.day,
            status="dispatched",
            trigger="on_demand",
            requested_by=self.account["admin_own"],
            requested_at=clock.iso(),
            rota_key=key,
            rota_hash=digest,
            tasks=1,
            unstaffed=0,
            officers=len(document["officers"]),
        ).save()
        DutyTask(
            duty.day_key(agency, self.day),
            self.duty_task,
            agency=agency,
            jurisdiction=self.ja1,
            area_id=self.area,
            area_name="港城西大街",
            starts_at=f"{self.day}T07:00+08:00",
            ends_at=f"{self.day}T09:00+08:00",
            minutes=120,
            officer_id=self.account["officer_same"],
            status="closed",
        ).save()


def rows(w: World) -> dict[str, Row]:
    """The expected answer of every actor on every route."""
    crew_id, vessel = w.crew["crew_id"], w.vessel
    fresh = secrets.token_hex
    new_vessel_body = lambda _: vessel_body(jurisdiction=w.ja1)  # noqa: E731
    own_records = {
        "crew_own": OK,
        "crew_other": (403, "not_your_record"),
        "crew_unlinked": (403, "not_your_record"),
    }
    own_vessel = {
        "crew_own": OK,
        "crew_other": (403, "not_your_vessel"),
        "crew_unlinked": NOT_LINKED,
    }
    linked_crew = {"crew_own": OK, "crew_other": OK, "crew_unlinked": NOT_LINKED}

    def own_declaration(ok: Outcome) -> dict[str, Outcome]:
        refused = (403, "not_your_declaration")
        return {"crew_own": ok, "crew_other": refused, "crew_unlinked": refused}

    every_officer_and_admin = dict.fromkeys(OFFICERS + ADMINS, OK)
    signed_in = dict.fromkeys(ACTORS[1:], OK)
    decided = in_jurisdiction((409, "binding_decided"), "vessel_not_found")
    return {
        # ---------------------------------------------------------------- auth
        "POST /auth/officer/login": Row(
            anyone((401, "bad_credentials")),
            body=lambda _: {"username": f"nobody{fresh(3)}", "password": "wrong"},
        ),
        "POST /auth/miniprogram/login": Row(
            anyone((401, "login_code_invalid")), body=lambda _: {"code": f"never-{fresh(4)}"}
        ),
        "POST /auth/refresh": Row(only(signed_in)),
        "GET /auth/me": Row(only(signed_in)),
        "POST /auth/officers": Row(
            administered(CREATED, (403, "jurisdiction_not_yours")),
            body=lambda _: {
                "username": f"new{fresh(4)}",
                "password": "a-long-password",
                "name": "新",
                "jurisdiction": w.ja1,
            },
        ),
        # ---------------------------------------------------------------- vessels
        "GET /checkin/vessels": Row(only(signed_in), query={"name": w.vessel_name}),
        "POST /checkin/vessels": Row(
            only(
                {
                    "officer_same": CREATED,
                    "officer_other_jurisdiction": OUTSIDE,
                    "officer_other_agency": OUTSIDE,
                    "admin_own": CREATED,
                    "admin_other_agency": (403, "jurisdiction_not_yours"),
                }
            ),
            body=new_vessel_body,
        ),
        "GET /checkin/vessels/{vessel_id}": Row(
            in_jurisdiction(OK, "vessel_not_found", **own_vessel), {"vessel_id": vessel}
        ),
        "PUT /checkin/vessels/{vessel_id}/position": Row(
            in_jurisdiction(OK, "vessel_not_found"), {"vessel_id": vessel}, lambda _: SHIP
        ),
        "GET /checkin/vessels/{vessel_id}/manning": Row(
            in_jurisdiction(OK, "vessel_not_found", **own_vessel), {"vessel_id": vessel}
        ),
        "POST /checkin/vessels/{vessel_id}/onsite-checks": Row(
            in_jurisdiction(CREATED, "vessel_not_found"),
            {"vessel_id": vessel},
            lambda _: {"crew_id": crew_id, "post": "master", "gps": NEAR},
        ),
        "POST /checkin/vessels/{vessel_id}/remote-tasks": Row(
            in_jurisdiction(CREATED, "vessel_not_found"),
            {"vessel_id": vessel},
            lambda _: {"window_seconds": 1},
            settle=task_over(w),
        ),
        "GET /checkin/remote-tasks/{task_id}": Row(
            in_jurisdiction(OK, "task_not_found"), {"task_id": w.task}
        ),
        "GET /checkin/bindings": Row(
            in_jurisdiction(OK, "jurisdiction_not_found"), query={"jurisdiction": w.ja1}
        ),
        "POST /checkin/vessels/{vessel_id}/bindings/{binding_id}/approve": Row(
            decided, {"vessel_id": vessel, "binding_id": w.binding}, lambda _: {}
        ),
        "POST /checkin/vessels/{vessel_id}/bindings/{binding_id}/refuse": Row(
            decided, {"vessel_id": vessel, "binding_id": w.binding}, lambda _: {"reason": "x"}
        ),
        "GET /checkin/reviews": Row(
            in_jurisdiction(OK, "jurisdiction_not_found"), query={"jurisdiction": w.ja1}
        ),
        "GET /checkin/reviews/{review_id}": Row(
            in_jurisdiction(OK, "review_not_found"), {"review_id": w.review}
        ),
        "POST /checkin/reviews/{review_id}/decision": Row(
            in_jurisdiction((409, "review_decided"), "review_not_found"),
            {"review_id": w.review},
            lambda _: {"outcome": "confirm", "reason": "the same man"},
        ),
        # ---------------------------------------------------------------- crew records
        "POST /checkin/crew": Row(
            only(dict.fromkeys(OFFICERS + ADMINS, CREATED)),  # each in their own jurisdiction
            body=lambda _: {"name": "新", "id_number": id_number(), "certificates": []},
        ),
        "GET /checkin/crew/{crew_id}": Row(
            in_jurisdiction(OK, "crew_not_found", **{**own_records, "crew_unlinked": NOT_LINKED}),
            {"crew_id": crew_id},
        ),
        "PUT /checkin/crew/{crew_id}/certificates/{number}/status": Row(
            in_jurisdiction(OK, "crew_not_found"),
            {"crew_id": crew_id, "number": w.certificate},
            lambda _: {"status": "valid", "reason": "checked"},
        ),
        "POST /checkin/crew/{crew_id}/face-enrolment": Row(
            in_jurisdiction(CREATED, "crew_not_found"), {"crew_id": crew_id}
        ),
        "GET /checkin/crew/{crew_id}/face-enrolment": Row(
            in_jurisdiction(OK, "crew_not_found"), {"crew_id": crew_id}
        ),
        # ---------------------------------------------------------------- the crew's own
        "GET /checkin/me": Row(only(dict.fromkeys(CREW, OK))),
        "POST /checkin/me/link": Row(
            only(
                {
                    "crew_own": (409, "already_linked"),
                    "crew_other": (409, "already_linked"),
                    "crew_unlinked": (409, "face_not_enrolled"),  # the record was found
                }
            ),
            body=lambda _: {"id_number": w.crew_id_number},
        ),
        "GET /checkin/me/link/{check_id}": Row(
            in_jurisdiction(OK, "check_not_found", **own_records), {"check_id": w.link_check}
        ),
        "PUT /checkin/me/binding": Row(
            only({**linked_crew, "crew_own": OK}),
            body=lambda actor: {
                "vessel_id": vessel,
                "post": "chief_engineer" if actor == "crew_other" else "master",
            },
        ),
        "GET /checkin/me/service-record": Row(only(linked_crew)),
        "POST /checkin/checks": Row(
            only({**linked_crew, "crew_own": CREATED, "crew_other": (409, "not_posted")}),
            body=lambda _: {"gps": NEAR},
        ),
        "GET /checkin/checks/{check_id}": Row(
            in_jurisdiction(OK, "check_not_found", **own_records), {"check_id": w.check}
        ),
        "POST /checkin/applications": Row(
            only({**linked_crew, "crew_own": CREATED, "crew_other": CREATED}),
            body=lambda _: {
                "kind": "appointment",
                "vessel_id": vessel,
                "post": "master",
                "gps": NEAR,
            },
        ),
        "GET /checkin/applications/{check_id}": Row(
            in_jurisdiction(OK, "check_not_found", **own_records), {"check_id": w.application}
        ),
        "POST /checkin/health-reports": Row(
            only({**own_vessel, "crew_own": CREATED}),
            body=lambda _: {"vessel_id": vessel, "symptoms": ["none"]},
        ),
        "GET /checkin/health-reports": Row(only(every_officer_and_admin)),  # their own
        # ---------------------------------------------------------------- dispatch
        "POST /dispatch/risk-models/{model_id}/versions": Row(
            administered(CREATED, (403, "other_agency")),
            {"model_id": w.model},
            lambda _: w.model_document,
        ),
        "GET /dispatch/risk-models/{model_id}": Row(
            in_agency(OK, "model_not_found"), {"model_id": w.model}
        ),
        "GET /dispatch/risk-models/{model_id}/versions/{version}": Row(
            in_agency(OK, "model_not_found"), {"model_id": w.model, "version": "1"}
        ),
        "PUT /dispatch/targets/{target_id}": Row(
            administered(OK, (404, "model_not_found")),
            {"target_id": w.target},
            lambda _: w.target_body,
        ),
        "GET /dispatch/targets/{target_id}": Row(
            in_agency(OK, "target_not_found"), {"target_id": w.target}
        ),
        "PUT /dispatch/inspectors/{account_id}": Row(
            administered(OK, (404, "account_not_found")),
            {"account_id": w.account["officer_same"]},
            lambda _: {"qualifications": ["ship", "patrol"], "on_duty": True},
        ),
        "GET /dispatch/inspectors/{account_id}": Row(
            only(
                {
                    "officer_same": OK,  # their own
                    "admin_own": OK,
                    "admin_other_agency": (404, "inspector_not_found"),
                }
            ),
            {"account_id": w.account["officer_same"]},
        ),
        "PUT /dispatch/me/duty": Row(
            only(dict.fromkeys(OFFICERS, OK)), body=lambda _: {"on_duty": True}
        ),
        "POST /dispatch/me/conflicts": Row(
            only(dict.fromkeys(OFFICERS, CREATED)),
            body=lambda _: {"company_id": "co-9", "reason": "a relative works there"},
        ),
        "PUT /dispatch/plan": Row(
            administered(OK, (404, "model_not_found")),
            body=lambda _: {"model_id": w.model, "team_size": 1},
        ),
        "POST /dispatch/draws": Row(
            administered(CREATED, (404, "model_not_found")),
            body=lambda _: {"model_id": w.model, "team_size": 1, "reveal_wait_seconds": 0},
            settle=draw_over(w),
        ),
        "GET /dispatch/draws/{draw_id}": Row(in_agency(OK, "draw_not_found"), {"draw_id": w.draw}),
        "POST /dispatch/draws/{draw_id}/targets/{target_id}/result": Row(
            only(
                {
                    "officer_same": (409, "already_recorded"),  # on the team: access passed
                    "officer_other_jurisdiction": (403, "not_on_team"),
                    "officer_other_agency": (404, "draw_not_found"),
                }
            ),
            {"draw_id": w.draw, "target_id": w.target},
            lambda _: {"passed": True},
        ),
        "POST /dispatch/draws/{draw_id}/targets/{target_id}/redraw": Row(
            administered((409, "draw_not_published"), (404, "draw_not_found")),
            {"draw_id": w.draw, "target_id": w.target},
            lambda _: {"reason": "the inspector is ill"},
        ),
        # ---------------------------------------------------------------- public, no token
        "GET /public/draws": Row(anyone(OK), query={"agency": w.agency}),
        "GET /public/draws/{draw_id}": Row(anyone((404, "draw_not_public")), {"draw_id": w.draw}),
        "GET /public/draws/{draw_id}/snapshot": Row(
            anyone((404, "draw_not_public")), {"draw_id": w.draw}
        ),
        "GET /public/draws/{draw_id}/result": Row(
            anyone((404, "result_not_ready")), {"draw_id": w.draw}
        ),
        "GET /public/draws/{draw_id}/verify": Row(
            anyone((404, "result_not_ready")), {"draw_id": w.draw}
        ),
        "POST /public/verify": Row(anyone(SAME), body=lambda _: {"published": {}, "snapshot": {}}),
        # ---------------------------------------------------------------- duty
        "PUT /duty/areas/{area_id}": Row(
            administered(OK, (403, "other_agency")),
            {"area_id": w.area},
            lambda _: w.area_body,
        ),
        "GET /duty/areas": Row(only(every_officer_and_admin)),  # their agency's
        "POST /duty/days/{day}/dispatch": Row(
            # each admin for its own agency only: a past day is refused to both alike
            administered((422, "date_in_past"), (422, "date_in_past")),
            {"day": "2020-01-01"},
        ),
        "GET /duty/days/{day}": Row(administered(OK, (404, "day_not_dispatched")), {"day": w.day}),
        "GET /duty/days/{day}/rota": Row(
            administered(OK, (404, "day_not_dispatched")), {"day": w.day}
        ),
        "GET /duty/me/tasks": Row(only(dict.fromkeys(OFFICERS, OK))),
        "GET /duty/tasks/{task_id}": Row(
            in_agency(OK, "task_not_found", officer_other_jurisdiction=(403, "not_your_task")),
            {"task_id": w.duty_task},
        ),
        "POST /duty/tasks/{task_id}/acknowledge": Row(
            only(
                {
                    "officer_same": (409, "task_not_assigned"),
                    "officer_other_jurisdiction": (403, "not_your_task"),
                    "officer_other_agency": (404, "task_not_found"),
                }
            ),
            {"task_id": w.duty_task},
        ),
        "POST /duty/tasks/{task_id}/close": Row(
            only(
                {
                    "officer_same": (409, "task_not_open"),
                    "officer_other_jurisdiction": (403, "not_your_task"),
                    "officer_other_agency": (404, "task_not_found"),
                }
            ),
            {"task_id": w.duty_task},
            lambda _: {"note": "done", "gps": NEAR},
        ),
        "POST /duty/tasks/{task_id}/reassign": Row(
            administered((409, "task_closed"), (404, "task_not_found")),
            {"task_id": w.duty_task},
            lambda _: {"reason": "officer is ill"},
        ),
        # ---------------------------------------------------------------- remote survey
        "POST /remote-survey/forms": Row(
            administered(CREATED, (403, "form_of_another_agency")),
            body=lambda _: {"sheets": arrival_sheets(w.form_id)},
        ),
        # a form is the publishing agency's: every mini-program account reads it, other
        # agencies' staff find nothing
        "GET /remote-survey/forms/{form_id}": Row(
            in_agency(OK, "form_not_found", **dict.fromkeys(CREW, OK)),
            {"form_id": w.form_id},
            query={"lang": "ja"},
        ),
        "GET /remote-survey/forms/{form_id}/versions": Row(
            in_agency(OK, "form_not_found", **dict.fromkeys(CREW, OK)), {"form_id": w.form_id}
        ),
        "POST /remote-survey/declarations": Row(
            only(dict.fromkeys(CREW, CREATED)),
            body=lambda _: {
                "port": w.ja1,
                "arrival_date": w.flight_day,
                "flight_number": w.flight,
                "form_id": w.form_id,
                "lang": "ja",
            },
        ),
        "GET /remote-survey/declarations": Row(only(dict.fromkeys(CREW, OK))),
        "GET /remote-survey/declarations/{declaration_id}": Row(
            in_jurisdiction(OK, "declaration_not_found", **own_declaration(OK)),
            {"declaration_id": w.declaration["declaration_id"]},
        ),
        "PATCH /remote-survey/declarations/{declaration_id}": Row(
            only(own_declaration((409, "declaration_submitted"))),
            {"declaration_id": w.declaration["declaration_id"]},
            lambda _: {"answers": {"phone": "+8613900139000"}},
        ),
        "POST /remote-survey/declarations/{declaration_id}/autofill": Row(
            only(own_declaration((409, "declaration_submitted"))),
            {"declaration_id": w.declaration["declaration_id"]},
            lambda _: {"mrz": SPECIMEN_TD3},
        ),
        "POST /remote-survey/declarations/{declaration_id}/check": Row(
            only(own_declaration(OK)),
            {"declaration_id": w.declaration["declaration_id"]},
            lambda _: {},
        ),
        "POST /remote-survey/declarations/{declaration_id}/submit": Row(
            only(own_declaration(OK)), {"declaration_id": w.declaration["declaration_id"]}
        ),
        "POST /remote-survey/scans": Row(
            in_jurisdiction(OK, "declaration_not_found"),
            body=lambda _: {"code": w.declaration["code"], "lang": "zh"},
        ),
        "POST /remote-survey/kiosk-sessions": Row(only(dict.fromkeys(OFFICERS, CREATED))),
        # (before the scan's row in the sorted order: the declaration is not scanned yet)
        "POST /remote-survey/declarations/{declaration_id}/clearance": Row(
            in_jurisdiction((409, "not_scanned"), "declaration_not_found"),
            {"declaration_id": w.declaration["declaration_id"]},
            lambda _: {"disposition": "released"},
        ),
        "GET /remote-survey/declarations/{declaration_id}/clearance": Row(
            in_jurisdiction(OK, "declaration_not_found"),
            {"declaration_id": w.declaration["declaration_id"]},
        ),
        "GET /remote-survey/boards/{arrival_date}": Row(
            in_jurisdiction(OK, "port_not_found"),
            {"arrival_date": w.flight_day},
            query={"port": w.ja1},
        ),
        "GET /remote-survey/flights/{arrival_date}/{flight_number}/clearance": Row(
            in_jurisdiction(OK, "port_not_found"),
            {"arrival_date": w.flight_day, "flight_number": w.flight},
            query={"port": w.ja1},
        ),
        "POST /remote-survey/declarations/{declaration_id}/corrections": Row(
            only(own_declaration(CREATED)),
            {"declaration_id": w.declaration["declaration_id"]},
            lambda _: {"answers": {"phone": "+8613700137000"}, "reason": "a digit wrong"},
        ),
        "GET /remote-survey/declarations/{declaration_id}/versions": Row(
            in_jurisdiction(OK, "declaration_not_found", **own_declaration(OK)),
            {"declaration_id": w.declaration["declaration_id"]},
        ),
        "GET /remote-survey/declarations/{declaration_id}/versions/{before}/diff/{after}": Row(
            in_jurisdiction(OK, "declaration_not_found", **own_declaration(OK)),
            {"declaration_id": w.declaration["declaration_id"], "before": "1", "after": "1"},
        ),
        "POST /remote-survey/declarations/{declaration_id}/review": Row(
            in_jurisdiction(OK, "declaration_not_found"),
            {"declaration_id": w.declaration["declaration_id"]},
            lambda _: {"state": "approved"},
        ),
        "GET /remote-survey/flights/{arrival_date}/{flight_number}/declarations": Row(
            in_jurisdiction(OK, "port_not_found"),
            {"arrival_date": w.flight_day, "flight_number": w.flight},
            query={"port": w.ja1},
        ),
        "POST /remote-survey/exports": Row(
            in_jurisdiction(CREATED, "port_not_found"),
            body=lambda _: {
                "port": w.ja1,
                "arrival_date": w.flight_day,
                "flight_number": w.flight,
                "lang": "en",
            },
        ),
        "GET /notifications": Row(only({**linked_crew, **every_officer_and_admin})),
        "GET /notifications/centre": Row(only(dict.fromkeys(ADMINS, OK))),
        "GET /notifications/jurisdiction": Row(
            in_jurisdiction(OK, "jurisdiction_not_found"), query={"jurisdiction": w.ja1}
        ),
        "POST /duty/hazards": Row(
            only(dict.fromkeys(OFFICERS, CREATED)),
            body=lambda _: {"kind": "road_works", "description": "施工", "gps": NEAR, "photos": 0},
        ),
        "GET /duty/hazards": Row(only(dict.fromkeys(ADMINS, OK))),  # their agency's queue
        "GET /duty/hazards/mine": Row(only(dict.fromkeys(OFFICERS, OK))),
        "GET /duty/hazards/{report_id}": Row(
            in_agency(OK, "report_not_found", officer_other_jurisdiction=(403, "not_your_report")),
            {"report_id": w.hazard},
        ),
        "POST /duty/hazards/{report_id}/take": Row(
            administered((409, "report_not_open"), (404, "report_not_found")),
            {"report_id": w.hazard},
        ),
        "POST /duty/hazards/{report_id}/close": Row(
            administered((409, "report_closed"), (404, "report_not_found")),
            {"report_id": w.hazard},
            lambda _: {"outcome": "resolved", "resolution": "已处理"},
        ),
        # ---------------------------------------------------------------- remote survey: flights
        "POST /remote-survey/manifests": Row(
            in_jurisdiction(CREATED, "port_not_found"), body=lambda _: {"port": w.ja1}
        ),
        "GET /remote-survey/manifests/{upload_id}": Row(
            in_jurisdiction(OK, "port_not_found"),
            {"upload_id": w.manifest_upload},
            query={"port": w.ja1},
        ),
        "GET /remote-survey/flights/{arrival_date}/{flight_number}": Row(
            in_jurisdiction(OK, "flight_not_found"),
            {"arrival_date": "2026-12-01", "flight_number": w.survey_flight},
            query={"port": w.ja1},
        ),
        # ---------------------------------------------------------------- e-tickets
        "POST /ticketing/registries/uploads": Row(
            administered(CREATED, (404, "city_not_found")),
            body=lambda _: {"city": w.ja1, "registry": "drivers"},
        ),
        "GET /ticketing/registries/uploads/{upload_id}": Row(
            administered(OK, (404, "upload_not_found")), {"upload_id": w.registry_upload}
        ),
        "GET /ticketing/cities/{city}/plates/{plate}": Row(
            in_jurisdiction(OK, "city_not_found"), {"city": w.ja1, "plate": "%E9%B2%81F12345"}
        ),
        "POST /ticketing/cities/{city}/plates/{plate}/owner": Row(
            in_jurisdiction(OK, "city_not_found"),
            {"city": w.ja1, "plate": "%E9%B2%81F12345"},
            body=lambda _: {"reason": "事故处理"},
        ),
        "GET /ticketing/cities/{city}/licences/{licence_number}": Row(
            in_jurisdiction(OK, "city_not_found"),
            {"city": w.ja1, "licence_number": w.licence},
            query={"vehicle_type": "heavy_truck"},
        ),
        # ---------------------------------------------------------------- driver faces
        "POST /ticketing/cities/{city}/drivers/{licence_number}/face-enrolment": Row(
            only({"admin_own": CREATED, "admin_other_agency": (404, "driver_not_found")}),
            {"city": w.ja1, "licence_number": w.licence},
        ),
        "GET /ticketing/cities/{city}/drivers/{licence_number}/face-enrolment": Row(
            in_jurisdiction(OK, "driver_not_found"), {"city": w.ja1, "licence_number": w.licence}
        ),
        # the driver on record has no face enrolled: the admin is past access at 404
        "DELETE /ticketing/cities/{city}/drivers/{licence_number}/face": Row(
            only(
                {
                    "admin_own": (404, "face_not_enrolled"),
                    "admin_other_agency": (404, "driver_not_found"),
                }
            ),
            {"city": w.ja1, "licence_number": w.licence},
            body=lambda _: {"reason": "photo of another person"},
        ),
        "GET /ticketing/cities/{city}/face-searches": Row(
            in_jurisdiction(OK, "city_not_found"), {"city": w.ja1}
        ),
        "POST /ticketing/cities/{city}/face-searches": Row(
            in_jurisdiction(CREATED, "city_not_found"),
            {"city": w.ja1},
            lambda _: {"reason": "no licence shown"},
        ),
        "GET /ticketing/cities/{city}/face-searches/{search_id}": Row(
            in_jurisdiction(OK, "face_search_not_found"),
            {"city": w.ja1, "search_id": w.face_search},
        ),
        "POST /ticketing/cities/{city}/face-searches/{search_id}/confirm": Row(
            in_jurisdiction((409, "search_not_ready"), "face_search_not_found"),
            {"city": w.ja1, "search_id": w.face_search},
            lambda _: {"licence_number": None},
        ),
    }


@pytest.fixture(scope="module")
def world(stack: Any) -> World:
    return World(stack)


@pytest.fixture(scope="module")
def operations(world: World) -> list[str]:
    document = world.clients["anonymous"].get("/openapi.json")
    return sorted(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    )


def test_every_route_has_a_row(world: World, operations: list[str]) -> None:
    table = rows(world)
    assert [op for op in operations if op not in table] == [], "routes without a row"
    assert [op for op in table if op not in operations] == [], "rows of no route"
    for op, row in table.items():
        assert set(row.expect) == set(ACTORS), op


def run(world: World, op: str, row: Row, actor: str) -> Outcome:
    method, template = op.split(" ", 1)
    path = template.format(**row.params)
    body = row.body(actor) if row.body else None
    answer = world.clients[actor].call(method, path, body, params=row.query)
    try:
        code = answer.json().get("code") if answer.status_code >= 400 else None
    except ValueError:
        code = answer.text[:60]
    if row.settle is not None and answer.status_code < 300:
        row.settle(answer.json())
    return answer.status_code, code


def test_every_cell_of_the_matrix(world: World, operations: list[str]) -> None:
    table = rows(world)
    wrong = []
    for op in operations:
        row = table[op]
        reference = run(world, op, row, "anonymous")
        for actor in ACTORS:
            got = reference if actor == "anonymous" else run(world, op, row, actor)
            wanted = row.expect[actor]
            if wanted == SAME:
                assert reference[0] not in (401, 403), (op, reference)
                assert reference[0] < 500, (op, reference)
                wanted = reference
            elif wanted[1] is None and got[0] < 300:  # a success: the status is the answer
                got = (got[0], None)
            if got != wanted:
                wrong.append(f"{op} as {actor}: got {got}, expected {wanted}")
    assert wrong == [], "\n".join(wrong)
