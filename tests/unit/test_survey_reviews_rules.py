"""The review of a declaration by an officer of the port, and corrections after the submit:
which moves are allowed, which need a comment, when a traveller may still correct."""

from __future__ import annotations

import pytest
from enforcement.remote_survey import rules
from enforcement.remote_survey.retention import MAX_VERSIONS


@pytest.mark.parametrize(
    ("current", "wanted", "comment", "refusal"),
    [
        ("received", "approved", None, None),
        ("received", "has_issues", "seat differs from the manifest", None),
        ("received", "has_issues", None, "comment_required"),
        ("received", "has_issues", "   ", "comment_required"),
        ("received", "referred", None, "comment_required"),
        ("received", "rejected", "", "comment_required"),
        ("received", "referred", "fever at the gate", None),
        ("received", "received", None, "review_state_unknown"),
        ("received", "cleared", None, "review_state_unknown"),
        (None, "approved", None, None),  # a declaration submitted before reviews
        ("has_issues", "approved", None, None),
        ("has_issues", "has_issues", "and the phone number", None),
        ("approved", "has_issues", "the address is a hotel lobby", None),
        ("approved", "referred", "contact of a case", None),
        ("approved", "approved", "another comment", "review_move_not_allowed"),
        ("referred", "approved", None, "review_move_not_allowed"),
        ("referred", "rejected", "no", "review_move_not_allowed"),
        ("rejected", "approved", None, "review_move_not_allowed"),
        ("rejected", "has_issues", "why", "review_move_not_allowed"),
    ],
)
def test_review_moves(current: str | None, wanted: str, comment: str | None, refusal: str) -> None:
    assert rules.review_refusal(current, wanted, comment) == refusal


def test_the_same_review_again_is_a_retry() -> None:
    assert rules.review_refusal("approved", "approved", None, None) is None
    assert rules.review_refusal("referred", "referred", "fever ", "fever") is None
    assert rules.review_refusal("referred", "referred", "other", "fever") == (
        "review_move_not_allowed"
    )


def test_every_state_has_its_moves() -> None:
    assert set(rules.REVIEW_MOVES) == set(rules.REVIEW_STATES)
    for moves in rules.REVIEW_MOVES.values():
        assert moves <= set(rules.REVIEW_STATES) - {"received"}


@pytest.mark.parametrize(
    ("status", "review", "cleared", "version", "refusal"),
    [
        ("submitted", "received", False, 1, None),
        ("submitted", "has_issues", False, 3, None),
        ("submitted", "approved", False, 1, None),
        ("draft", None, False, 0, "not_submitted"),
        ("submitted", "received", True, 1, "declaration_cleared"),
        ("submitted", "referred", False, 1, "review_final"),
        ("submitted", "rejected", False, 1, "review_final"),
        ("submitted", "received", False, MAX_VERSIONS - 1, None),
        ("submitted", "received", False, MAX_VERSIONS, "too_many_corrections"),
    ],
)
def test_when_a_declaration_may_be_corrected(
    status: str, review: str | None, cleared: bool, version: int, refusal: str | None
) -> None:
    assert rules.correction_refusal(status, review, cleared, version, MAX_VERSIONS) == refusal


@pytest.mark.parametrize(
    ("review", "after"),
    [
        ("received", "received"),
        ("has_issues", "received"),
        ("approved", "received"),
        (None, "received"),
    ],
)
def test_a_correction_asks_for_a_new_review(review: str | None, after: str) -> None:
    assert rules.review_after_correction(review) == after
