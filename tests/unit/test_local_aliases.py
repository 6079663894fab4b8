"""The local stack runs a function published behind an alias (SAM's AutoPublishAlias) as
CloudFormation and Lambda would: AWS::Lambda::Version and AWS::Lambda::Alias resolve to their
ARNs, a ProvisionedConcurrencyConfig is kept only where Lambda takes it, and an S3 notification
or an invoke addressed to the alias or to a version reaches the function's handler, whose context
names the ARN called and the version run. A small template against moto in this process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import s3_events
from infra.local.intrinsics import Intrinsics
from infra.local.lambdas import Invocation, LambdaRuntime
from infra.local.provision import Provisioned, Provisioner
from infra.local.template import TEMPLATE_PATH, StackContext, TemplateError, load_template

REGION = "cn-north-1"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  SearchProvisionedConcurrency: {Type: Number, Default: 0, MinValue: 0}
Conditions:
  SearchProvisioned: !Not [!Equals [!Ref SearchProvisionedConcurrency, "0"]]
Resources:
  Photos:
    Type: AWS::S3::Bucket
  Search:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig: !If
        - SearchProvisioned
        - ProvisionedConcurrentExecutions: !Ref SearchProvisionedConcurrency
        - !Ref AWS::NoValue
      Events:
        Photo:
          Type: S3
          Properties: {Bucket: !Ref Photos, Events: "s3:ObjectCreated:*"}
"""

HANDLER = """\
def handler(event, context):
    records = event.get("Records") or [{}]
    return {
        "arn": context.invoked_function_arn,
        "version": context.function_version,
        "key": records[0].get("s3", {}).get("object", {}).get("key"),
    }
"""


def _template(tmp_path: Path, text: str = TEMPLATE) -> Path:
    (tmp_path / "fn").mkdir(exist_ok=True)
    (tmp_path / "fn" / "app.py").write_text(HANDLER)
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return path


def _provision(path: Path, **parameters: str) -> Provisioned:
    template = load_template(path, parameters, REGION)
    # a name of its own: the module's stack may be in moto's backends beside it
    context = StackContext(f"aliases-{uuid.uuid4().hex[:8]}", REGION)
    return Provisioner(template, context, lambda s: boto3.client(s, region_name=REGION)).run()


@contextmanager
def _moto() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(name, "testing")
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            yield


@pytest.fixture
def aws() -> Iterator[None]:
    with _moto():
        yield


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Provisioned, list[Invocation]]]:
    """The small template provisioned in moto once for the tests that only read and invoke, its
    handler run by the local runtime."""
    with _moto():
        yield from _running(tmp_path_factory.mktemp("aliases"))


def _running(folder: Path) -> Iterator[tuple[Provisioned, list[Invocation]]]:
    provisioned = _provision(_template(folder))
    invocations: list[Invocation] = []
    runtime = LambdaRuntime(provisioned.functions, invocations)
    runtime.install()
    s3_events.install()
    try:
        yield provisioned, invocations
    finally:
        s3_events.uninstall()
        runtime.uninstall()


def _lids(provisioned: Provisioned, kind_prefix: str) -> str:
    [lid] = [lid for lid in provisioned.resources if lid.startswith(f"Search{kind_prefix}")]
    return lid


def test_version_and_alias_resolve_to_what_cloudformation_gives(
    running: tuple[Provisioned, list[Invocation]],
) -> None:
    provisioned, _ = running
    function_arn = provisioned.functions["Search"].arn
    version_lid, alias_lid = _lids(provisioned, "Version"), _lids(provisioned, "Alias")
    assert alias_lid == "SearchAliaslive"
    resolve = provisioned.intrinsics.resolve
    assert resolve({"Ref": version_lid}) == f"{function_arn}:1"
    assert resolve({"Fn::GetAtt": [version_lid, "Version"]}) == "1"
    assert resolve({"Fn::GetAtt": [version_lid, "FunctionArn"]}) == f"{function_arn}:1"
    assert resolve({"Ref": alias_lid}) == f"{function_arn}:live"
    assert resolve({"Fn::GetAtt": [alias_lid, "AliasArn"]}) == f"{function_arn}:live"
    lam = boto3.client("lambda", region_name=REGION)
    alias = lam.get_alias(FunctionName=provisioned.resources["Search"], Name="live")
    assert alias["FunctionVersion"] == "1"
    # the default 0 leaves no ProvisionedConcurrencyConfig (Lambda would refuse a 0)
    assert provisioned.provisioned_concurrency == {}


def test_s3_notifies_the_alias_and_its_handler_runs(
    running: tuple[Provisioned, list[Invocation]],
) -> None:
    provisioned, invocations = running
    alias_arn = f"{provisioned.functions['Search'].arn}:live"
    s3 = boto3.client("s3", region_name=REGION)
    bucket = provisioned.resources["Photos"]
    notified = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert [c["LambdaFunctionArn"] for c in notified["LambdaFunctionConfigurations"]] == [alias_arn]
    since = len(invocations)
    s3.put_object(Bucket=bucket, Key="faces/driver.jpg", Body=b"photo")
    [call] = invocations[since:]
    assert (call.function, call.event_source, call.error) == ("Search", "s3", None)
    assert call.result == {"arn": alias_arn, "version": "1", "key": "faces/driver.jpg"}


@pytest.mark.parametrize(
    ("address", "qualifier", "called", "version"),
    [
        ("{arn}:live", None, "{arn}:live", "1"),
        ("{arn}:1", None, "{arn}:1", "1"),
        ("{name}", "live", "{arn}:live", "1"),
        ("{name}:live", None, "{arn}:live", "1"),
        ("{name}", None, "{arn}", "$LATEST"),
    ],
)
def test_invokes_of_a_qualified_arn_or_an_alias_reach_the_handler(
    running: tuple[Provisioned, list[Invocation]],
    address: str,
    qualifier: str | None,
    called: str,
    version: str,
) -> None:
    provisioned, invocations = running
    spec = provisioned.functions["Search"]
    names = {"arn": spec.arn, "name": spec.name}
    request: dict[str, Any] = {"FunctionName": address.format(**names), "Payload": b"{}"}
    if qualifier:
        request["Qualifier"] = qualifier
    since = len(invocations)
    answer = boto3.client("lambda", region_name=REGION).invoke(**request)
    assert "FunctionError" not in answer
    [call] = invocations[since:]
    assert call.result == {"arn": called.format(**names), "version": version, "key": None}
    assert call.event_source == "lambda"


def test_provisioned_concurrency_is_kept_on_the_alias_and_inits_before_any_event(
    aws: None, tmp_path: Path
) -> None:
    provisioned = _provision(_template(tmp_path), SearchProvisionedConcurrency="2")
    alias_arn = f"{provisioned.functions['Search'].arn}:live"
    assert provisioned.provisioned_concurrency == {alias_arn: 2}
    invocations: list[Invocation] = []
    runtime = LambdaRuntime(provisioned.functions, invocations)
    assert runtime.initialise_provisioned({}) == []
    assert "Search" not in runtime._handlers
    assert runtime.initialise_provisioned(provisioned.provisioned_concurrency) == ["Search"]
    assert "Search" in runtime._handlers  # the handler module imported: its init has run
    assert invocations == []


@pytest.mark.parametrize(
    ("config", "refusal"),
    [
        ("ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 0}", "0 < 1"),
        (
            "ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 1}\n"
            "      FunctionVersion: $LATEST",
            "needs a published version",
        ),
    ],
)
def test_a_provisioned_concurrency_lambda_refuses_stops_the_start(
    aws: None, tmp_path: Path, config: str, refusal: str
) -> None:
    """0 is no config at all for Lambda, hence the template's condition; and $LATEST takes none."""
    text = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Search:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: fn/, Handler: app.handler, Runtime: python3.12}}
  SearchVersion:
    Type: AWS::Lambda::Version
    Properties: {{FunctionName: !Ref Search}}
  SearchAlias:
    Type: AWS::Lambda::Alias
    Properties:
      Name: live
      FunctionName: !Ref Search
      FunctionVersion: !GetAtt SearchVersion.Version
      {config}
"""
    if "$LATEST" in config:
        text = text.replace("      FunctionVersion: !GetAtt SearchVersion.Version\n", "")
    with pytest.raises(TemplateError, match=rf"SearchAlias: .*{refusal}"):
        _provision(_template(tmp_path, text))


def test_the_driver_face_function_is_provisioned_only_when_a_count_is_set() -> None:
    """template.yaml: the default 0 leaves the alias without a config; S3 calls the alias."""
    template = load_template(TEMPLATE_PATH, {}, REGION)
    alias = template.resources["DriverFaceFunctionAliaslive"]["Properties"]
    assert alias["FunctionVersion"]["Fn::GetAtt"][1] == "Version"
    assert template.parameters["DriverSearchProvisionedConcurrency"] == "0"

    def config(count: str) -> Any:
        parameters = {**template.parameters, "DriverSearchProvisionedConcurrency": count}
        intrinsics = Intrinsics(StackContext("t", REGION), parameters, template.cfn)
        return intrinsics.resolve({"config": alias["ProvisionedConcurrencyConfig"]}).get("config")

    assert config("0") is None
    assert config("3") == {"ProvisionedConcurrentExecutions": "3"}
    bucket = template.resources["UploadBucket"]["Properties"]["NotificationConfiguration"]
    [target] = [
        item["Function"]
        for item in bucket["LambdaConfigurations"]
        if item["Filter"]["S3Key"]["Rules"][0]["Value"] == "ticketing/faces/"
    ]
    assert target == {"Ref": "DriverFaceFunctionAliaslive"}
