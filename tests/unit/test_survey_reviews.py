"""Reviews of submitted declarations by officers of the port, with the models under moto: each
move written with its audit entry, a referral keeping the declaration and its versions beyond
retention, refusals for other ports, travellers, finals and races."""

from __future__ import annotations

import secrets

import pytest
from enforcement import audit, jurisdictions
from enforcement.auth import Principal, Role
from enforcement.errors import Conflict, Forbidden, NotFound, Unprocessable
from enforcement.remote_survey import reviews
from enforcement.remote_survey.models import Declaration, DeclarationVersion

from tests.unit.checkin_world import World, world  # noqa: F401 - fixture
from tests.unit.survey_world import submitted, survey  # noqa: F401 - fixture


def entries_about(declaration_id: str) -> list[audit.AuditEntry]:
    return [e for e in audit.entries() if e.target == f"declaration:{declaration_id}"]


def test_an_officer_of_the_port_approves(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"})
    done = reviews.review(survey.officer, declaration.declaration_id, "approved", None)
    assert done.review == "approved"
    assert done.reviewed_by == survey.officer.account_id
    assert done.expires_at is not None  # approval keeps the retention
    [entry] = entries_about(declaration.declaration_id)
    assert entry.action == "declaration.review"
    assert entry.chain.startswith(f"remote_survey/{survey.agency}/")
    assert '"review":"approved"' in entry.details


def test_a_referral_keeps_the_declaration_and_its_versions(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"}, versions=2)
    done = reviews.review(survey.officer, declaration.declaration_id, "referred", "fever at gate")
    assert done.review == "referred"
    assert done.review_comment == "fever at gate"
    assert done.expires_at is None
    versions = list(DeclarationVersion.query(declaration.declaration_id))
    assert [v.expires_at for v in versions] == [None, None]
    # final: nothing moves it on
    with pytest.raises(Conflict) as refused:
        reviews.review(survey.officer, declaration.declaration_id, "approved", None)
    assert refused.value.code == "review_move_not_allowed"


def test_a_retry_writes_nothing(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"})
    reviews.review(survey.officer, declaration.declaration_id, "has_issues", "seat?")
    again = reviews.review(survey.officer, declaration.declaration_id, "has_issues", "seat? ")
    assert again.review_comment == "seat?"
    assert len(entries_about(declaration.declaration_id)) == 1
    reviews.review(survey.officer, declaration.declaration_id, "has_issues", "and the phone")
    assert len(entries_about(declaration.declaration_id)) == 2


def test_a_comment_is_required_for_issues_referrals_and_rejections(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"})
    for state in ("has_issues", "referred", "rejected"):
        with pytest.raises(Unprocessable) as refused:
            reviews.review(survey.officer, declaration.declaration_id, state, "  ")
        assert refused.value.code == "comment_required"
    assert Declaration.get(declaration.declaration_id).review == "received"
    assert entries_about(declaration.declaration_id) == []


def test_only_officers_of_the_port(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"})
    neighbour = f"second-{secrets.token_hex(3)}"
    jurisdictions.register("admin:seed", survey.agency, neighbour)
    other_port = Principal("officer-3", Role.OFFICER, agency=survey.agency, jurisdiction=neighbour)
    with pytest.raises(Forbidden) as refused:
        reviews.review(other_port, declaration.declaration_id, "approved", None)
    assert refused.value.code == "outside_jurisdiction"
    with pytest.raises(NotFound):  # another agency: as if there were no such declaration
        reviews.review(survey.other_agency_officer, declaration.declaration_id, "approved", None)
    traveller = Principal(declaration.owner, Role.CREW)
    with pytest.raises(Forbidden) as refused:
        reviews.review(traveller, declaration.declaration_id, "approved", None)
    assert refused.value.code == "role_not_allowed"
    assert Declaration.get(declaration.declaration_id).review == "received"


def test_a_review_read_before_another_loses(
    survey: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declaration = submitted(survey, {"surname": "LI"})
    stale = Declaration.get(declaration.declaration_id)
    reviews.review(survey.officer, declaration.declaration_id, "approved", None)
    monkeypatch.setattr(reviews, "load", lambda _id: stale)
    with pytest.raises(Conflict) as refused:
        reviews.review(survey.officer, declaration.declaration_id, "rejected", "forged")
    assert refused.value.code == "declaration_changed"
    assert Declaration.get(declaration.declaration_id).review == "approved"


def test_a_draft_is_not_reviewed(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"})
    declaration.update(actions=[Declaration.status.set("draft")])
    with pytest.raises(Conflict) as refused:
        reviews.review(survey.officer, declaration.declaration_id, "approved", None)
    assert refused.value.code == "not_submitted"
