"""The resources of template.yaml, created in moto from the template itself.

The SAM template is transformed to CloudFormation offline with aws-sam-translator
(`infra.local.template`), then every resource is created in dependency order with boto3,
intrinsic functions resolved by `infra.local.intrinsics`. There is no second list of tables or
functions to keep in step: adding a resource to the template adds it to the local stack, and a
resource type this module does not know stops the start-up.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.intrinsics import Intrinsics, creation_order
from infra.local.lambdas import FunctionSpec
from infra.local.template import StackContext, Template, TemplateError

ClientFactory = Callable[[str], Any]


class UnsupportedResourceType(TemplateError):
    """The template has a resource type the local stack neither creates nor knowingly skips."""


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
    #: Provisioned concurrency by qualified function ARN (an alias's or a version's): moto has
    #: no API for it; the local stack initialises those functions before any event instead.
    provisioned_concurrency: dict[str, int] = field(default_factory=dict)


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

    def create_version(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        """A published version: Ref is its (qualified) ARN, GetAtt Version its number."""
        props = self.resolve(props)
        request = {"FunctionName": props["FunctionName"]}
        if props.get("Description"):
            request["Description"] = props["Description"]
        version = self.client("lambda").publish_version(**request)
        arn = version["FunctionArn"]
        self._provision_concurrency(logical_id, version["Version"], arn, props)
        return Created(arn, {"FunctionArn": arn, "Version": version["Version"]})

    def create_alias(self, logical_id: str, props: Mapping[str, Any]) -> Created:
        """An alias of a version: Ref and GetAtt AliasArn are its ARN (`...:function:f:alias`)."""
        props = self.resolve(props)
        request: dict[str, Any] = {
            "FunctionName": props["FunctionName"],
            "Name": props["Name"],
            "FunctionVersion": str(props["FunctionVersion"]),
        }
        if props.get("Description"):
            request["Description"] = props["Description"]
        weights = (props.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
        if weights:
            request["RoutingConfig"] = {
                "AdditionalVersionWeights": {
                    str(w["FunctionVersion"]): float(w["FunctionWeight"]) for w in weights
                }
            }
        arn = self.client("lambda").create_alias(**request)["AliasArn"]
        self._provision_concurrency(logical_id, request["FunctionVersion"], arn, props)
        return Created(arn, {"AliasArn": arn})

    def _provision_concurrency(
        self, logical_id: str, version: str, arn: str, props: Mapping[str, Any]
    ) -> None:
        """Record a ProvisionedConcurrencyConfig, refused where Lambda refuses it."""
        config = props.get("ProvisionedConcurrencyConfig")
        if config is None:
            return
        count = int(config["ProvisionedConcurrentExecutions"])
        if count < 1:  # Lambda refuses 0: no provisioned concurrency is no config at all
            raise TemplateError(f"{logical_id}: ProvisionedConcurrentExecutions {count} < 1")
        if version == "$LATEST":
            raise TemplateError(f"{logical_id}: provisioned concurrency needs a published version")
        self.result.provisioned_concurrency[arn] = count

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
    "AWS::Lambda::Version": Provisioner.create_version,
    "AWS::Lambda::Alias": Provisioner.create_alias,
    "AWS::StepFunctions::StateMachine": Provisioner.create_state_machine,
    "AWS::Events::Rule": Provisioner.create_rule,
}
