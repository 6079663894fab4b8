"""The whole backend on 127.0.0.1 in one process: moto, the template's resources, the handlers.

`LocalStack` starts moto's threaded server, creates every resource of template.yaml in it, puts
the functions' environment into this process, routes moto's Lambda invocations and an HTTP API to
the real handlers, and runs a fake mini-program login platform and a fake drand relay for the
draws' beacon (unless the `DrawBeaconUrl` parameter names another), and holds a local AIS source
(`ais_source`) that drops position files as a provider would. `make run` and the integration
tests use it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
from enforcement import clients

from infra.local import dynamodb_isolation, s3_events, s3_post_policy
from infra.local.ais_source import AisSource
from infra.local.beacon import Beacon
from infra.local.gateway import ApiCall, ApiGateway, Route, routes_from_template
from infra.local.lambdas import (
    FunctionSpec,
    Handler,
    Invocation,
    InvocationResult,
    LambdaRuntime,
)
from infra.local.login_platform import LoginPlatform
from infra.local.provision import Provisioned, Provisioner, Schedule, check_supported
from infra.local.records import DEFAULT_MAXLEN, RecentLog
from infra.local.template import (
    ACCOUNT_ID,
    TEMPLATE_PATH,
    StackContext,
    Template,
    load_template,
    merge_environments,
)

REGION = "cn-north-1"
#: Credentials of every client in the process; anything but moto's interpreter key ("ak").
DUMMY_ACCESS_KEY = "testing"
DUMMY_SECRET_KEY = "testing"
#: The secret whose JSON holds the mini-program app secret, and the key inside it.
APP_SECRET_RESOURCE = "AppSecret"
APP_SECRET_KEY = "miniprogram_app_secret"


class _EnvironmentPatch:
    """Sets process environment variables and puts the previous values back on `restore`."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, name: str, value: str) -> None:
        self._saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def unset(self, name: str) -> None:
        self._saved.setdefault(name, os.environ.get(name))
        os.environ.pop(name, None)

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()


def _ensure_port_free(port: int) -> None:
    """moto's threaded server waits forever if its port is taken; fail clearly instead."""
    if port == 0:
        return
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise RuntimeError(f"port {port} on 127.0.0.1 is in use") from exc


class LocalStack:
    """The backend of template.yaml, running locally; use `with LocalStack() as stack:`."""

    def __init__(
        self,
        *,
        api_port: int = 0,
        moto_port: int = 0,
        parameters: Mapping[str, Any] | None = None,
        stack_name: str = "enforcement-local",
        quiet: bool = True,
        template_path: Path = TEMPLATE_PATH,
        beacon_period: int = 1,
        record_limit: int = DEFAULT_MAXLEN,
    ) -> None:
        self.stack_name = stack_name
        self.region = REGION
        self.account_id = ACCOUNT_ID
        self.template_path = template_path
        self.quiet = quiet
        self._api_port = api_port
        self._moto_port = moto_port
        self._parameters = dict(parameters or {})
        self.login_platform = LoginPlatform()
        self.beacon = Beacon(period=beacon_period)
        #: The last `record_limit` invocations (a bounded log: see infra.local.records).
        self.invocations: RecentLog[Invocation] = RecentLog(record_limit)
        self.resources: dict[str, Any] = {}
        self.env: dict[str, str] = {}
        self.routes: list[Route] = []
        self.schedules: dict[str, Schedule] = {}
        self.template: Template | None = None
        self.startup_seconds: float | None = None
        self.moto_url = ""
        self.api_url = ""
        self._environ = _EnvironmentPatch()
        self._moto: Any = None
        self._runtime: LambdaRuntime | None = None
        self._gateway: ApiGateway | None = None
        self._provisioned: Provisioned | None = None
        #: checks browser-based POST uploads as S3 does (moto checks nothing); its `refused`
        #: lists what it turned away
        self.s3_post_guard: s3_post_policy.PostPolicyGuard | None = None
        #: plays the AIS provider for the vessels it tracks (files into the upload bucket)
        self.ais_source: AisSource | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalStack:
        """Start everything; on any failure, stop what was started and re-raise."""
        if self._moto is not None:
            raise RuntimeError("the stack is already started")
        began = time.monotonic()
        template = load_template(self.template_path, self._parameters, self.region)
        check_supported(template.resources)
        self.template = template
        try:
            self._start_moto()
            clients.reset()  # clients made before (another stack, a mocked test) point elsewhere
            self.login_platform.start()
            self.beacon.start()
            self._provision(template)
            self._start_runtime_and_gateway(template)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Stop the servers, remove the Lambda patch and restore the process environment."""
        if self.ais_source is not None:
            self.ais_source.stop()
            self.ais_source = None
        if self._gateway is not None:
            self._gateway.stop()
            self._gateway = None
        if self._runtime is not None:
            self._runtime.uninstall()
            self._runtime = None
        self.login_platform.stop()
        self.beacon.stop()
        if self.s3_post_guard is not None:
            s3_events.uninstall()
            self.s3_post_guard = None
        if self._moto is not None:
            self._moto.stop()
            server = getattr(self._moto, "_server", None)
            if server is not None:
                server.server_close()
            self._moto = None
        self._environ.restore()
        clients.reset()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ start-up steps
    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        dynamodb_isolation.install()  # transactions isolated as in DynamoDB
        _ensure_port_free(self._moto_port)
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self._moto_port, verbose=False)
        self._moto.start()
        self.s3_post_guard = s3_post_policy.install(
            self._moto, credentials={DUMMY_ACCESS_KEY: DUMMY_SECRET_KEY}, region=self.region
        )
        s3_events.install()
        port = self._moto.get_host_and_port()[1]
        self.moto_url = f"http://127.0.0.1:{port}"
        self._set_aws_environment(port)
        response = requests.post(
            f"{self.moto_url}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=5,
        )
        response.raise_for_status()

    def _set_aws_environment(self, port: int) -> None:
        """Every AWS client in this process talks to moto with dummy credentials."""
        for name in list(os.environ):
            if name.startswith("AWS_ENDPOINT_URL_"):
                self._environ.unset(name)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            self._environ.unset(name)
        values = {
            "MOTO_PORT": str(port),
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        no_proxy = os.environ.get("NO_PROXY", "")
        values["NO_PROXY"] = ",".join(filter(None, [no_proxy, "127.0.0.1", "localhost"]))
        for name, value in values.items():
            self._environ.set(name, value)

    def _provision(self, template: Template) -> None:
        parameters = dict(template.parameters)
        parameters["LoginPlatformUrl"] = self.login_platform.url
        local_beacon = "DrawBeaconUrl" not in self._parameters
        if local_beacon:
            parameters["DrawBeaconUrl"] = self.beacon.url
        context = StackContext(self.stack_name, self.region, self.account_id)
        patched = Template(template.path, template.sam, template.cfn, parameters, template.code)
        provisioned = Provisioner(patched, context, self.boto3_client).run()
        self._provisioned = provisioned
        self.template = patched
        self.resources = dict(provisioned.resources)
        self.schedules = dict(provisioned.schedules)
        self.env = merge_environments(provisioned.environments)
        if local_beacon:  # the fake relay's chain, not quicknet
            self.env.update(self.beacon.environment())
        for name, value in self.env.items():
            self._environ.set(name, value)
        self._forget_cached_settings()
        self.login_platform.configure(
            str(parameters.get("MiniProgramAppId", "")), self._read_app_secret
        )
        if "UPLOAD_BUCKET" in self.env:
            self.ais_source = AisSource(self.boto3_client("s3"), self.env["UPLOAD_BUCKET"])

    def _start_runtime_and_gateway(self, template: Template) -> None:
        assert self._provisioned is not None
        self._runtime = LambdaRuntime(
            self._provisioned.functions, self.invocations, quiet=self.quiet
        )
        self._runtime.install()
        self._runtime.initialise_provisioned(self._provisioned.provisioned_concurrency)
        self.routes = routes_from_template(template, self._provisioned.intrinsics)
        self._gateway = ApiGateway(
            self.routes,
            self._runtime,
            account_id=self.account_id,
            port=self._api_port,
            quiet=self.quiet,
            record_limit=self.invocations.maxlen,
        )
        self._gateway.start()
        self.api_url = self._gateway.url

    @staticmethod
    def _forget_cached_settings() -> None:
        """Settings cached before the stack set the environment would point elsewhere."""
        config = sys.modules.get("enforcement.config")
        cached = getattr(config, "settings", None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()

    def _read_app_secret(self) -> str | None:
        arn = self.resources.get(APP_SECRET_RESOURCE)
        if arn is None:
            return None
        secret = self.boto3_client("secretsmanager").get_secret_value(SecretId=arn)
        try:
            value = json.loads(secret["SecretString"]).get(APP_SECRET_KEY)
        except (ValueError, AttributeError):
            return None
        return None if value is None else str(value)

    # ------------------------------------------------------------------ helpers
    @property
    def api_calls(self) -> RecentLog[ApiCall]:
        """The requests the API answered (the last `record_limit`)."""
        return self._gateway.calls if self._gateway is not None else RecentLog()

    @property
    def provisioned_concurrency(self) -> dict[str, int]:
        """Provisioned concurrency by qualified function ARN (alias or version)."""
        return dict(self._provisioned.provisioned_concurrency) if self._provisioned else {}

    @property
    def functions(self) -> dict[str, FunctionSpec]:
        """Function specs (name, ARN, code folder, handler) by logical id."""
        return dict(self._runtime.functions) if self._runtime is not None else {}

    def boto3_client(self, service: str) -> Any:
        """A boto3 client for `service` on this stack's moto server."""
        import boto3

        return boto3.client(
            service,
            region_name=self.region,
            endpoint_url=self.moto_url,
            aws_access_key_id=DUMMY_ACCESS_KEY,
            aws_secret_access_key=DUMMY_SECRET_KEY,
        )

    def invoke(self, logical_id: str, event: Any) -> InvocationResult:
        """Invoke a function's handler in-process, as a direct Lambda invoke would."""
        return self._require_runtime().invoke(logical_id, event, "direct")

    @contextmanager
    def override_handler(self, logical_id: str, handler: Handler) -> Iterator[None]:
        """Inside the block, every invocation of `logical_id` runs `handler` instead."""
        with self._require_runtime().override(logical_id, handler):
            yield

    def fire_schedule(self, logical_id_or_rule_name: str) -> list[InvocationResult]:
        """Deliver a scheduled event of a rule to its targets, as EventBridge would at its time.

        Accepts the rule's logical id, its physical name, or the logical id of the function it
        targets. Returns one result per target.
        """
        schedule = self._find_schedule(logical_id_or_rule_name)
        runtime = self._require_runtime()
        results = []
        for target in schedule.targets:
            spec = runtime.spec_for_arn(target.arn)
            if spec is None:
                raise KeyError(f"{schedule.logical_id} targets {target.arn}, not a local function")
            event = json.loads(target.input) if target.input else self._scheduled_event(schedule)
            results.append(runtime.invoke(spec.logical_id, event, "events"))
        return results

    def _find_schedule(self, key: str) -> Schedule:
        for schedule in self.schedules.values():
            if key in (schedule.logical_id, schedule.name):
                return schedule
        runtime = self._require_runtime()
        by_target = [
            schedule
            for schedule in self.schedules.values()
            for target in schedule.targets
            if (spec := runtime.spec_for_arn(target.arn)) is not None and spec.logical_id == key
        ]
        if len(by_target) == 1:
            return by_target[0]
        raise KeyError(f"no single schedule for {key!r}; rules: {sorted(self.schedules)}")

    def _scheduled_event(self, schedule: Schedule) -> dict[str, Any]:
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.account_id,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": self.region,
            "resources": [schedule.arn],
            "detail": {},
        }

    def _require_runtime(self) -> LambdaRuntime:
        if self._runtime is None:
            raise RuntimeError("the stack is not started")
        return self._runtime

    def describe(self) -> str:
        """API URL, moto URL and the routes, for a console."""
        lines = [f"API:            {self.api_url}", f"moto:           {self.moto_url}"]
        lines.append(f"login platform: {self.login_platform.url}")
        lines.append(f"draw beacon:    {self.env.get('DRAW_BEACON_URL') or '(none)'}")
        lines.append("routes:")
        width = max((len(route.path) for route in self.routes), default=0)
        for route in sorted(self.routes, key=lambda r: (r.path, r.method)):
            lines.append(f"  {route.method:<7} {route.path:<{width}}  -> {route.function}")
        if self.schedules:
            lines.append("schedules (fire with stack.fire_schedule):")
            for schedule in self.schedules.values():
                lines.append(f"  {schedule.logical_id}  {schedule.expression}")
        return "\n".join(lines)


def wait_for(predicate: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy and return its value; TimeoutError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)
