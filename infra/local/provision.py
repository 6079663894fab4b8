"""The resources of template.yaml, created in moto from the template itself.

The SAM template is transformed to CloudFormation offline with aws-sam-translator, then every
resource is created in dependency order with boto3, intrinsic functions resolved here. There is
no second list of tables or functions to keep in step: adding a resource to the template adds it
to the local stack, and a resource type this module does not know stops the start-up.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.lambdas import FunctionSpec

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
#: moto's default account.
ACCOUNT_ID = "123456789012"

ClientFactory = Callable[[str], Any]


class TemplateError(Exception):
    """The template cannot be run locally as it is."""


class UnsupportedResourceType(TemplateError):
    """The template has a resource type the local stack neither creates nor knowingly skips."""


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


# ---------------------------------------------------------------------------------- intrinsics

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


# ---------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ScheduleTarget:
    arn: str
    input: str | None


@dataclass(frozen=True)
class Schedule:
    """An EventBridge schedule rule; moto never fires it, `LocalStack.fire_schedule` does."""

    logical_id: str
    name: str
    arn: str
    expression: str
    targets: tuple[ScheduleTarget, ...]


@dataclass(frozen=True)
class Created:
    ref: Any
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Provisioned:
    """Everything created, by logical id, and what running the functions needs."""

    intrinsics: Intrinsics
    resources: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    environments: dict[str, dict[str, str]] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)


#: Types with nothing to create locally, and why.
SKIPPED_TYPES: dict[str, str] = {
    "AWS::ApiGateway::RestApi": "served by the local API gateway",
    "AWS::ApiGateway::Deployment": "served by the local API gateway",
    "AWS::ApiGateway::Stage": "served by the local API gateway",
    "AWS::ApiGateway::Account": "served by the local API gateway",
    "AWS::Lambda::Permission": "moto does not check invoke permissions",
    "AWS::Lambda::LayerVersion": "layer code is on sys.path of the local process",
}


def check_supported(resources: Mapping[str, Mapping[str, Any]]) -> None:
    """Fail before creating anything if a resource type is neither created nor skipped."""
    unknown = {
        logical_id: resource.get("Type")
        for logical_id, resource in resources.items()
        if resource.get("Type") not in SKIPPED_TYPES and resource.get("Type") not in _CREATORS
    }
    if unknown:
        listed = ", ".join(f"{lid} ({kind})" for lid, kind in sorted(unknown.items()))
        raise UnsupportedResourceType(f"no local implementation for: {listed}")


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


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _dummy_zip(module: str, code_dir: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        note = f"# Runs in the local stack's process from {code_dir}\n"
        archive.writestr(module.replace(".", "/") + ".py", note)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------- provisioner


class Provisioner:
    """Creates a transformed template's resources in moto, in dependency order."""

    def __init__(self, template: Template, ctx: StackContext, client: ClientFactory) -> None:
        self.template = template
        self.ctx = ctx
        self._client_factory = client
        self._clients: dict[str, Any] = {}
        self.result = Provisioned(Intrinsics(ctx, template.parameters, template.cfn))

    def run(self) -> Provisioned:
        resources = self.template.resources
        check_supported(resources)
        intrinsics = self.result.intrinsics
        for logical_id in creation_order(resources):
            resource = resources[logical_id]
            if not intrinsics.condition(resource.get("Condition")):
                continue
            kind = resource["Type"]
            if kind in SKIPPED_TYPES:
                created = self._skip(logical_id, kind)
                self.result.skipped[logical_id] = SKIPPED_TYPES[kind]
            else:
                created = _CREATORS[kind](self, logical_id, resource.get("Properties") or {})
                self.result.resources[logical_id] = created.ref
            intrinsics.refs[logical_id] = created.ref
            intrinsics.attrs[logical_id] = created.attrs
        return self.result

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._client_factory(service)
        return self._clients[service]

    def resolve(self, value: Any) -> Any:
        return self.result.intrinsics.resolve(value)

    def _skip(self, logical_id: str, kind: str) -> Created:
        if kind == "AWS::ApiGateway::RestApi":
            api_id = hashlib.sha256(f"{self.ctx.stack_name}/{logical_id}".encode()).hexdigest()
            return Created(api_id[:10], {"RootResourceId": api_id[10:20]})
        return Created(self.ctx.physical_name(logical_id, 64))

    # ---------------------------------------------------------------------- DynamoDB
    def create_table(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        props = self.resolve(props)
        name = props.get("TableName") or self.ctx.physical_name(logical_id, 255)
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if "ProvisionedThroughput" in props:
            request["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        index_keys = {"IndexName", "KeySchema", "Projection", "ProvisionedThroughput"}
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(kind):
                request[kind] = [
                    {k: v for k, v in i.items() if k in index_keys} for i in props[kind]
                ]
        stream = props.get("StreamSpecification")
        if stream:
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        dynamodb = self.client("dynamodb")
        table = dynamodb.create_table(**request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        attrs = {"Arn": table["TableArn"]}
        if table.get("LatestStreamArn"):
            attrs["StreamArn"] = table["LatestStreamArn"]
        return Created(name, attrs)

    # ---------------------------------------------------------------------- S3
    def create_bucket(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        name = self.resolve(props.get("BucketName")) or self.ctx.physical_name(
            logical_id, 63, lowercase=True
        )
        s3 = self.client("s3")
        request: dict[str, Any] = {"Bucket": name}
        if self.ctx.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": self.ctx.region}
        lock = self.resolve(props.get("ObjectLockConfiguration")) or {}
        if str(self.resolve(props.get("ObjectLockEnabled"))).lower() == "true" or lock:
            request["ObjectLockEnabledForBucket"] = True  # also turns versioning on
        s3.create_bucket(**request)
        versioning = self.resolve(props.get("VersioningConfiguration"))
        if versioning:
            s3.put_bucket_versioning(
                Bucket=name, VersioningConfiguration={"Status": versioning["Status"]}
            )
        if lock.get("Rule"):
            retention = dict(lock["Rule"].get("DefaultRetention") or {})
            for unit in ("Days", "Years"):  # parameters resolve to text; S3 wants integers
                if unit in retention:
                    retention[unit] = int(retention[unit])
            s3.put_object_lock_configuration(
                Bucket=name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {**lock["Rule"], "DefaultRetention": retention},
                },
            )
        notifications = self.resolve(props.get("NotificationConfiguration"))
        if notifications:
            s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration=_s3_notifications(notifications)
            )
        suffix = self.ctx.url_suffix
        return Created(
            name,
            {
                "Arn": f"arn:{self.ctx.partition}:s3:::{name}",
                "DomainName": f"{name}.s3.{suffix}",
                "RegionalDomainName": f"{name}.s3.{self.ctx.region}.{suffix}",
            },
        )

    # ---------------------------------------------------------------------- SNS
    def create_topic(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        props = self.resolve(props)
        fifo = str(props.get("FifoTopic", "false")).lower() == "true"
        default = self.ctx.physical_name(logical_id, 251 if fifo else 256)
        name = props.get("TopicName") or (f"{default}.fifo" if fifo else default)
        attributes = {
            key: _env_value(props[key])
            for key in ("DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId")
            if key in props
        }
        sns = self.client("sns")
        arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        for subscription in props.get("Subscription") or []:
            sns.subscribe(
                TopicArn=arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"]
            )
        return Created(arn, {"TopicArn": arn, "TopicName": name})

    # ---------------------------------------------------------------------- Secrets Manager
    def create_secret(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        props = self.resolve(props)
        name = props.get("Name") or self.ctx.physical_name(logical_id, 128)
        secret = props.get("SecretString")
        if secret is None:
            secret = self._generated_secret(props.get("GenerateSecretString") or {})
        request = {"Name": name, "SecretString": secret}
        if props.get("Description"):
            request["Description"] = props["Description"]
        arn = self.client("secretsmanager").create_secret(**request)["ARN"]
        return Created(arn, {"Id": arn})

    def _generated_secret(self, spec: Mapping[str, Any]) -> str:
        """What `GenerateSecretString` makes: a random password, inside the template if given."""
        options = (
            "PasswordLength",
            "ExcludeCharacters",
            "ExcludeNumbers",
            "ExcludePunctuation",
            "ExcludeUppercase",
            "ExcludeLowercase",
            "IncludeSpace",
            "RequireEachIncludedType",
        )
        request = {key: spec[key] for key in options if key in spec}
        for key, value in request.items():
            if key != "ExcludeCharacters" and key != "PasswordLength":
                request[key] = str(value).lower() == "true"
        if "PasswordLength" in request:
            request["PasswordLength"] = int(request["PasswordLength"])
        password = self.client("secretsmanager").get_random_password(**request)["RandomPassword"]
        template = spec.get("SecretStringTemplate")
        if template is None:
            return str(password)
        generated_key = spec.get("GenerateStringKey")
        if not generated_key:
            raise TemplateError("GenerateSecretString with a template needs GenerateStringKey")
        document = json.loads(template)
        document[generated_key] = password
        return json.dumps(document)

    # ---------------------------------------------------------------------- IAM
    def create_role(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        """The role and its inline policies (managed policy ARNs are not attached: moto only
        knows the `aws` partition's managed policies, and nothing enforces them locally)."""
        name = self.resolve(props.get("RoleName")) or self.ctx.physical_name(logical_id, 64)
        iam = self.client("iam")
        role = iam.create_role(
            RoleName=name,
            Path=self.resolve(props.get("Path")) or "/",
            AssumeRolePolicyDocument=json.dumps(self.resolve(props["AssumeRolePolicyDocument"])),
        )["Role"]
        for policy in self.resolve(props.get("Policies")) or []:
            # IAM takes documents without a Version (SAM's policy templates have none); moto
            # rejects them, so the current version is filled in.
            document = {"Version": "2012-10-17", **policy["PolicyDocument"]}
            iam.put_role_policy(
                RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(document)
            )
        return Created(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    # ---------------------------------------------------------------------- Lambda
    def create_function(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        code = self.template.code
        if logical_id not in code.function_dirs:
            raise TemplateError(f"{logical_id}: no local code folder (define it with SAM)")
        name = self.resolve(props.get("FunctionName")) or self.ctx.physical_name(logical_id, 64)
        variables = self.resolve((props.get("Environment") or {}).get("Variables")) or {}
        environment = {key: _env_value(value) for key, value in variables.items()}
        memory, timeout = int(props.get("MemorySize", 128)), int(props.get("Timeout", 3))
        request: dict[str, Any] = {
            "FunctionName": name,
            "Role": self.resolve(props["Role"]),
            "Description": self.resolve(props.get("Description")) or "",
            "MemorySize": memory,
            "Timeout": timeout,
            "Environment": {"Variables": environment},
            "PackageType": props.get("PackageType", "Zip"),
        }
        module, handler = code.function_handlers[logical_id].rsplit(".", 1)
        if request["PackageType"] == "Image":
            request["Code"] = {"ImageUri": self.resolve(props["Code"]["ImageUri"])}
        else:
            request["Runtime"] = props.get("Runtime")
            request["Handler"] = props.get("Handler")
            request["Code"] = {"ZipFile": _dummy_zip(module, code.function_dirs[logical_id])}
        arn = self.client("lambda").create_function(**request)["FunctionArn"]
        self.result.functions[logical_id] = FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=arn,
            code_dir=code.function_dirs[logical_id],
            module=module,
            handler=handler,
            memory_mb=memory,
            timeout_s=timeout,
        )
        self.result.environments[logical_id] = environment
        return Created(name, {"Arn": arn})

    # ---------------------------------------------------------------------- Step Functions
    def create_state_machine(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        name = self.resolve(props.get("StateMachineName")) or self.ctx.physical_name(logical_id, 80)
        definition = self._definition_text(logical_id, props)
        substitutions = self.resolve(props.get("DefinitionSubstitutions")) or {}
        for key, value in substitutions.items():
            definition = definition.replace("${" + key + "}", str(value))
        try:
            json.loads(definition)
        except json.JSONDecodeError as exc:
            raise TemplateError(f"{logical_id}: definition is not JSON: {exc}") from exc
        arn = self.client("stepfunctions").create_state_machine(
            name=name,
            definition=definition,
            roleArn=self.resolve(props["RoleArn"]),
            type=props.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        return Created(arn, {"Arn": arn, "Name": name})

    def _definition_text(self, logical_id: str, props: Mapping[str, Any]) -> str:
        if "DefinitionS3Location" in props:
            path = self.template.code.definitions.get(logical_id)
            if path is None:
                raise TemplateError(f"{logical_id}: definition is in S3, not in a local file")
            return path.read_text()
        if "Definition" in props:
            return json.dumps(props["Definition"])
        if "DefinitionString" in props:
            return str(self.resolve(props["DefinitionString"]))
        raise TemplateError(f"{logical_id}: no definition")

    # ---------------------------------------------------------------------- EventBridge
    def create_rule(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        props = self.resolve(props)
        name = props.get("Name") or self.ctx.physical_name(logical_id, 64)
        request: dict[str, Any] = {"Name": name, "State": props.get("State", "ENABLED")}
        for key in ("Description", "ScheduleExpression", "EventBusName"):
            if key in props:
                request[key] = props[key]
        if "EventPattern" in props:
            request["EventPattern"] = json.dumps(props["EventPattern"])
        events = self.client("events")
        arn = events.put_rule(**request)["RuleArn"]
        targets = [
            {"Id": t["Id"], "Arn": t["Arn"], **({"Input": t["Input"]} if "Input" in t else {})}
            for t in props.get("Targets") or []
        ]
        if targets:
            events.put_targets(Rule=name, Targets=targets)
        if "ScheduleExpression" in props:
            self.result.schedules[logical_id] = Schedule(
                logical_id=logical_id,
                name=name,
                arn=arn,
                expression=props["ScheduleExpression"],
                targets=tuple(ScheduleTarget(t["Arn"], t.get("Input")) for t in targets),
            )
        return Created(name, {"Arn": arn})


def _s3_notifications(config: Mapping[str, Any]) -> dict[str, Any]:
    """CloudFormation's NotificationConfiguration in the shape of the S3 API."""

    def key_filter(item: Mapping[str, Any]) -> dict[str, Any]:
        rules = ((item.get("Filter") or {}).get("S3Key") or {}).get("Rules")
        return {"Filter": {"Key": {"FilterRules": rules}}} if rules else {}

    shapes = (
        ("LambdaConfigurations", "LambdaFunctionConfigurations", "Function", "LambdaFunctionArn"),
        ("QueueConfigurations", "QueueConfigurations", "Queue", "QueueArn"),
        ("TopicConfigurations", "TopicConfigurations", "Topic", "TopicArn"),
    )
    result: dict[str, Any] = {}
    for cfn_key, api_key, cfn_target, api_target in shapes:
        items = config.get(cfn_key) or []
        if items:
            result[api_key] = [
                {api_target: item[cfn_target], "Events": [item["Event"]], **key_filter(item)}
                for item in items
            ]
    if config.get("EventBridgeConfiguration", {}).get("EventBridgeEnabled"):
        result["EventBridgeConfiguration"] = {}
    return result


_CREATORS: dict[str, Callable[[Provisioner, str, Mapping[str, Any]], Created]] = {
    "AWS::DynamoDB::Table": Provisioner.create_table,
    "AWS::S3::Bucket": Provisioner.create_bucket,
    "AWS::SNS::Topic": Provisioner.create_topic,
    "AWS::SecretsManager::Secret": Provisioner.create_secret,
    "AWS::IAM::Role": Provisioner.create_role,
    "AWS::Lambda::Function": Provisioner.create_function,
    "AWS::StepFunctions::StateMachine": Provisioner.create_state_machine,
    "AWS::Events::Rule": Provisioner.create_rule,
}
