"""Results of a draw's assignments: the inspection a team member records on the spot (with
photos by presigned upload), and a new team drawn for a target with a reason.

Both change a published draw's assignment in one transaction with the inspectors' workloads and
the target's history, and with their audit entry (`audit.commit`).
"""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, evidence
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.db import get_or_404
from enforcement.dispatch import draw, inspectors, rules
from enforcement.dispatch.catalogue import load_target
from enforcement.dispatch.draws import assignment_view, load_draw, snapshot_of
from enforcement.dispatch.models import Assignment, DispatchTarget
from enforcement.dispatch.schemas import RedrawIn, ResultIn
from enforcement.errors import Conflict, NotFound
from enforcement.models import Upload
from enforcement.officers import InspectorProfile


def load_assignment(draw_id: str, target_id: str) -> Assignment:
    return get_or_404(
        Assignment,
        draw_id,
        target_id,
        code="assignment_not_found",
        message=f"{target_id} was not drawn in {draw_id}",
    )


def record_result(
    principal: Principal, draw_id: str, target_id: str, body: ResultIn
) -> dict[str, Any]:
    """A team member records the inspection on the spot; photos go by presigned upload."""
    access.require_role(principal, Role.OFFICER)
    item = load_draw(draw_id)
    hidden = NotFound("draw_not_found", f"no draw {draw_id}")
    access.in_agency(principal, item.agency, Action.ACT, hidden=hidden)
    assignment = load_assignment(draw_id, target_id)
    access.on_team(principal, assignment.team)
    if not rules.may_record(assignment.status):
        raise Conflict("already_recorded", "this inspection is already recorded")
    target = load_target(target_id)
    at = clock.iso()
    tickets, grants = evidence.prepare(
        "inspection", principal.actor, f"{draw_id}/{target_id}", body.photos
    )
    result = {
        "passed": body.passed,
        "findings": body.findings,
        "recorded_by": principal.account_id,
        "recorded_at": at,
    }
    entry = {
        "draw_id": draw_id,
        "at": at,
        "passed": body.passed,
        "findings": len(body.findings),
        "team": list(assignment.team),
    }
    history = rules.target_history(entry, target.history)

    def writes(tx: TransactWrite) -> None:
        tx.update(
            assignment,
            actions=[
                Assignment.status.set("inspected"),
                Assignment.result.set(result),
                Assignment.photo_keys.set([t.object_key for t in tickets]),
                Assignment.inspected_at.set(at),
            ],
            condition=Assignment.status == "assigned",
        )
        tx.update(
            target,
            actions=[DispatchTarget.history.set(history)],
            condition=DispatchTarget.target_id.exists(),
        )
        for member in assignment.team:
            tx.update(
                InspectorProfile(member),
                actions=[InspectorProfile.open_assignments.add(-1)],
                condition=InspectorProfile.account_id.exists(),
            )
        for ticket in tickets:
            tx.save(ticket, condition=Upload.object_key.does_not_exist())

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "inspection.result",
            f"draw:{draw_id}/target:{target_id}",
            {"passed": body.passed, "findings": body.findings, "photos": body.photos},
        ),
        writes,
        on_conflict=Conflict("already_recorded", "this inspection is already recorded"),
        agency=item.agency,
    )
    view = assignment_view(load_assignment(draw_id, target_id))
    view["uploads"] = grants
    return view


def redraw(principal: Principal, draw_id: str, target_id: str, body: RedrawIn) -> dict[str, Any]:
    """A new team for a drawn target, only with a reason; public like the draw.

    The new team is drawn like the first (least load, ties by hash order) from the frozen
    snapshot, without the previous team(s), with `SHA-256(seed ‖ "redraw" ‖ target ‖ n)` as the
    seed, so anyone can re-run it too.
    """
    agency = access.agency_admin(principal)
    item = load_draw(draw_id)
    hidden = NotFound("draw_not_found", f"no draw {draw_id}")
    access.in_agency(principal, item.agency, Action.ADMINISTER, hidden=hidden)
    if not rules.may_redraw(item.status):
        raise Conflict("draw_not_published", "only a published draw's teams can be redrawn")
    assignment = load_assignment(draw_id, target_id)
    if assignment.status == "inspected":
        raise Conflict("already_recorded", "this inspection is already recorded")
    previous = list(assignment.team)
    history = list(assignment.redraws or [])
    excluded = rules.redraw_excluded(previous, history)
    snapshot = snapshot_of(item)
    # the snapshot names inspectors by public id; assignments keep account ids
    named = inspectors.to_snapshot_ids(snapshot, excluded)
    drawn = draw.redraw_team(
        snapshot, item.seed or "", target_id, len(history) + 1, set(named.values())
    )
    if not drawn:
        raise Conflict("no_eligible_team", "not enough other eligible inspectors for this target")
    team = inspectors.to_accounts(snapshot, agency, drawn)
    entry = {
        "n": len(history) + 1,
        "at": clock.iso(),
        "by": principal.account_id,
        "reason": body.reason,
        "previous_team": previous,
        "team": team,
    }

    def writes(tx: TransactWrite) -> None:
        tx.update(
            assignment,
            actions=[Assignment.team.set(team), Assignment.redraws.set([*history, entry])],
            condition=(Assignment.status == "assigned") & (Assignment.team == previous),
        )
        for member in previous:
            tx.update(
                InspectorProfile(member),
                actions=[InspectorProfile.open_assignments.add(-1)],
                condition=InspectorProfile.account_id.exists(),
            )
        for member in team:
            tx.update(
                InspectorProfile(member),
                actions=[InspectorProfile.open_assignments.add(1)],
                condition=InspectorProfile.account_id.exists(),
            )

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "draw.redraw",
            f"draw:{draw_id}/target:{target_id}",
            {"reason": body.reason, "previous_team": previous, "team": team},
        ),
        writes,
        on_conflict=Conflict("assignment_changed", "the assignment changed meanwhile"),
        agency=agency,
    )
    return assignment_view(load_assignment(draw_id, target_id))
