"""The local stack itself: resources from the template, the HTTP API, S3 and Step Functions
invocations, schedules, the login platform, and the errors it must raise."""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from samtranslator.yaml_helper import yaml_parse

from infra.local.gateway import ApiConfig, Route, find_route
from infra.local.intrinsics import Intrinsics, references
from infra.local.lambdas import FunctionSpec, Invocation, LambdaRuntime
from infra.local.login_platform import CODE_TTL_SECONDS, LoginPlatform
from infra.local.provision import UnsupportedResourceType
from infra.local.stack import LocalStack, wait_for
from infra.local.template import (
    TEMPLATE_PATH,
    EnvironmentConflict,
    StackContext,
    merge_environments,
)
from tests.integration import contract
from tests.integration.client import Client

SAM = yaml_parse(TEMPLATE_PATH.read_text())
RESOURCES: dict[str, Any] = SAM["Resources"]


def _of_type(kind: str) -> dict[str, Any]:
    return {lid: res for lid, res in RESOURCES.items() if res["Type"] == kind}


def _invocations(stack: LocalStack, function: str, since: int = 0) -> list[Invocation]:
    return [i for i in stack.invocations[since:] if i.function == function]


class Recorder:
    """A stub handler that records its events and answers with `answer(event)`."""

    def __init__(self, answer: Callable[[Any], Any] = lambda event: {"ok": True}) -> None:
        self.events: list[Any] = []
        self.contexts: list[Any] = []
        self._answer = answer

    def __call__(self, event: Any, context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        return self._answer(event)


def _echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A proxy handler that answers with the event it got."""
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(event),
    }


# ---------------------------------------------------------------------------------- start-up


def test_starts_in_the_china_partition(stack: LocalStack) -> None:
    # how long start-up takes is a figure of `make bench SUITES=stack`, not an assertion
    assert stack.startup_seconds is not None
    assert stack.region == "cn-north-1"
    assert stack.resources["AppSecret"].startswith("arn:aws-cn:secretsmanager:cn-north-1:")
    assert os.environ["AWS_ENDPOINT_URL"] == stack.moto_url
    assert os.environ["AWS_REGION"] == os.environ["AWS_DEFAULT_REGION"] == "cn-north-1"


def test_function_environment_is_in_the_process(stack: LocalStack) -> None:
    for name, value in stack.env.items():
        assert os.environ[name] == value
    assert stack.env["LOGIN_PLATFORM_URL"] == stack.login_platform.url
    assert stack.env["REMOTE_TASK_WINDOW_SECONDS"] == "6"
    assert stack.env["ACCOUNTS_TABLE"] == stack.resources["AccountsTable"]
    assert (
        stack.env["REMOTE_TASK_STATE_MACHINE_ARN"] == stack.resources["RemoteCheckTaskStateMachine"]
    )


# ---------------------------------------------------------------------------------- resources


def test_every_table_exists_with_its_keys_indexes_and_ttl(stack: LocalStack) -> None:
    dynamodb = stack.boto3_client("dynamodb")
    tables = _of_type("AWS::DynamoDB::Table")
    assert tables
    for logical_id, resource in tables.items():
        props = resource["Properties"]
        table = dynamodb.describe_table(TableName=stack.resources[logical_id])["Table"]
        assert table["KeySchema"] == props["KeySchema"], logical_id
        wanted = {
            index["IndexName"]: index["Projection"]
            for index in props.get("GlobalSecondaryIndexes", [])
        }
        found = {
            index["IndexName"]: index["Projection"]
            for index in table.get("GlobalSecondaryIndexes", [])
        }
        assert found == wanted, logical_id
        ttl = dynamodb.describe_time_to_live(TableName=table["TableName"])
        if "TimeToLiveSpecification" in props:
            assert (
                ttl["TimeToLiveDescription"]["AttributeName"]
                == (props["TimeToLiveSpecification"]["AttributeName"])
            )
            assert ttl["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"


def test_bucket_notifies_each_s3_function_on_its_prefix(stack: LocalStack) -> None:
    wanted = {}
    for logical_id, resource in _of_type("AWS::Serverless::Function").items():
        alias = resource["Properties"].get("AutoPublishAlias")
        # SAM points a function's events at its alias when it publishes one
        target = (
            stack.resources[f"{logical_id}Alias{alias}"]
            if alias
            else stack.functions[logical_id].arn
        )
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] == "S3":
                rules = event["Properties"]["Filter"]["S3Key"]["Rules"]
                wanted[target] = rules[0]["Value"]
    driver_alias = f"{stack.functions['DriverFaceFunction'].arn}:live"
    assert wanted[driver_alias] == "ticketing/faces/"
    s3 = stack.boto3_client("s3")
    bucket = stack.resources["UploadBucket"]
    assert bucket == stack.env["UPLOAD_BUCKET"] == f"enforcement-local-uploads-{stack.account_id}"
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    found = {
        item["LambdaFunctionArn"]: item["Filter"]["Key"]["FilterRules"][0]["Value"]
        for item in config["LambdaFunctionConfigurations"]
    }
    assert found == wanted
    assert sorted(wanted.values()) == [
        "ais-feed/",
        "evidence/",
        "survey/manifests/",
        "ticketing/faces/",
        "ticketing/registries/",
        "uploads/",
    ]


def test_secret_topic_rule_and_functions_exist(stack: LocalStack) -> None:
    secret = stack.boto3_client("secretsmanager").get_secret_value(
        SecretId=stack.resources["AppSecret"]
    )
    document = json.loads(secret["SecretString"])
    assert document["miniprogram_app_secret"] == "set-me"
    assert len(document["token_signing_key"]) == 64
    assert document["token_signing_key"].isalnum()

    for logical_id in _of_type("AWS::SNS::Topic"):
        stack.boto3_client("sns").get_topic_attributes(TopicArn=stack.resources[logical_id])

    rule = stack.boto3_client("events").describe_rule(
        Name=stack.resources["CertificateReminderFunctionDaily"]
    )
    assert rule["ScheduleExpression"] == "cron(0 0 * * ? *)"

    lam = stack.boto3_client("lambda")
    for logical_id in _of_type("AWS::Serverless::Function"):
        function = lam.get_function(FunctionName=stack.resources[logical_id])["Configuration"]
        variables = function["Environment"]["Variables"]
        assert all(stack.env[name] == value for name, value in variables.items()), logical_id


def test_state_machine_has_its_definition_with_substitutions(stack: LocalStack) -> None:
    machine = stack.boto3_client("stepfunctions").describe_state_machine(
        stateMachineArn=stack.resources["RemoteCheckTaskStateMachine"]
    )
    definition = json.loads(machine["definition"])
    assert (
        definition["States"]["NotifyCrew"]["Resource"] == stack.functions["RemoteTaskFunction"].arn
    )
    assert "${" not in machine["definition"]


# ---------------------------------------------------------------------------------- API


def test_a_template_route_answers_through_its_handler(stack: LocalStack, api: Client) -> None:
    since = len(stack.invocations)
    if (Path(__file__).parents[2] / "functions/docs/app.py").exists():
        response = api.call("GET", "/openapi.json")
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.")
        [call] = _invocations(stack, "DocsFunction", since)
        assert call.event_source == "apigateway"
        assert call.ok
    response = api.call("GET", "/no/such/route")
    assert response.status_code == 404
    assert response.json()["code"] == "route_not_found"


def test_requests_become_api_gateway_proxy_events(stack: LocalStack, api: Client) -> None:
    with stack.override_handler("CheckinApiFunction", _echo), contract.paused():
        response = Client(stack.api_url, "tok").call(
            "GET", "/checkin/vessels/v-1?x=1&x=2&empty=", headers={"X-Trace": "a"}
        )
        event = response.json()
        assert event["resource"] == "/checkin/{proxy+}"
        assert event["path"] == "/checkin/vessels/v-1"
        assert event["httpMethod"] == "GET"
        assert event["pathParameters"] == {"proxy": "vessels/v-1"}
        assert event["queryStringParameters"] == {"x": "2", "empty": ""}
        assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "empty": [""]}
        assert event["headers"]["Authorization"] == "Bearer tok"
        assert event["multiValueHeaders"]["X-Trace"] == ["a"]
        assert event["stageVariables"] is None
        assert event["body"] is None
        context = event["requestContext"]
        assert context["stage"] == "prod"
        assert context["path"] == "/prod/checkin/vessels/v-1"
        assert context["resourcePath"] == "/checkin/{proxy+}"
        assert context["identity"]["sourceIp"] == "127.0.0.1"
        assert abs(context["requestTimeEpoch"] / 1000 - time.time()) < 60

        event = api.call("POST", "/checkin/x", {"a": 1}).json()
        assert event["body"] == '{"a": 1}'
        assert event["isBase64Encoded"] is False
        assert event["queryStringParameters"] is None
        assert event["pathParameters"] == {"proxy": "x"}

        photo = bytes(range(256))
        event = api.call(
            "POST", "/checkin/x", data=photo, headers={"Content-Type": "image/jpeg"}
        ).json()
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == photo


def test_proxy_responses_and_handler_failures(stack: LocalStack, api: Client) -> None:
    def binary(event: Any) -> dict[str, Any]:
        return {
            "statusCode": 201,
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "headers": {"Content-Type": "image/png"},
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        }

    def broken(event: Any, context: Any) -> Any:
        raise ValueError("boom")

    with stack.override_handler("AuthFunction", lambda event, context: binary(event)):
        response = api.call("PUT", "/auth/anything")
    assert response.status_code == 201
    assert response.content == b"\x89PNG"
    assert response.headers["Content-Type"] == "image/png"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]

    since = len(stack.invocations)
    with stack.override_handler("AuthFunction", broken):
        response = api.call("POST", "/auth/login", {})
    assert response.status_code == 502
    assert response.json() == {"code": "internal_error", "message": "Internal server error"}
    [call] = _invocations(stack, "AuthFunction", since)
    assert call.error is not None
    assert call.error["errorType"] == "ValueError"
    assert call.result == call.error


def test_a_body_over_10_mb_is_refused_like_api_gateway(stack: LocalStack, api: Client) -> None:
    since = len(stack.invocations)
    response = api.call("POST", "/checkin/x", data=b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert not _invocations(stack, "CheckinApiFunction", since)


# ---------------------------------------------------------------------------------- events


def test_presigned_uploads_invoke_the_function_of_their_prefix(stack: LocalStack) -> None:
    s3 = stack.boto3_client("s3")
    bucket = stack.resources["UploadBucket"]
    ais, face, driver = Recorder(), Recorder(), Recorder()
    since = len(stack.invocations)
    with (
        stack.override_handler("AisFeedFunction", ais),
        stack.override_handler("FaceFunction", face),
        stack.override_handler("DriverFaceFunction", driver),
    ):
        keys = ("ais-feed/positions.csv", "uploads/check/c-1.jpg", "ticketing/faces/d.jpg", "x.bin")
        for key in keys:
            grant = s3.generate_presigned_post(bucket, key, ExpiresIn=60)
            response = requests.post(
                grant["url"], data=grant["fields"], files={"file": ("f", b"content")}, timeout=10
            )
            assert response.status_code in (200, 201, 204), response.text
    [ais_call] = _invocations(stack, "AisFeedFunction", since)
    [face_call] = _invocations(stack, "FaceFunction", since)
    assert ais_call.event_source == face_call.event_source == "s3"
    assert ais.events[0]["Records"][0]["s3"]["object"]["key"] == "ais-feed/positions.csv"
    assert face.events[0]["Records"][0]["s3"]["bucket"]["name"] == bucket
    sequencers = [e["Records"][0]["s3"]["object"]["sequencer"] for e in ais.events + face.events]
    assert sequencers == sorted(sequencers)
    assert all(len(sequencer) == 16 for sequencer in sequencers)
    assert face.contexts[0].function_name == "FaceFunction"
    assert face.contexts[0].memory_limit_in_mb == 1769  # template.yaml
    assert 0 < face.contexts[0].get_remaining_time_in_millis() <= 60_000
    # S3 invokes the driver face function's alias (AutoPublishAlias), which runs version 1
    [driver_call] = _invocations(stack, "DriverFaceFunction", since)
    assert driver_call.event_source == "s3"
    alias_arn = stack.resources["DriverFaceFunctionAliaslive"]
    assert alias_arn == f"{stack.functions['DriverFaceFunction'].arn}:live"
    assert driver.contexts[0].invoked_function_arn == alias_arn
    assert driver.contexts[0].function_version == "1"
    assert face.contexts[0].invoked_function_arn == stack.functions["FaceFunction"].arn
    assert face.contexts[0].function_version == "$LATEST"


def test_direct_invokes_through_moto_reach_the_handler(stack: LocalStack) -> None:
    lam = stack.boto3_client("lambda")
    name = stack.resources["RemoteTaskFunction"]
    with stack.override_handler("RemoteTaskFunction", Recorder(lambda e: {"echo": e})):
        answer = lam.invoke(FunctionName=name, Payload=json.dumps({"n": 1}))
    assert json.loads(answer["Payload"].read()) == {"echo": {"n": 1}}
    assert "FunctionError" not in answer
    assert stack.invocations[-1].event_source == "lambda"

    def failing(event: Any, context: Any) -> Any:
        raise KeyError("task_id")

    with stack.override_handler("RemoteTaskFunction", failing):
        answer = lam.invoke(FunctionName=name, Payload=b"{}")
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read())["errorType"] == "KeyError"


def _wait_for_execution(stack: LocalStack, arn: str, timeout: float = 20) -> dict[str, Any]:
    sfn = stack.boto3_client("stepfunctions")

    def finished() -> dict[str, Any] | None:
        execution = sfn.describe_execution(executionArn=arn)
        return execution if execution["status"] != "RUNNING" else None

    result: dict[str, Any] = wait_for(finished, timeout=timeout, interval=0.1)
    return result


def test_the_remote_check_task_state_machine_runs_the_handler(stack: LocalStack) -> None:
    def steps(event: dict[str, Any]) -> dict[str, Any]:
        return {"notify": {"state": "notified"}, "evaluate": {"state": "complete"}}.get(
            event["action"], {"closed": event["task_id"]}
        )

    recorder = Recorder(steps)
    sfn = stack.boto3_client("stepfunctions")
    with stack.override_handler("RemoteTaskFunction", recorder):
        started = sfn.start_execution(
            stateMachineArn=stack.resources["RemoteCheckTaskStateMachine"],
            input=json.dumps({"task_id": "t-1", "poll_seconds": 1}),
        )
        execution = _wait_for_execution(stack, started["executionArn"])
    assert execution["status"] == "SUCCEEDED", execution
    assert json.loads(execution["output"])["outcome"] == {"closed": "t-1"}
    assert [event["action"] for event in recorder.events] == ["notify", "evaluate", "close"]
    calls = [i for i in stack.invocations if i.event in recorder.events]
    assert {call.event_source for call in calls} == {"states"}


def test_a_failing_handler_fails_its_state_machine_task(stack: LocalStack) -> None:
    role = stack.boto3_client("iam").get_role(
        RoleName=stack.resources["RemoteCheckTaskStateMachineRole"]
    )["Role"]["Arn"]
    definition = {
        "StartAt": "Only",
        "States": {
            "Only": {
                "Type": "Task",
                "Resource": stack.functions["RemoteTaskFunction"].arn,
                "End": True,
            }
        },
    }
    sfn = stack.boto3_client("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"failing-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=role
    )

    def failing(event: Any, context: Any) -> Any:
        raise RuntimeError("evaluation failed")

    with stack.override_handler("RemoteTaskFunction", failing):
        started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")
        execution = _wait_for_execution(stack, started["executionArn"])
    assert execution["status"] == "FAILED"


def test_fire_schedule_invokes_the_certificate_reminder(stack: LocalStack) -> None:
    recorder = Recorder()
    since = len(stack.invocations)
    with stack.override_handler("CertificateReminderFunction", recorder):
        [result] = stack.fire_schedule("CertificateReminderFunctionDaily")
        stack.fire_schedule("CertificateReminderFunction")
    assert result.error is None
    assert result.payload == {"ok": True}
    event = recorder.events[0]
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"] == [stack.schedules["CertificateReminderFunctionDaily"].arn]
    calls = _invocations(stack, "CertificateReminderFunction", since)
    assert [call.event_source for call in calls] == ["events", "events"]


# ---------------------------------------------------------------------------------- login


def _exchange(stack: LocalStack, code: str, secret: str = "set-me") -> dict[str, Any]:  # noqa: S107
    response = requests.get(
        f"{stack.login_platform.url}/sns/jscode2session",
        params={
            "appid": stack.env["MINIPROGRAM_APP_ID"],
            "secret": secret,
            "js_code": code,
            "grant_type": "authorization_code",
        },
        timeout=5,
    )
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def test_login_platform_exchanges_each_known_code_once(stack: LocalStack) -> None:
    code = f"code-{uuid.uuid4().hex}"
    session_key = stack.login_platform.add_code(code, "openid-1")
    assert _exchange(stack, code) == {"openid": "openid-1", "session_key": session_key}
    assert _exchange(stack, code)["errcode"] == 40163
    assert _exchange(stack, "never-issued") == {"errcode": 40029, "errmsg": "invalid code"}
    other = f"code-{uuid.uuid4().hex}"
    stack.login_platform.add_code(other, "openid-2")
    assert _exchange(stack, other, secret="wrong")["errcode"] == 40125


def test_login_codes_expire_after_five_minutes() -> None:
    now = [1000.0]
    platform = LoginPlatform(clock=lambda: now[0])
    platform.configure("app", lambda: "secret")
    platform.add_code("c", "o")
    now[0] += CODE_TTL_SECONDS + 1
    query = {"appid": "app", "secret": "secret", "js_code": "c", "grant_type": "authorization_code"}
    assert platform.exchange(query)["errcode"] == 40029
    assert platform.exchange({**query, "appid": "other"})["errcode"] == 40013


# ---------------------------------------------------------------------------------- errors


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


@pytest.fixture
def restored_environment() -> Iterator[dict[str, str]]:
    """Asserts that the test leaves the process environment as it found it."""
    before = _environment()
    yield before
    assert _environment() == before


def _write_template(path: Path, resources: str) -> Path:
    path.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n" + resources
    )
    return path


def test_an_unknown_resource_type_stops_the_start(
    tmp_path: Path, restored_environment: dict[str, str]
) -> None:
    template = _write_template(
        tmp_path / "template.yaml",
        "  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {}\n",
    )
    with pytest.raises(UnsupportedResourceType, match=r"Queue \(AWS::SQS::Queue\)"):
        LocalStack(template_path=template, stack_name="unknown-type").start()


def test_conflicting_environment_values_stop_the_start(
    stack: LocalStack, tmp_path: Path, restored_environment: dict[str, str]
) -> None:
    with pytest.raises(EnvironmentConflict, match="MODE is 'a' in First but 'b' in Second"):
        merge_environments({"First": {"MODE": "a"}, "Second": {"MODE": "b"}})

    function = (
        "  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: fn/\n      Handler: app.handler\n      Runtime: python3.12\n"
        "      Environment: {{Variables: {{SHARED: {value}}}}}\n"
    )
    template = _write_template(
        tmp_path / "template.yaml",
        function.format(name="First", value="one") + function.format(name="Second", value="two"),
    )
    with pytest.raises(EnvironmentConflict, match=r"SHARED.*First.*Second"):
        LocalStack(template_path=template, stack_name=f"conflict-{uuid.uuid4().hex[:6]}").start()
    assert os.environ["AWS_ENDPOINT_URL"] == stack.moto_url


# ---------------------------------------------------------------------------------- handlers


def _spec(logical_id: str, folder: Path, module: str = "app") -> FunctionSpec:
    arn = f"arn:aws-cn:lambda:cn-north-1:123456789012:function:{logical_id}"
    return FunctionSpec(logical_id, logical_id, arn, folder, module, "handler", 128, 3)


def test_handlers_load_per_function_and_missing_ones_record_an_error(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "helper.py").write_text(f"VALUE = {name!r}\n")
        (tmp_path / name / "app.py").write_text(
            "import helper\n\ndef handler(event, context):\n    return helper.VALUE\n"
        )
    specs = {
        "One": _spec("One", tmp_path / "one"),
        "Two": _spec("Two", tmp_path / "two"),
        "Missing": _spec("Missing", tmp_path / "nowhere"),
    }
    invocations: list[Invocation] = []
    runtime = LambdaRuntime(specs, invocations)
    assert runtime.invoke("One", {}, "direct").payload == "one"
    assert runtime.invoke("Two", {}, "direct").payload == "two"
    missing = runtime.invoke("Missing", {}, "direct")
    assert missing.error is not None
    assert missing.error["errorType"] == "Runtime.ImportModuleError"
    assert [i.function for i in invocations] == ["One", "Two", "Missing"]
    assert invocations[-1].result == missing.error
    assert str(tmp_path / "one") not in sys.path


def test_the_most_specific_route_wins() -> None:
    api = ApiConfig("Api", "abc", "prod", ())
    routes = [
        Route("ANY", "/a/{proxy+}", "Proxy", api),
        Route("GET", "/a/{id}", "Param", api),
        Route("ANY", "/a/b", "LiteralAny", api),
        Route("GET", "/a/b", "LiteralGet", api),
    ]

    def target(method: str, path: str) -> tuple[str, dict[str, str]] | None:
        found = find_route(routes, method, path)
        return None if found is None else (found[0].function, found[1])

    assert target("GET", "/a/b") == ("LiteralGet", {})
    assert target("POST", "/a/b") == ("LiteralAny", {})
    assert target("GET", "/a/x%2Fy") == ("Param", {"id": "x/y"})
    assert target("POST", "/a/x") == ("Proxy", {"proxy": "x"})
    assert target("DELETE", "/a/x/y%20z") == ("Proxy", {"proxy": "x/y z"})
    assert target("GET", "/a") is None


def test_intrinsics_resolve_like_cloudformation() -> None:
    context = StackContext("demo", "cn-north-1")
    conditions = {
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        }
    }
    intrinsics = Intrinsics(context, {"Stage": "prod"}, conditions)
    intrinsics.refs["Table"] = "demo-table"
    intrinsics.attrs["Table"] = {"Arn": "arn:aws-cn:dynamodb:cn-north-1:1:table/demo-table"}
    value = {
        "Name": {"Fn::Sub": "${AWS::StackName}-${Table}-${!Literal}-${AWS::URLSuffix}"},
        "Arn": {"Fn::GetAtt": ["Table", "Arn"]},
        "Path": {"Fn::Join": ["/", [{"Ref": "AWS::Partition"}, {"Ref": "Stage"}]]},
        "Second": {"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]},
        "Mode": {"Fn::If": ["NotProd", "debug", {"Ref": "AWS::NoValue"}]},
        "Vars": {"Fn::Sub": ["${x}.${Table.Arn}", {"x": {"Ref": "AWS::Region"}}]},
    }
    assert intrinsics.resolve(value) == {
        "Name": "demo-demo-table-${Literal}-amazonaws.com.cn",
        "Arn": "arn:aws-cn:dynamodb:cn-north-1:1:table/demo-table",
        "Path": "aws-cn/prod",
        "Second": "b",
        "Vars": "cn-north-1.arn:aws-cn:dynamodb:cn-north-1:1:table/demo-table",
    }
    assert references(value) == {
        "Table",
        "AWS::StackName",
        "AWS::URLSuffix",
        "AWS::Partition",
        "Stage",
        "AWS::NoValue",
        "AWS::Region",
    }
