"""CloudFormation's intrinsic functions (Ref, Fn::Sub, Fn::GetAtt, Fn::If, ...) and conditions,
resolved against a stack's parameters and the resources created so far; and the order of
creation their references impose.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from infra.local.template import StackContext, TemplateError

_NO_VALUE = object()
_SUB_NAME = re.compile(r"\$\{([^}]+)\}")


class Intrinsics:
    """Resolves CloudFormation intrinsic functions against parameters and created resources."""

    def __init__(self, ctx: StackContext, parameters: Mapping[str, Any], cfn: Mapping[str, Any]):
        self._values: dict[str, Any] = {**ctx.pseudo_parameters(), **parameters}
        self._conditions: Mapping[str, Any] = cfn.get("Conditions") or {}
        self._condition_cache: dict[str, bool] = {}
        self._mappings: Mapping[str, Any] = cfn.get("Mappings") or {}
        self.refs: dict[str, Any] = {}
        self.attrs: dict[str, dict[str, Any]] = {}
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::If": self._if,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
            "Fn::Base64": self._base64,
        }

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic function replaced by its value."""
        resolved = self._resolve(value)
        return None if resolved is _NO_VALUE else resolved

    def condition(self, name: str | None) -> bool:
        """Whether a named condition holds (no name: always)."""
        if name is None:
            return True
        if name not in self._condition_cache:
            if name not in self._conditions:
                raise TemplateError(f"unknown condition {name}")
            self._condition_cache[name] = self._truth(self._conditions[name])
        return self._condition_cache[name]

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = (self._resolve(item) for item in value)
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key in self._functions:
                return self._functions[key](argument)
            if key.startswith("Fn::"):
                raise TemplateError(f"intrinsic {key} is not supported locally")
        pairs = ((key, self._resolve(item)) for key, item in value.items())
        return {key: item for key, item in pairs if item is not _NO_VALUE}

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.refs:
            return self.refs[name]
        if name in self._values:
            return self._values[name]
        raise TemplateError(f"Ref {name}: no such parameter or created resource")

    def _get_att(self, argument: Any) -> Any:
        logical_id, attribute = (
            argument.split(".", 1) if isinstance(argument, str) else self._resolve(argument)
        )
        try:
            return self.attrs[logical_id][attribute]
        except KeyError:
            raise TemplateError(f"GetAtt {logical_id}.{attribute} is not available") from None

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, str):
            text, variables = argument, {}
        else:
            text, variables = argument[0], self._resolve(argument[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self._get_att(name))
            return str(self._ref(name))

        return _SUB_NAME.sub(replace, text)

    def _join(self, argument: list[Any]) -> str:
        separator, items = argument
        return str(separator).join(str(item) for item in self._resolve(items))

    def _if(self, argument: list[Any]) -> Any:
        name, when_true, when_false = argument
        return self._resolve(when_true if self.condition(name) else when_false)

    def _select(self, argument: list[Any]) -> Any:
        index, items = self._resolve(argument)
        return items[int(index)]

    def _split(self, argument: list[Any]) -> list[str]:
        separator, text = self._resolve(argument)
        return str(text).split(separator)

    def _find_in_map(self, argument: list[Any]) -> Any:
        mapping, top, second = self._resolve(argument)
        return self._mappings[mapping][top][second]

    def _base64(self, argument: Any) -> str:
        import base64

        return base64.b64encode(str(self._resolve(argument)).encode()).decode()

    def _truth(self, expression: Any) -> bool:
        if not isinstance(expression, dict) or len(expression) != 1:
            raise TemplateError(f"not a condition: {expression!r}")
        ((key, argument),) = expression.items()
        if key == "Condition":
            return self.condition(argument)
        if key == "Fn::Equals":
            left, right = self._resolve(argument)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self._truth(argument[0])
        if key == "Fn::And":
            return all(self._truth(item) for item in argument)
        if key == "Fn::Or":
            return any(self._truth(item) for item in argument)
        raise TemplateError(f"condition function {key} is not supported")


def references(value: Any) -> set[str]:
    """Every name a value refers to through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Ref" and isinstance(argument, str):
                found.add(argument)
            elif key == "Fn::GetAtt":
                target = argument.split(".")[0] if isinstance(argument, str) else argument[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = argument if isinstance(argument, str) else argument[0]
                local = set() if isinstance(argument, str) else set(argument[1])
                names = {name.split(".")[0] for name in _SUB_NAME.findall(text)}
                found |= {name for name in names if not name.startswith("!")} - local
                if not isinstance(argument, str):
                    found |= references(argument[1])
            else:
                found |= references(argument)
    return found


def creation_order(resources: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Logical ids so that every resource comes after those it refers to (template order kept)."""
    depends: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        explicit = resource.get("DependsOn") or []
        explicit = [explicit] if isinstance(explicit, str) else list(explicit)
        names = references(resource.get("Properties") or {}) | set(explicit)
        depends[logical_id] = {name for name in names if name in resources}
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(resources):
        ready = [lid for lid in resources if lid not in done and depends[lid] <= done]
        if not ready:
            stuck = sorted(set(resources) - done)
            raise TemplateError(f"circular references between {', '.join(stuck)}")
        order.extend(ready)
        done.update(ready)
    return order
