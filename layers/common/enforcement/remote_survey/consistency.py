"""Checks of a declaration's answers against data, before submit: the flight's manifest and
the answers among themselves. Pure: the flight's facts are read by `flights.facts_for`.

The rules are data (`forms/arrival_consistency_rules.json`, beside the form): each names its
`id` (the problem's code), the `check` it runs (one of `CHECKS` below), the `fields` its
problem points at, the fields it reads (`params`) and its message in every language of the form
(placeholders: `{flight_number}`, `{origin}`, `{arrival_date}`, `{threshold}`).

A rule that lacks what it compares (no flight on record, no manifest entry, an answer missing
or of the wrong type) says nothing: a missing or malformed answer is the form's own problem
(`forms.check`), reported beside these.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from enforcement import health
from enforcement.documents import DocumentError, strict_loads
from enforcement.forms import Problem

RULES_RESOURCE = "arrival_consistency_rules.json"
#: The language of a message when the traveller's is not in the rule.
FALLBACK_LANGUAGE = "en"
PLACEHOLDERS = frozenset({"flight_number", "origin", "arrival_date", "threshold"})


@dataclass(frozen=True)
class PassengerFacts:
    document_number: str
    name: str
    seat: str | None


@dataclass(frozen=True)
class FlightFacts:
    """What the port knows of a declared flight: the flight (its arrival date in the port's
    local time, on-block times ISO 8601 UTC, origin ISO 3166-1 alpha-3) and the manifest's
    entry for the declared document number (None: the document is not on the manifest)."""

    port: str
    arrival_date: str
    flight_number: str
    origin: str
    scheduled_on_block: str
    actual_on_block: str | None
    passenger: PassengerFacts | None


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    fields: tuple[str, ...]
    params: Mapping[str, str]
    messages: Mapping[str, str]

    def message(self, lang: str, values: Mapping[str, str]) -> str:
        template = self.messages.get(lang.lower()) or self.messages[FALLBACK_LANGUAGE]
        return template.format_map(values)


@dataclass(frozen=True)
class RuleSet:
    form_id: str
    version: str
    rules: tuple[Rule, ...]


# ------------------------------------------------------------------ the checks

#: check(answers, facts, params, fever_threshold_c) → True when the rule is broken.
Check = Callable[[Mapping[str, Any], "FlightFacts | None", Mapping[str, str], Decimal], bool]

_FLIGHT = re.compile(r"^([A-Z0-9]{2})0*([0-9]{1,4})([A-Z]?)$")
_SEAT = re.compile(r"^0*([0-9]{1,3})([A-Z])$")


def flight_number_key(text: str) -> str:
    """A flight number as compared: capitals, no spaces, no leading zeros in its number
    (`mu 05102` and `MU5102` are one flight)."""
    compact = re.sub(r"\s+", "", text).upper()
    match = _FLIGHT.match(compact)
    return "".join(match.groups()) if match else compact


def seat_key(text: str) -> str:
    """A seat as compared: capitals, no spaces, no leading zeros in the row."""
    compact = re.sub(r"\s+", "", text).upper()
    match = _SEAT.match(compact)
    return "".join(match.groups()) if match else compact


def document_key(text: str) -> str:
    """A document number as compared and as the manifest is keyed: capitals, no spaces."""
    return re.sub(r"\s+", "", text).upper()


def _text(answers: Mapping[str, Any], name: str) -> str | None:
    value = answers.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _choices(answers: Mapping[str, Any], name: str) -> list[str] | None:
    value = answers.get(name)
    if isinstance(value, str):  # ODK's space-separated form
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return value or None


def _decimal(answers: Mapping[str, Any], name: str) -> Decimal | None:
    value = answers.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _answer_is_flight(
    answers: Mapping[str, Any], facts: FlightFacts | None, params: Mapping[str, str], _: Decimal
) -> bool:
    declared = _text(answers, params["answer"])
    if facts is None or declared is None:
        return False
    return flight_number_key(declared) != flight_number_key(facts.flight_number)


def _document_on_manifest(
    answers: Mapping[str, Any], facts: FlightFacts | None, params: Mapping[str, str], _: Decimal
) -> bool:
    declared = _text(answers, params["answer"])
    if facts is None or declared is None:
        return False
    entry = facts.passenger
    return entry is None or document_key(entry.document_number) != document_key(declared)


def _answer_is_manifest_seat(
    answers: Mapping[str, Any], facts: FlightFacts | None, params: Mapping[str, str], _: Decimal
) -> bool:
    declared = _text(answers, params["answer"])
    entry = facts.passenger if facts else None
    if entry is None or not entry.seat or declared is None:
        return False
    return seat_key(declared) != seat_key(entry.seat)


def _origin_among_answers(
    answers: Mapping[str, Any], facts: FlightFacts | None, params: Mapping[str, str], _: Decimal
) -> bool:
    """The flight's origin must be among the countries visited; a traveller who chose the
    form's `other` (a country the list lacks, typed as text) is not contradicted."""
    visited = _choices(answers, params["answer"])
    if facts is None or visited is None:
        return False
    return facts.origin.upper() not in visited and params["other"] not in visited


def _fever_without_symptoms(
    answers: Mapping[str, Any],
    facts: FlightFacts | None,
    params: Mapping[str, str],
    threshold: Decimal,
) -> bool:
    """No symptoms declared (`none`, or the form's has_symptoms calculation `no`) with a
    temperature at or above the fever threshold."""
    temperature = _decimal(answers, params["temperature"])
    if not health.is_fever(temperature, float(threshold)):
        return False
    symptoms = _choices(answers, params["symptoms"]) or []
    return params["none"] in symptoms or answers.get(params["has_symptoms"]) == "no"


def _date_not_after_arrival(
    answers: Mapping[str, Any], facts: FlightFacts | None, params: Mapping[str, str], _: Decimal
) -> bool:
    departed, arrived = _date(answers.get(params["answer"])), _date(facts and facts.arrival_date)
    return departed is not None and arrived is not None and departed > arrived


CHECKS: dict[str, tuple[Check, frozenset[str]]] = {
    "answer_is_flight": (_answer_is_flight, frozenset({"answer"})),
    "document_on_manifest": (_document_on_manifest, frozenset({"answer"})),
    "answer_is_manifest_seat": (_answer_is_manifest_seat, frozenset({"answer"})),
    "origin_among_answers": (_origin_among_answers, frozenset({"answer", "other"})),
    "fever_without_symptoms": (
        _fever_without_symptoms,
        frozenset({"temperature", "symptoms", "none", "has_symptoms"}),
    ),
    "date_not_after_arrival": (_date_not_after_arrival, frozenset({"answer"})),
}


# ------------------------------------------------------------------ the rules as data


def parse_rules(document: Mapping[str, Any]) -> RuleSet:
    """A rule set from its JSON document; DocumentError names what is wrong."""
    if not isinstance(document, Mapping):
        raise DocumentError("consistency rules: a JSON object expected")
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise DocumentError("consistency rules: `rules` must be a non-empty list")
    rules: list[Rule] = []
    for index, raw in enumerate(raw_rules):
        rules.append(_parse_rule(raw, f"rules[{index}]"))
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise DocumentError("consistency rules: a rule id appears twice")
    return RuleSet(str(document.get("form_id", "")), str(document.get("version", "")), tuple(rules))


def _parse_rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise DocumentError(f"{where}: a JSON object expected")
    rule_id, check = raw.get("id"), raw.get("check")
    if not isinstance(rule_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", rule_id):
        raise DocumentError(f"{where}: `id` must be a snake_case name")
    if check not in CHECKS:
        raise DocumentError(f"{where} ({rule_id}): unknown check {check!r}")
    fields, params, messages = raw.get("fields"), raw.get("params"), raw.get("messages")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise DocumentError(f"{where} ({rule_id}): `fields` must name at least one field")
    if not isinstance(params, Mapping) or not all(isinstance(v, str) for v in params.values()):
        raise DocumentError(f"{where} ({rule_id}): `params` must map names to field names")
    if set(params) != CHECKS[check][1]:
        raise DocumentError(
            f"{where} ({rule_id}): check {check} takes {sorted(CHECKS[check][1])} as params"
        )
    if not isinstance(messages, Mapping) or FALLBACK_LANGUAGE not in messages:
        raise DocumentError(f"{where} ({rule_id}): `messages` must have {FALLBACK_LANGUAGE!r}")
    for lang, text in messages.items():
        if not isinstance(text, str) or not text.strip():
            raise DocumentError(f"{where} ({rule_id}): empty message in {lang!r}")
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        if not used <= PLACEHOLDERS:
            raise DocumentError(
                f"{where} ({rule_id}): unknown placeholder(s) {sorted(used - PLACEHOLDERS)} "
                f"in {lang!r}"
            )
    return Rule(
        rule_id,
        check,
        tuple(fields),
        dict(params),
        {str(lang).lower(): text for lang, text in messages.items()},
    )


@cache
def arrival_rules() -> RuleSet:
    """The rules shipped beside the example arrival form (read once per process)."""
    source = resources.files("enforcement.remote_survey.forms") / RULES_RESOURCE
    return parse_rules(strict_loads(source.read_bytes()))


def problems(
    answers: Mapping[str, Any],
    facts: FlightFacts | None,
    lang: str,
    *,
    fever_threshold_c: float,
    rules: RuleSet | None = None,
) -> list[Problem]:
    """Every broken consistency rule of `answers` (the form's answers, calculations included,
    as `forms.check` keeps them), one Problem per field the rule concerns, code = the rule's
    id, message in `lang` (English when the rule lacks it). In the rules' order."""
    ruleset = rules or arrival_rules()
    threshold = Decimal(str(fever_threshold_c))
    values = {
        "flight_number": facts.flight_number if facts else "",
        "origin": facts.origin if facts else "",
        "arrival_date": facts.arrival_date if facts else "",
        "threshold": format(threshold.normalize(), "f"),
    }
    found: list[Problem] = []
    for rule in ruleset.rules:
        check = CHECKS[rule.check][0]
        if check(answers, facts, rule.params, threshold):
            message = rule.message(lang, values)
            found.extend(Problem(field, rule.id, message) for field in rule.fields)
    return found
