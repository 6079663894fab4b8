"""Decision support for an arriving traveller: rules as versioned data (`decision_rules.json`)
turn a declaration's answers, the form's calculations and the flight's facts into one outcome,
`release`, `remote_survey`, `sampling` or `onsite_referral`, with the reasons. Pure.

The document: `version` (recorded with every outcome), `outcomes` from the mildest to the most
severe, `default` (the outcome and reason when no rule holds), named `lists` of choice names or
country codes, and `rules`, each a `reason` code, an `outcome`, its conditions under `all` or
`any`, and its `text` (English, required, and Chinese; other languages fall back to English).
A condition reads one value:

- `{"answer": name, "is": value}` / `{"answer": name, "any_in": list}`: an answer (a
  select_multiple answer holds when any of its choices is in the list);
- `{"computed": name, "is": value}`: a calculation of the form (has_fever, has_symptoms);
- `{"fact": "origin", "in": list}`: a fact of the flight (origin, flight_number).

The outcome is the most severe of the rules that hold, the reasons every rule that holds, in
the document's order. An officer may decide otherwise, with a reason (clearance).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from enforcement.documents import DocumentError, strict_loads
from enforcement.remote_survey.consistency import FlightFacts

RULES_PATH = Path(__file__).with_name("decision_rules.json")
FALLBACK_LANGUAGE = "en"
_FACTS = frozenset({"origin", "flight_number"})


@dataclass(frozen=True)
class Decision:
    outcome: str
    reasons: tuple[str, ...]
    rule_version: str


@dataclass(frozen=True)
class Condition:
    source: str  # answer | computed | fact
    name: str
    equals: str | None  # `is`
    within: frozenset[str] | None  # `any_in` / `in`

    def holds(
        self, answers: Mapping[str, Any], computed: Mapping[str, Any], facts: FlightFacts | None
    ) -> bool:
        if self.source == "fact":
            value: Any = getattr(facts, self.name) if facts is not None else None
        elif self.source == "computed":
            value = computed.get(self.name, answers.get(self.name))
        else:
            value = answers.get(self.name)
        if self.equals is not None:
            return isinstance(value, str) and value == self.equals
        assert self.within is not None
        if isinstance(value, str):
            values = value.split() if self.source != "fact" else [value]
        elif isinstance(value, list):
            values = [item for item in value if isinstance(item, str)]
        else:
            return False
        return any(item in self.within for item in values)


@dataclass(frozen=True)
class DecisionRule:
    reason: str
    outcome: str
    conditions: tuple[Condition, ...]
    every: bool  # all (True) or any (False)
    text: Mapping[str, str]

    def holds(
        self, answers: Mapping[str, Any], computed: Mapping[str, Any], facts: FlightFacts | None
    ) -> bool:
        results = (condition.holds(answers, computed, facts) for condition in self.conditions)
        return all(results) if self.every else any(results)


@dataclass(frozen=True)
class DecisionRules:
    version: str
    outcomes: tuple[str, ...]  # mildest first
    default_outcome: str
    default_reason: str
    rules: tuple[DecisionRule, ...]
    texts: Mapping[str, Mapping[str, str]]  # reason → {lang: text}

    def severity(self, outcome: str) -> int:
        return self.outcomes.index(outcome)


def parse_rules(document: Any) -> DecisionRules:
    """The rules from their JSON document; DocumentError names what is wrong."""
    if not isinstance(document, Mapping):
        raise DocumentError("decision rules: a JSON object expected")
    version, outcomes = document.get("version"), document.get("outcomes")
    if not isinstance(version, str) or not version.strip():
        raise DocumentError("decision rules: `version` must be a non-empty string")
    if (
        not isinstance(outcomes, list)
        or not outcomes
        or not all(isinstance(o, str) for o in outcomes)
        or len(set(outcomes)) != len(outcomes)
    ):
        raise DocumentError("decision rules: `outcomes` must list distinct outcome names")
    lists = document.get("lists") or {}
    if not isinstance(lists, Mapping) or not all(
        isinstance(items, list) and all(isinstance(i, str) for i in items)
        for items in lists.values()
    ):
        raise DocumentError("decision rules: `lists` must map names to lists of strings")
    default = document.get("default")
    if not isinstance(default, Mapping) or default.get("outcome") not in outcomes:
        raise DocumentError("decision rules: `default` must name one of the outcomes")
    default_reason = _name(default.get("reason"), "default.reason")
    texts: dict[str, Mapping[str, str]] = {default_reason: _texts(default.get("text"), "default")}
    rules = []
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise DocumentError("decision rules: `rules` must be a non-empty list")
    for index, raw in enumerate(raw_rules):
        rule = _rule(raw, f"rules[{index}]", outcomes, lists)
        if rule.reason in texts:
            raise DocumentError(f"rules[{index}]: reason {rule.reason!r} appears twice")
        texts[rule.reason] = rule.text
        rules.append(rule)
    return DecisionRules(
        version, tuple(outcomes), str(default["outcome"]), default_reason, tuple(rules), texts
    )


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DocumentError(f"decision rules: {where} must be a non-empty string")
    return value


def _texts(value: Any, where: str) -> dict[str, str]:
    if (
        not isinstance(value, Mapping)
        or FALLBACK_LANGUAGE not in value
        or not all(isinstance(t, str) and t.strip() for t in value.values())
    ):
        raise DocumentError(f"decision rules: {where}.text needs an English text")
    return {str(lang).lower(): text for lang, text in value.items()}


def _rule(
    raw: Any, where: str, outcomes: list[str], lists: Mapping[str, list[str]]
) -> DecisionRule:
    if not isinstance(raw, Mapping):
        raise DocumentError(f"{where}: a JSON object expected")
    reason = _name(raw.get("reason"), f"{where}.reason")
    if raw.get("outcome") not in outcomes:
        raise DocumentError(f"{where} ({reason}): unknown outcome {raw.get('outcome')!r}")
    if ("all" in raw) == ("any" in raw):
        raise DocumentError(f"{where} ({reason}): give its conditions as `all` or as `any`")
    every = "all" in raw
    raw_conditions = raw["all" if every else "any"]
    if not isinstance(raw_conditions, list) or not raw_conditions:
        raise DocumentError(f"{where} ({reason}): at least one condition")
    conditions = tuple(
        _condition(c, f"{where} ({reason}) condition {n}", lists)
        for n, c in enumerate(raw_conditions)
    )
    return DecisionRule(
        reason, str(raw["outcome"]), conditions, every, _texts(raw.get("text"), where)
    )


def _condition(raw: Any, where: str, lists: Mapping[str, list[str]]) -> Condition:
    if not isinstance(raw, Mapping):
        raise DocumentError(f"{where}: a JSON object expected")
    sources = [key for key in ("answer", "computed", "fact") if key in raw]
    tests = [key for key in ("is", "any_in", "in") if key in raw]
    if len(sources) != 1 or len(tests) != 1 or len(raw) != 2:
        raise DocumentError(f"{where}: one of answer/computed/fact and one of is/any_in/in")
    source, test = sources[0], tests[0]
    name = _name(raw[source], where)
    if source == "fact" and name not in _FACTS:
        raise DocumentError(f"{where}: facts are {sorted(_FACTS)}")
    if test == "is":
        return Condition(source, name, _name(raw["is"], where), None)
    list_name = raw[test]
    if list_name not in lists:
        raise DocumentError(f"{where}: no list named {list_name!r}")
    return Condition(source, name, None, frozenset(lists[list_name]))


@cache
def shipped_rules() -> DecisionRules:
    """The rules shipped with the code (read once per process)."""
    return parse_rules(strict_loads(RULES_PATH.read_bytes()))


def decide(
    answers: Mapping[str, Any],
    computed: Mapping[str, Any],
    facts: FlightFacts | None,
    *,
    rules: DecisionRules | None = None,
) -> Decision:
    """The outcome for a declaration's answers (as `forms.check` keeps them), the form's
    calculations (`computed`: has_fever, has_symptoms; looked up in the answers too) and the
    flight's facts (None: no flight on record, fact conditions do not hold)."""
    model = rules or shipped_rules()
    held = [rule for rule in model.rules if rule.holds(answers, computed, facts)]
    if not held:
        return Decision(model.default_outcome, (model.default_reason,), model.version)
    outcome = max((rule.outcome for rule in held), key=model.severity)
    return Decision(outcome, tuple(rule.reason for rule in held), model.version)


def reason_text(reason: str, lang: str, *, rules: DecisionRules | None = None) -> str:
    """A reason code in words: the language's text, else English; an unknown code as is (a
    reason of an older rule version)."""
    texts = (rules or shipped_rules()).texts.get(reason)
    if texts is None:
        return reason
    return texts.get(lang.lower()) or texts[FALLBACK_LANGUAGE]
