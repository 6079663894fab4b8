"""template.yaml read for the local stack: parsed, parameterised and transformed to CloudFormation.

The SAM template is transformed offline with aws-sam-translator, its local code folders and
state machine files kept aside (the transform wants S3 locations in their place). `StackContext`
is the stack's name, region and account: what the pseudo parameters and generated names come
from. Locally all functions share one process, so their environments must agree
(`merge_environments`). Intrinsic functions are resolved by `infra.local.intrinsics`, resources
created by `infra.local.provision`.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
#: moto's default account.
ACCOUNT_ID = "123456789012"


class TemplateError(Exception):
    """The template cannot be run locally as it is."""


class EnvironmentConflict(TemplateError):
    """Two functions give one environment variable different values."""


# ---------------------------------------------------------------------------------- context


@dataclass(frozen=True)
class StackContext:
    """Stack name, region and account: what the pseudo parameters resolve to."""

    stack_name: str
    region: str
    account_id: str = ACCOUNT_ID

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    @property
    def stack_id(self) -> str:
        stack_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.region}/{self.stack_name}")
        return (
            f"arn:{self.partition}:cloudformation:{self.region}:{self.account_id}:"
            f"stack/{self.stack_name}/{stack_uuid}"
        )

    def pseudo_parameters(self) -> dict[str, Any]:
        return {
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::AccountId": self.account_id,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::NotificationARNs": [],
        }

    def physical_name(self, logical_id: str, max_length: int, *, lowercase: bool = False) -> str:
        """A CloudFormation-style generated name: `<stack>-<LogicalId>-<SUFFIX>`.

        The suffix is derived from the stack and logical id, so names are stable across runs but
        still not guessable from the logical id alone (code must read names from the
        environment, as it must in the cloud).
        """
        digest = hashlib.sha256(f"{self.stack_name}/{logical_id}".encode()).hexdigest()
        suffix = digest[:12].upper()
        room = max_length - len(suffix) - 1
        name = f"{f'{self.stack_name}-{logical_id}'[:room]}-{suffix}"
        return name.lower() if lowercase else name


# ---------------------------------------------------------------------------------- template


@dataclass(frozen=True)
class LocalCode:
    """What the transform needs replaced by dummy S3 locations, kept for running locally."""

    function_dirs: dict[str, Path] = field(default_factory=dict)
    function_handlers: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    """The SAM template, its CloudFormation transform, parameter values and local code."""

    path: Path
    sam: dict[str, Any]
    cfn: dict[str, Any]
    parameters: dict[str, Any]
    code: LocalCode

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.cfn["Resources"]  # type: ignore[no-any-return]


def load_template(path: Path, overrides: Mapping[str, Any], region: str) -> Template:
    """Parse, parameterise and transform a SAM template (offline, no AWS call)."""
    from samtranslator.yaml_helper import yaml_parse

    sam = yaml_parse(path.read_text())
    if not isinstance(sam, dict) or not isinstance(sam.get("Resources"), dict):
        raise TemplateError(f"{path} has no Resources")
    parameters = resolve_parameters(sam, overrides)
    work = copy.deepcopy(sam)
    code = _detach_local_code(work, path.parent)
    cfn = _translate(work, parameters, region)
    return Template(path, sam, cfn, parameters, code)


def resolve_parameters(sam: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter values: the override if given, else the default, checked like CloudFormation."""
    declared: dict[str, Any] = sam.get("Parameters") or {}
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise TemplateError(f"unknown template parameters: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in overrides:
            raw = overrides[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            raise TemplateError(f"parameter {name} has no default; pass a value")
        value = str(raw)
        _check_parameter(name, spec, value)
        kind = str(spec.get("Type", "String"))
        is_list = kind == "CommaDelimitedList" or kind.startswith("List<")
        values[name] = [item.strip() for item in value.split(",")] if is_list else value
    return values


def _check_parameter(name: str, spec: Mapping[str, Any], value: str) -> None:
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [str(item) for item in allowed]:
        raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(pattern, value):
        raise TemplateError(f"parameter {name}={value!r} does not match {pattern}")
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            raise TemplateError(f"parameter {name}={value!r} is not a number") from None
        if "MinValue" in spec and number < float(spec["MinValue"]):
            raise TemplateError(f"parameter {name}={value} is below {spec['MinValue']}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            raise TemplateError(f"parameter {name}={value} is above {spec['MaxValue']}")


def _detach_local_code(sam: dict[str, Any], base: Path) -> LocalCode:
    """Record local code folders and ASL files, and put dummy S3 locations in their place."""
    code = LocalCode()
    function_globals = (sam.get("Globals") or {}).get("Function") or {}
    for logical_id, resource in sam["Resources"].items():
        kind = resource.get("Type")
        props = resource.setdefault("Properties", {})
        if kind == "AWS::Serverless::Function":
            _detach_function(logical_id, resource, function_globals, base, code)
        elif kind == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = f"s3://local-code/{logical_id}.zip"
        elif kind == "AWS::Serverless::StateMachine" and isinstance(
            props.get("DefinitionUri"), str
        ):
            code.definitions[logical_id] = base / props["DefinitionUri"]
            props["DefinitionUri"] = f"s3://local-code/{logical_id}.asl.json"
    return code


def _detach_function(
    logical_id: str,
    resource: dict[str, Any],
    function_globals: Mapping[str, Any],
    base: Path,
    code: LocalCode,
) -> None:
    props = resource["Properties"]
    package_type = props.get("PackageType", function_globals.get("PackageType", "Zip"))
    if package_type == "Image":
        folder = (resource.get("Metadata") or {}).get("LocalCodeUri")
        command = (props.get("ImageConfig") or {}).get("Command") or []
        if not folder or not command:
            raise TemplateError(
                f"{logical_id}: an Image function needs Metadata.LocalCodeUri and "
                "ImageConfig.Command to run locally"
            )
        handler = str(command[0])
        props.setdefault("ImageUri", f"local.invalid/{logical_id.lower()}:latest")
    else:
        folder = props.get("CodeUri", function_globals.get("CodeUri"))
        handler = props.get("Handler", function_globals.get("Handler"))
        if not isinstance(folder, str) or folder.startswith("s3://") or not handler:
            raise TemplateError(f"{logical_id}: needs a local CodeUri folder and a Handler")
        props["CodeUri"] = f"s3://local-code/{logical_id}.zip"
    code.function_dirs[logical_id] = (base / folder).resolve()
    code.function_handlers[logical_id] = handler


@contextlib.contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _translate(sam: dict[str, Any], parameters: Mapping[str, Any], region: str) -> dict[str, Any]:
    """SAM to CloudFormation with aws-sam-translator, offline (no managed-policy lookups)."""
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    try:
        with _quiet_logger("samtranslator"):
            cfn: dict[str, Any] = translator.translate(
                sam, parameter_values=dict(parameters), get_managed_policy_map=lambda: {}
            )
            translator.metrics.publish()  # to the dummy publisher; else it warns when collected
            return cfn
    except InvalidDocumentException as exc:
        causes = "; ".join(cause.message for cause in exc.causes)
        raise TemplateError(f"SAM transform failed: {causes}") from exc


# ---------------------------------------------------------------------------------- environment


def merge_environments(per_function: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """One environment for all functions; a name with two values in two functions is an error."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    conflicts: list[str] = []
    for function, environment in per_function.items():
        for name, value in environment.items():
            if name not in merged:
                merged[name], owner[name] = value, function
            elif merged[name] != value:
                conflicts.append(
                    f"{name} is {merged[name]!r} in {owner[name]} but {value!r} in {function}"
                )
    if conflicts:
        raise EnvironmentConflict(
            "functions disagree on environment variables: " + "; ".join(conflicts)
        )
    return merged
