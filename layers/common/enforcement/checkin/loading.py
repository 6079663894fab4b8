"""Loading check-in records, with the access rules that decide who may see them, and
turning them into the values of `enforcement.checkin.rules`.

Every aggregate module of check-in loads through here: a vessel or a crew record reaches an
officer only through `vessel_for_officer` / `crew_for_officer` (jurisdiction), and a crew member
only through `vessel_for_crew` (serving on it) or their own record.
"""

from __future__ import annotations

from datetime import date

from enforcement import access, clock, masking
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.checkin import rules
from enforcement.checkin.models import Check, CrewMember, Posting, RemoteTask, Vessel
from enforcement.db import get_or_404
from enforcement.errors import NotFound, Unprocessable


def no_vessel(vessel_id: str) -> NotFound:
    return NotFound("vessel_not_found", f"no vessel {vessel_id}")


def no_crew(crew_id: str) -> NotFound:
    return NotFound("crew_not_found", f"no crew member {crew_id}")


#: The jurisdiction each vessel had when this process last read it, at most `HINTS` vessels.
#: A hint only: it names the audit chain whose head a check-in reads in the same BatchGetItem
#: as the vessel. The vessel read there is what the check is judged and filed on; a stale hint
#: (a vessel moved to another agency's jurisdiction) costs one read of the right head, no more.
_JURISDICTION_HINTS: dict[str, str] = {}
HINTS = 4096


def remember_jurisdiction(vessel: Vessel) -> None:
    if len(_JURISDICTION_HINTS) >= HINTS and vessel.vessel_id not in _JURISDICTION_HINTS:
        _JURISDICTION_HINTS.clear()
    _JURISDICTION_HINTS[vessel.vessel_id] = vessel.jurisdiction


def jurisdiction_hint(vessel_id: str) -> str | None:
    """The vessel's jurisdiction as this process last read it (None: not read yet)."""
    return _JURISDICTION_HINTS.get(vessel_id)


def load_vessel(vessel_id: str) -> Vessel:
    message = f"no vessel {vessel_id}"
    vessel = get_or_404(Vessel, vessel_id, code="vessel_not_found", message=message)
    remember_jurisdiction(vessel)
    return vessel


def load_crew(crew_id: str) -> CrewMember:
    if crew_id.startswith("idn#"):  # ID-number claims share the table; they are not records
        raise NotFound("crew_not_found", "no such crew member")
    return get_or_404(
        CrewMember, crew_id, code="crew_not_found", message=f"no crew member {crew_id}"
    )


def load_check(check_id: str) -> Check:
    return get_or_404(Check, check_id, code="check_not_found", message=f"no check {check_id}")


def load_task(task_id: str) -> RemoteTask:
    return get_or_404(RemoteTask, task_id, code="task_not_found", message=f"no task {task_id}")


def vessel_for_officer(principal: Principal, vessel_id: str, action: Action) -> Vessel:
    """The vessel, when `enforcement.access` lets the officer or admin do `action` on it."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    vessel = load_vessel(vessel_id)
    access.in_jurisdiction(principal, vessel.jurisdiction, action, hidden=no_vessel(vessel_id))
    return vessel


def crew_for_officer(principal: Principal, crew_id: str, action: Action) -> CrewMember:
    """The crew record, when `enforcement.access` lets the officer or admin do `action` on it."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    crew = load_crew(crew_id)
    access.in_jurisdiction(principal, crew.jurisdiction, action, hidden=no_crew(crew_id))
    return crew


def vessel_for_crew(principal: Principal, vessel_id: str) -> tuple[str, Vessel]:
    """The crew member's id and the vessel, when they serve on it (appointed, or bound with an
    officer's approval)."""
    crew_id = access.crew_of(principal)
    vessel = load_vessel(vessel_id)
    access.serving_on(postings_of_crew(crew_id), crew_id, vessel_id)
    return crew_id, vessel


def postings_of_crew(crew_id: str, *, pending: bool = False) -> list[Posting]:
    """The crew member's postings; bindings still waiting for approval only when asked."""
    found = Posting.by_crew.query(crew_id)
    return [p for p in found if pending or p.status in access.SERVING]


def postings_of_vessel(vessel_id: str) -> list[Posting]:
    """Who serves on the vessel: appointed crew and approved bindings (never pending ones)."""
    return [p for p in Posting.query(vessel_id) if p.status in access.SERVING]


def appointed_at(vessel_id: str, post: str) -> list[Posting]:
    return [
        p
        for p in Posting.query(vessel_id, Posting.posting_key.startswith(f"{post}#"))
        if p.status == "appointed"
    ]


def postings_at(vessel_id: str, post: str) -> list[Posting]:
    """Every posting at one post of the vessel, pending bindings included (strongly
    consistent: one Query of the vessel's partition)."""
    return list(
        Posting.query(vessel_id, Posting.posting_key.startswith(f"{post}#"), consistent_read=True)
    )


def find_post(vessel: Vessel, code: str) -> rules.Post:
    for post in posts_of(vessel):
        if post.code == code:
            return post
    raise Unprocessable("unknown_post", f"vessel {vessel.vessel_id} has no post {code}")


def posts_of(vessel: Vessel) -> list[rules.Post]:
    return [
        rules.Post(p.code, p.title, p.certificate_type, p.min_grade, int(p.count))
        for p in vessel.manning or []
    ]


def certificates_of(crew: CrewMember) -> list[rules.Certificate]:
    return [
        rules.Certificate(
            number=c.number,
            type=c.type,
            grade=c.grade,
            expires_on=date.fromisoformat(c.expires_on),
            status=c.status,
            issuer=c.issuer,
        )
        for c in crew.certificates or []
    ]


def position_of(vessel: Vessel) -> rules.Position | None:
    p = vessel.position
    if p is None:
        return None
    return rules.Position(
        float(p.lat), float(p.lon), clock.parse(p.reported_at), float(p.sog_knots or 0)
    )


def mask_id_number(id_number: str) -> str:
    return masking.mask_document_number(id_number)
