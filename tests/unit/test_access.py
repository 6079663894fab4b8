"""The access rules, run against the real functions of `enforcement.access` (no AWS: the
registry of jurisdictions is a dict here, the rest of the module is pure)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from enforcement import access, jurisdictions
from enforcement.access import Action, Refusal, Scope
from enforcement.auth import Principal, Role
from enforcement.errors import DomainError, Forbidden, NotFound

#: jurisdiction -> owning agency; "open-sea" is registered to nobody
REGISTRY = {"shanghai": "msa", "ningbo": "msa", "zhifu": "traffic"}

CREW = Principal("mp-li", Role.CREW, crew_id="crew-000000000001")
UNLINKED = Principal("mp-new", Role.CREW)
OFFICER = Principal("off-zhang", Role.OFFICER, agency="msa", jurisdiction="shanghai")
# the breach of the issue: an officer the traffic admin made for a maritime jurisdiction
PLANTED = Principal("off-plant", Role.OFFICER, agency="traffic", jurisdiction="shanghai")
TRAFFIC_OFFICER = Principal("off-wang", Role.OFFICER, agency="traffic", jurisdiction="zhifu")
ADMIN = Principal("off-admin", Role.ADMIN, agency="msa", jurisdiction="shanghai")
TRAFFIC_ADMIN = Principal("off-cmd", Role.ADMIN, agency="traffic", jurisdiction="zhifu")
NO_AGENCY = Principal("off-none", Role.ADMIN, jurisdiction="shanghai")
# a kiosk's traveller session carries its port's agency and jurisdiction, and reaches nothing
KIOSK = Principal("kiosk-0123456789abcdef", Role.TRAVELLER, agency="msa", jurisdiction="shanghai")

READ, ACT, ADMINISTER = Action.READ, Action.ACT, Action.ADMINISTER
ROLE, OUTSIDE, HIDDEN = Refusal.ROLE, Refusal.OUTSIDE, Refusal.HIDDEN


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jurisdictions, "owner", lambda j: REGISTRY.get(j or ""))


# ------------------------------------------------------------------ role x agency x jurisdiction

#: Every kind of caller `decide` tells apart: each role, of an agency or of none, with a
#: jurisdiction its agency owns or one another agency owns.
PRINCIPALS = (
    CREW, UNLINKED, KIOSK, OFFICER, PLANTED, TRAFFIC_OFFICER, ADMIN, TRAFFIC_ADMIN, NO_AGENCY
)  # fmt: skip

#: The columns: a record of a jurisdiction (its agency is the owner) or an agency-wide record.
COLUMNS = (
    ("shanghai", Scope("msa", "shanghai")),
    ("ningbo", Scope("msa", "ningbo")),
    ("zhifu", Scope("traffic", "zhifu")),
    ("open-sea", Scope(None, "open-sea")),  # a jurisdiction no agency owns
    ("agency:msa", Scope("msa")),
    ("agency:traffic", Scope("traffic")),
    ("agency:none", Scope(None)),
)

OK = None
#: who, action -> the answer for each column, in the order of COLUMNS.
#: OK allowed; ROLE 403 role_not_allowed; OUTSIDE 403 outside_jurisdiction; HIDDEN the 404 of a
#: record that does not exist.
TABLE: dict[tuple[Principal, Action], tuple[Refusal | None, ...]] = {
    #                    shanghai  ningbo   zhifu    open-sea  msa     traffic  none
    # crew never act through a jurisdiction (their own records are decided by own_*/serving_on)
    (CREW, READ):       (ROLE,    ROLE,    ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    (CREW, ACT):        (ROLE,    ROLE,    ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    (CREW, ADMINISTER): (ROLE,    ROLE,    ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    (UNLINKED, READ):       (ROLE, ROLE,   ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    (UNLINKED, ACT):        (ROLE, ROLE,   ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    (UNLINKED, ADMINISTER): (ROLE, ROLE,   ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    # nor do kiosk sessions, whatever agency and port their token names
    (KIOSK, READ):       (ROLE,   ROLE,    ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    (KIOSK, ACT):        (ROLE,   ROLE,    ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    (KIOSK, ADMINISTER): (ROLE,   ROLE,    ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    # an officer: own jurisdiction of own agency and the agency's records; never administers
    (OFFICER, READ):       (OK,   OUTSIDE, HIDDEN,  HIDDEN,   OK,     HIDDEN,  HIDDEN),
    (OFFICER, ACT):        (OK,   OUTSIDE, HIDDEN,  HIDDEN,   OK,     HIDDEN,  HIDDEN),
    (OFFICER, ADMINISTER): (ROLE, ROLE,    ROLE,    ROLE,     ROLE,   ROLE,    ROLE),
    # an officer whose jurisdiction string names another agency's jurisdiction reaches nothing
    # there; only its own agency's records
    (PLANTED, READ):       (HIDDEN, HIDDEN, OUTSIDE, HIDDEN,  HIDDEN, OK,      HIDDEN),
    (PLANTED, ACT):        (HIDDEN, HIDDEN, OUTSIDE, HIDDEN,  HIDDEN, OK,      HIDDEN),
    (PLANTED, ADMINISTER): (ROLE,   ROLE,   ROLE,    ROLE,    ROLE,   ROLE,    ROLE),
    (TRAFFIC_OFFICER, READ):       (HIDDEN, HIDDEN, OK,   HIDDEN, HIDDEN, OK,   HIDDEN),
    (TRAFFIC_OFFICER, ACT):        (HIDDEN, HIDDEN, OK,   HIDDEN, HIDDEN, OK,   HIDDEN),
    (TRAFFIC_OFFICER, ADMINISTER): (ROLE,   ROLE,   ROLE, ROLE,   ROLE,   ROLE, ROLE),
    # an admin: every jurisdiction and record of its own agency, never another agency's
    (ADMIN, READ):       (OK,     OK,     HIDDEN,  HIDDEN,   OK,     HIDDEN,  HIDDEN),
    (ADMIN, ACT):        (OK,     OK,     HIDDEN,  HIDDEN,   OK,     HIDDEN,  HIDDEN),
    (ADMIN, ADMINISTER): (OK,     OK,     HIDDEN,  HIDDEN,   OK,     HIDDEN,  HIDDEN),
    (TRAFFIC_ADMIN, READ):       (HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN, OK,     HIDDEN),
    (TRAFFIC_ADMIN, ACT):        (HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN, OK,     HIDDEN),
    (TRAFFIC_ADMIN, ADMINISTER): (HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN, OK,     HIDDEN),
    # an account of no agency: records of no agency are nobody's, its own included
    (NO_AGENCY, READ):       (HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    (NO_AGENCY, ACT):        (HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    (NO_AGENCY, ADMINISTER): (HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
}  # fmt: skip

CELLS = [
    pytest.param(who, action, column, scope, TABLE[who, action][n],
                 id=f"{who.account_id}-{action}-{column}-{TABLE[who, action][n] or 'allowed'}")
    for (who, action) in TABLE
    for n, (column, scope) in enumerate(COLUMNS)
]  # fmt: skip


def test_the_table_covers_every_role_action_and_scope() -> None:
    """A new role or action (or a caller or column left out) without its rows fails here."""
    assert {who.role for who in PRINCIPALS} == set(Role)
    assert set(TABLE) == {(who, action) for who in PRINCIPALS for action in Action}
    assert all(len(answers) == len(COLUMNS) for answers in TABLE.values())
    assert {answer for answers in TABLE.values() for answer in answers} == {*Refusal, None}
    jurisdictions_ = {scope.jurisdiction for _, scope in COLUMNS if scope.jurisdiction}
    assert set(REGISTRY) < jurisdictions_  # every registered one, and one nobody owns
    assert {who.jurisdiction for who in PRINCIPALS if who.jurisdiction} <= jurisdictions_


@pytest.mark.parametrize(("who", "action", "column", "scope", "expected"), CELLS)
def test_the_access_table(
    who: Principal, action: Action, column: str, scope: Scope, expected: Refusal | None
) -> None:
    """Each cell through `decide`, and through the function the routes call (`in_jurisdiction`
    for a record of a jurisdiction, `in_agency` for an agency-wide one), with its HTTP answer."""
    if scope.jurisdiction is not None:
        assert access.jurisdiction_scope(scope.jurisdiction) == scope
    assert access.decide(who, action, scope) is expected
    hidden = NotFound("vessel_not_found", "no vessel")

    def ask() -> None:
        if scope.jurisdiction is not None:
            access.in_jurisdiction(who, scope.jurisdiction, action, hidden=hidden)
        else:
            access.in_agency(who, scope.agency, action, hidden=hidden)

    if expected is None:
        ask()
        return
    with pytest.raises(DomainError) as caught:
        ask()
    wanted = {
        ROLE: (403, "role_not_allowed"),
        OUTSIDE: (403, "outside_jurisdiction"),
        HIDDEN: (404, "vessel_not_found"),  # the answer of a vessel that does not exist
    }[expected]
    assert (caught.value.status, caught.value.code) == wanted


# ------------------------------------------------------------------ new records and accounts


@pytest.mark.parametrize(
    ("who", "requested", "outcome"),
    [
        (OFFICER, None, "shanghai"),
        (OFFICER, "shanghai", "shanghai"),
        (OFFICER, "ningbo", "outside_jurisdiction"),
        (ADMIN, None, "shanghai"),
        (ADMIN, "ningbo", "ningbo"),  # any jurisdiction its agency owns
        (ADMIN, "zhifu", "jurisdiction_not_yours"),  # another agency's
        (ADMIN, "open-sea", "jurisdiction_not_yours"),  # nobody's: an admin never claims one
        (TRAFFIC_ADMIN, "shanghai", "jurisdiction_not_yours"),
        (PLANTED, None, "jurisdiction_not_yours"),  # its own string is another agency's
        (CREW, None, "role_not_allowed"),
    ],
)
def test_where_a_new_record_may_go(who: Principal, requested: str | None, outcome: str) -> None:
    if outcome in REGISTRY:
        assert access.jurisdiction_for(who, requested) == outcome
        return
    with pytest.raises(Forbidden) as caught:
        access.jurisdiction_for(who, requested)
    assert caught.value.code == outcome


@pytest.mark.parametrize(
    ("who", "role", "jurisdiction", "outcome"),
    [
        (ADMIN, Role.OFFICER, "ningbo", "msa"),
        (ADMIN, Role.ADMIN, "shanghai", "msa"),
        (ADMIN, Role.OFFICER, "zhifu", "jurisdiction_not_yours"),
        (TRAFFIC_ADMIN, Role.OFFICER, "shanghai", "jurisdiction_not_yours"),
        (TRAFFIC_ADMIN, Role.ADMIN, "ningbo", "jurisdiction_not_yours"),
        (TRAFFIC_ADMIN, Role.OFFICER, "zhifu", "traffic"),
        (ADMIN, Role.CREW, "shanghai", "role_not_allowed"),
        (OFFICER, Role.OFFICER, "shanghai", "role_not_allowed"),
        (NO_AGENCY, Role.OFFICER, "shanghai", "no_agency"),
    ],
)
def test_who_may_create_accounts_where(
    who: Principal, role: Role, jurisdiction: str, outcome: str
) -> None:
    if outcome in ("msa", "traffic"):
        assert access.new_account(who, role, jurisdiction) == outcome
        return
    with pytest.raises(Forbidden) as caught:
        access.new_account(who, role, jurisdiction)
    assert caught.value.code == outcome


def test_lists_of_an_own_jurisdiction_need_the_agency_to_own_it() -> None:
    assert access.own_jurisdiction(OFFICER) == "shanghai"
    assert access.own_jurisdiction(TRAFFIC_ADMIN) == "zhifu"
    for who, code in (
        (PLANTED, "jurisdiction_not_yours"),
        (CREW, "role_not_allowed"),
        (NO_AGENCY, "no_agency"),
    ):
        with pytest.raises(Forbidden) as caught:
            access.own_jurisdiction(who)
        assert caught.value.code == code


# ------------------------------------------------------------------ crew


@dataclass
class Posting:
    vessel_id: str
    crew_id: str
    status: str


LI = "crew-000000000001"
WANG = "crew-000000000002"


@pytest.mark.parametrize(
    ("postings", "allowed"),
    [
        ([Posting("413000001", LI, "appointed")], True),
        ([Posting("413000001", LI, "bound")], True),  # approved by an officer
        ([Posting("413000001", LI, "pending")], False),  # waiting: gives nothing
        ([Posting("413000002", LI, "appointed")], False),  # another vessel
        ([Posting("413000001", WANG, "appointed")], False),  # someone else's posting
        ([], False),
    ],
    ids=["appointed", "approved", "pending", "other-vessel", "other-crew", "none"],
)
def test_crew_reach_a_vessel_only_through_a_serving_posting(
    postings: list[Posting], allowed: bool
) -> None:
    if allowed:
        access.serving_on(postings, LI, "413000001")
    else:
        with pytest.raises(Forbidden) as caught:
            access.serving_on(postings, LI, "413000001")
        assert caught.value.code == "not_your_vessel"


def test_shipmates_are_crew_serving_on_the_same_vessel() -> None:
    serving = [Posting("413000001", WANG, "bound"), Posting("413000002", "crew-3", "appointed")]
    access.shipmate(serving, WANG, "413000001")
    for subject in ("crew-3", "crew-unknown"):
        with pytest.raises(Forbidden) as caught:
            access.shipmate(serving, subject, "413000001")
        assert caught.value.code == "not_a_shipmate"
    with pytest.raises(Forbidden):
        access.shipmate([Posting("413000001", WANG, "pending")], WANG, "413000001")


def test_a_binding_needs_approval_outside_the_crew_members_appointments() -> None:
    appointed = [Posting("413000001", LI, "appointed")]
    assert not access.binding_needs_approval(appointed, LI, "413000001")
    assert access.binding_needs_approval(appointed, LI, "413000002")
    assert access.binding_needs_approval([Posting("413000001", LI, "bound")], LI, "413000001")
    assert access.binding_needs_approval([], LI, "413000001")


def test_crew_see_their_own_record_and_checks_only() -> None:
    access.own_record(CREW, LI)
    with pytest.raises(Forbidden) as caught:
        access.own_record(CREW, WANG)
    assert caught.value.code == "not_your_record"
    access.own_check(CREW, "mp-li")
    with pytest.raises(Forbidden) as caught:
        access.own_check(CREW, "mp-someone")
    assert caught.value.code == "not_your_record"
    with pytest.raises(Forbidden) as caught:
        access.own_check(OFFICER, "off-zhang")
    assert caught.value.code == "role_not_allowed"
    with pytest.raises(Forbidden) as caught:
        access.crew_of(OFFICER)
    assert caught.value.code == "role_not_allowed"


# ------------------------------------------------------------------ officers' own records


def test_dispatch_profiles_hazards_and_tasks() -> None:
    access.own_profile(OFFICER, "off-zhang", "msa")
    with pytest.raises(NotFound):
        access.own_profile(OFFICER, "off-zhang", "traffic")
    access.profile_visible(OFFICER, "off-zhang", "msa")
    access.profile_visible(ADMIN, "off-chen", "msa")
    with pytest.raises(Forbidden) as caught:
        access.profile_visible(OFFICER, "off-chen", "msa")
    assert caught.value.code == "role_not_allowed"
    with pytest.raises(NotFound) as hidden:
        access.profile_visible(TRAFFIC_ADMIN, "off-chen", "msa")
    assert hidden.value.code == "inspector_not_found"

    access.report_visible(TRAFFIC_OFFICER, "off-wang", "traffic")
    access.report_visible(TRAFFIC_ADMIN, "off-wang", "traffic")
    with pytest.raises(Forbidden) as caught:
        access.report_visible(PLANTED, "off-wang", "traffic")  # same agency, not the reporter
    assert caught.value.code == "not_your_report"
    with pytest.raises(NotFound):
        access.report_visible(ADMIN, "off-wang", "traffic")
    with pytest.raises(NotFound):
        access.report_visible(OFFICER, "off-wang", "traffic")  # another agency's officer
    with pytest.raises(Forbidden) as caught:
        access.report_visible(CREW, "off-wang", "traffic")
    assert caught.value.code == "role_not_allowed"

    access.own_task(OFFICER, "off-zhang")
    with pytest.raises(Forbidden) as caught:
        access.own_task(OFFICER, "off-chen")
    assert caught.value.code == "not_your_task"
    access.task_visible(ADMIN, "off-chen")
    access.on_team(OFFICER, ["off-chen", "off-zhang"])
    with pytest.raises(Forbidden) as caught:
        access.on_team(OFFICER, ["off-chen"])
    assert caught.value.code == "not_on_team"


# ------------------------------------------------------------------ travellers' declarations


def test_travellers_own_their_declarations_only() -> None:
    assert access.traveller(CREW) == "mp-li"
    assert access.traveller(KIOSK) == KIOSK.account_id
    access.own_declaration(CREW, "mp-li")
    access.own_declaration(KIOSK, KIOSK.account_id)
    for who, owner in ((CREW, "mp-other"), (KIOSK, "mp-li"), (OFFICER, "off-zhang")):
        with pytest.raises(Forbidden) as refused:
            access.own_declaration(who, owner)
        assert refused.value.code == "not_your_declaration"
    for who in (OFFICER, ADMIN):
        with pytest.raises(Forbidden) as refused:
            access.traveller(who)
        assert refused.value.code == "role_not_allowed"
