"""Corrections after the submit with the models under moto: a new version checked as a submit,
the declaration updated with it, two corrections read at once (one wins, the other 409), the
retention carried to the new version, refusals once cleared."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from enforcement import db, forms
from enforcement.auth import Principal, Role
from enforcement.errors import Conflict, Forbidden, Unprocessable
from enforcement.remote_survey import corrections, declarations, form_store, retention
from enforcement.remote_survey.models import Declaration, DeclarationVersion

from tests.unit.checkin_world import World, world  # noqa: F401 - fixture
from tests.unit.survey_world import submitted, survey  # noqa: F401 - fixture

ANSWERS: dict[str, Any] = {
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "sex": "F",
    "date_of_birth": "1974-08-12",
    "nationality": "SWE",
    "document_type": "passport",
    "document_number": "L898902C3",
    "flight_number": "MU5101",
    "seat_number": "12A",
    "countries_visited": ["JPN"],
    "contact_confirmed": "no",
    "contact_symptomatic": "no",
    "symptoms": ["none"],
    "temperature": "36.6",
    "medicine_taken": "no",
    "address": "上海市浦东新区世纪大道100号",
    "phone": "+8613800138000",
    "declaration": "yes",
}


@pytest.fixture(scope="module")
def form() -> forms.FormDefinition:
    source = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    return forms.publish(json.loads(source.read_text(encoding="utf-8")))


@pytest.fixture
def declared(
    survey: World,  # noqa: F811
    form: forms.FormDefinition,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Declaration, Principal]:
    monkeypatch.setattr(form_store, "form", lambda *_: (None, form))
    result = forms.check(form, ANSWERS, "en")
    assert result.ok, result.problems
    computed = {k: v for k, v in result.answers.items() if form.field(k).type == "calculate"}
    answers = {k: v for k, v in result.answers.items() if k not in computed}
    declaration = submitted(survey, answers, computed=computed, owner="acc-anna")
    return declaration, Principal("acc-anna", Role.CREW)


def test_a_correction_writes_the_next_version(declared: tuple[Declaration, Principal]) -> None:
    declaration, anna = declared
    done = corrections.correct(
        anna, declaration.declaration_id, {"symptoms": ["fever"], "temperature": 38.6}, "fever"
    )
    assert done.version == 2
    assert done.answers["symptoms"] == ["fever"]
    assert done.computed["has_fever"] == "yes"
    assert done.outcome is not None
    assert done.outcome != "release"
    assert done.revision == 1
    first, second = DeclarationVersion.query(declaration.declaration_id)
    assert first.answers["symptoms"] == ["none"]
    assert (second.version, second.reason, second.submitted_by) == (2, "fever", "acc-anna")
    assert second.expires_at == declaration.expires_at  # the declaration's retention
    # nothing changes: nothing written
    again = corrections.correct(anna, declaration.declaration_id, {"symptoms": ["fever"]}, "x")
    assert again.version == 2
    assert len(list(DeclarationVersion.query(declaration.declaration_id))) == 2


def test_two_corrections_read_at_once_one_wins(
    declared: tuple[Declaration, Principal], monkeypatch: pytest.MonkeyPatch
) -> None:
    declaration, anna = declared
    stale = Declaration.get(declaration.declaration_id)
    corrections.correct(anna, declaration.declaration_id, {"phone": "+8613900139000"}, "first")
    monkeypatch.setattr(declarations, "get_declaration", lambda _id: stale)
    with pytest.raises(Conflict) as refused:
        corrections.correct(anna, declaration.declaration_id, {"phone": "+8613700137000"}, "2nd")
    assert refused.value.code == "declaration_changed"
    monkeypatch.undo()
    now = Declaration.get(declaration.declaration_id)
    assert (now.version, now.answers["phone"]) == (2, "+8613900139000")
    assert [v.version for v in DeclarationVersion.query(declaration.declaration_id)] == [1, 2]


def test_a_correction_with_a_problem_writes_nothing(
    declared: tuple[Declaration, Principal],
) -> None:
    declaration, anna = declared
    with pytest.raises(Unprocessable) as refused:
        corrections.correct(
            anna, declaration.declaration_id, {"symptoms": ["none", "fever"]}, "both"
        )
    assert refused.value.code == "declaration_has_problems"
    with pytest.raises(Unprocessable) as refused:
        corrections.correct(anna, declaration.declaration_id, {"no_such_field": "x"}, "x")
    assert refused.value.code == "answers_invalid"
    assert Declaration.get(declaration.declaration_id).version == 1


def test_once_cleared_or_final_no_correction(declared: tuple[Declaration, Principal]) -> None:
    declaration, anna = declared
    with pytest.raises(Forbidden):
        corrections.correct(
            Principal("acc-other", Role.CREW), declaration.declaration_id, {"phone": "1"}, "x"
        )
    declaration.update(actions=[Declaration.released_at.set("2026-12-01T09:00:00.000Z")])
    with pytest.raises(Conflict) as refused:
        corrections.correct(anna, declaration.declaration_id, {"phone": "1"}, "x")
    assert refused.value.code == "declaration_cleared"


def test_a_kept_declarations_new_version_is_kept_too(
    declared: tuple[Declaration, Principal],
) -> None:
    declaration, anna = declared
    with db.transaction() as tx:
        retention.keep(tx, declaration)
    done = corrections.correct(anna, declaration.declaration_id, {"phone": "+86139001390"}, "phone")
    assert done.expires_at is None
    assert DeclarationVersion.get(declaration.declaration_id, 2).expires_at is None


def test_the_diff_of_two_versions_for_an_officer(
    survey: World,  # noqa: F811
    declared: tuple[Declaration, Principal],
) -> None:
    declaration, anna = declared
    corrections.correct(anna, declaration.declaration_id, {"seat_number": "14C"}, "moved")
    code, changes = corrections.version_diff(survey.officer, declaration.declaration_id, 1, 2, None)
    assert code == "zh"  # the form's first language for officers
    assert [(c.field, c.before, c.after) for c in changes] == [("seat_number", "12A", "14C")]
    code, _ = corrections.version_diff(anna, declaration.declaration_id, 2, 1, None)
    assert code == "en"  # the traveller's own
