"""Lambda functions run in this process: handler loading, the fake context, invocation records.

moto would run functions in docker, which is not available. Instead every invocation that reaches
moto (direct `Invoke`, Step Functions Lambda tasks, S3 notifications) goes through one method,
`moto.awslambda.models.LambdaFunction.invoke`, which `install()` patches to call the real handler
here. The local API gateway calls `LambdaRuntime.invoke` directly.

A target may be qualified: a version's ARN (`...:function:<name>:3`) or an alias's
(`...:function:<name>:live`, what SAM's AutoPublishAlias points events at). moto resolves it to
the version's object; the handler is the function's own, and its context says what Lambda's
would: `invoked_function_arn` the ARN the caller named (`invoked_arn`, set around moto's S3
delivery and its `Invoke`), `function_version` the version that ran.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib.util
import json
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from infra.local.records import RecentLog

Handler = Callable[[Any, Any], Any]

#: Access key the moto Step Functions interpreter signs its Lambda calls with; the stack's own
#: clients use other credentials, so this tells a state-machine task from a direct invoke.
STATES_ACCESS_KEY = "ak"


@dataclass(frozen=True)
class FunctionSpec:
    """One function of the template, and where its handler lives on disk."""

    logical_id: str
    name: str
    arn: str
    code_dir: Path
    module: str
    handler: str
    memory_mb: int
    timeout_s: int

    @property
    def source_file(self) -> Path:
        """The handler module's file: `<code_dir>/<module path>.py`."""
        return self.code_dir / (self.module.replace(".", "/") + ".py")


@dataclass(frozen=True)
class Invocation:
    """One call of a handler, as the tests and the console log see it."""

    function: str
    event_source: str
    request_id: str
    started_at: float
    duration_ms: float
    event: Any
    result: Any
    error: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class InvocationResult:
    """What Lambda hands back: the JSON payload, or the error payload of a failed invocation."""

    payload_json: str
    error: dict[str, Any] | None
    request_id: str

    @property
    def payload(self) -> Any:
        """The decoded payload (the error payload when the invocation failed)."""
        return json.loads(self.payload_json)


#: The function ARN an invocation through moto names (S3's notification target, `Invoke`'s
#: FunctionName and Qualifier): moto's `LambdaFunction.invoke` only sees the version it resolved.
invoked_arn: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "invoked_arn", default=None
)


@contextlib.contextmanager
def invoking(arn: str) -> Iterator[None]:
    """Inside the block, invocations through moto were addressed to `arn`."""
    token = invoked_arn.set(arn)
    try:
        yield
    finally:
        invoked_arn.reset(token)


class LambdaContext:
    """The subset of the Lambda runtime context that handlers and Powertools read."""

    def __init__(
        self,
        spec: FunctionSpec,
        request_id: str,
        deadline: float,
        *,
        invoked_function_arn: str | None = None,
        version: str = "$LATEST",
    ) -> None:
        self.function_name = spec.logical_id
        self.function_version = version
        self.invoked_function_arn = invoked_function_arn or spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[{version}]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class HandlerLoadError(Exception):
    """The handler module or function cannot be loaded; `error_type` is Lambda's name for it."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class _ModuleImporter:
    """Imports handler modules from files, once each, under a unique name per function.

    Several functions have a module called `app.py`, so the handler module is registered as
    `_local_lambda_<LogicalId>`. Its folder is on sys.path only while it is imported, so siblings
    it imports resolve. A sibling module name used by two folders would make the second folder
    silently get the first one's module; the importer hides the other folder's module while
    importing, so each handler binds its own, and warns because a later import at call time
    would still be ambiguous.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._folder_modules: dict[Path, dict[str, ModuleType]] = {}

    def load(self, spec: FunctionSpec) -> Handler:
        path = spec.source_file
        if not path.is_file():
            raise HandlerLoadError(
                "Runtime.ImportModuleError",
                f"Unable to import module '{spec.module}': no file {path}",
            )
        with self._lock:
            try:
                module = self._import(spec, path)
            except ImportError as exc:
                traceback.print_exception(exc, file=sys.stderr)
                raise HandlerLoadError(
                    "Runtime.ImportModuleError", f"Unable to import module '{spec.module}': {exc}"
                ) from exc
        handler = getattr(module, spec.handler, None)
        if not callable(handler):
            raise HandlerLoadError(
                "Runtime.HandlerNotFound",
                f"Handler '{spec.handler}' missing on module '{spec.module}'",
            )
        return handler  # type: ignore[no-any-return]

    def _import(self, spec: FunctionSpec, path: Path) -> ModuleType:
        folder = spec.code_dir.resolve()
        module_name = f"_local_lambda_{spec.logical_id}"
        before = set(sys.modules)
        hidden = self._hide_other_folders(folder)
        sys.path.insert(0, str(folder))
        try:
            loader_spec = importlib.util.spec_from_file_location(module_name, path)
            if loader_spec is None or loader_spec.loader is None:
                raise HandlerLoadError("Runtime.ImportModuleError", f"cannot load {path}")
            module = importlib.util.module_from_spec(loader_spec)
            sys.modules[module_name] = module
            try:
                loader_spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[module_name]
                raise
        finally:
            sys.path.remove(str(folder))
            self._record_folder_modules(folder, set(sys.modules) - before - {module_name})
            self._restore(hidden)
        return module

    def _hide_other_folders(self, folder: Path) -> dict[str, ModuleType]:
        """Take sibling modules of other folders out of sys.modules when this folder has its own."""
        hidden: dict[str, ModuleType] = {}
        for other, modules in self._folder_modules.items():
            if other == folder:
                continue
            for name, module in modules.items():
                top = name.split(".")[0]
                if (folder / f"{top}.py").exists() or (folder / top).is_dir():
                    if sys.modules.get(name) is module:
                        hidden[name] = sys.modules.pop(name)
                    sys.stderr.write(
                        f"[local] warning: module '{name}' exists in {other} and {folder}; "
                        "imports at call time may get either one\n"
                    )
        return hidden

    def _record_folder_modules(self, folder: Path, names: set[str]) -> None:
        owned = self._folder_modules.setdefault(folder, {})
        for name in names:
            module = sys.modules.get(name)
            file = getattr(module, "__file__", None)
            if module is not None and file and Path(file).resolve().is_relative_to(folder):
                owned[name] = module

    @staticmethod
    def _restore(hidden: Mapping[str, ModuleType]) -> None:
        for name, module in hidden.items():
            sys.modules[name] = module


def _error_payload(
    error_type: str, message: str, request_id: str, stack: list[str]
) -> dict[str, Any]:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack,
    }


def _header(headers: Any, name: str) -> str | None:
    """A header from moto's request headers (a dict or werkzeug headers), case-insensitively."""
    if not headers:
        return None
    getter = getattr(headers, "get", None)
    value = getter(name) if getter else None
    if value is None:
        for key, candidate in dict(headers).items():
            if key.lower() == name.lower():
                return str(candidate)
    return None if value is None else str(value)


class _Sequencer:
    """Increasing S3 event sequencers (16 hex digits, like S3's)."""

    _lock = threading.Lock()
    _last = 0

    @classmethod
    def next(cls) -> str:
        with cls._lock:
            cls._last = max(cls._last + 1, time.time_ns())
            return f"{cls._last:016X}"


def _s3_event_as_aws_sends(event: dict[str, Any]) -> dict[str, Any]:
    """moto's S3 notification completed to what S3 sends.

    moto encodes `/` in keys as %2F (S3 keeps it) and leaves out the object's `sequencer` (used
    to order and de-duplicate deliveries) and the identity and request fields.
    """
    for record in event.get("Records", []):
        s3 = record.get("s3", {})
        obj = s3.get("object", {})
        if isinstance(obj.get("key"), str):
            obj["key"] = quote_plus(unquote_plus(obj["key"]), safe="/")
        obj.setdefault("sequencer", _Sequencer.next())
        record.setdefault("userIdentity", {"principalId": "AWS:LOCAL"})
        record.setdefault("requestParameters", {"sourceIPAddress": "127.0.0.1"})
        record.setdefault(
            "responseElements",
            {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": uuid.uuid4().hex},
        )
        s3.get("bucket", {}).setdefault("ownerIdentity", {"principalId": "LOCAL"})
    return event


def event_source_of(event: Any, request_headers: Any) -> str:
    """Who invoked the function through moto: `s3`, `states` (Step Functions) or `lambda`."""
    if isinstance(event, dict):
        records = event.get("Records")
        first = records[0] if isinstance(records, list) and records else None
        if isinstance(first, dict) and first.get("eventSource") == "aws:s3":
            return "s3"
    authorization = _header(request_headers, "Authorization") or ""
    if f"Credential={STATES_ACCESS_KEY}/" in authorization:
        return "states"
    return "lambda"


class LambdaRuntime:
    """Runs the handlers of one stack's functions in this process and records every call."""

    def __init__(
        self,
        functions: Mapping[str, FunctionSpec],
        invocations: list[Invocation] | RecentLog[Invocation],
        *,
        quiet: bool = True,
    ) -> None:
        self.functions = dict(functions)
        self.invocations = invocations
        self._quiet = quiet
        self._by_arn = {_unqualified(spec.arn): spec for spec in self.functions.values()}
        self._handlers: dict[str, Handler] = {}
        self._overrides: dict[str, Handler] = {}
        self._importer = _ModuleImporter()
        self._load_lock = threading.Lock()
        #: One execution environment per function: Lambda gives an environment one event at a
        #: time, and a handler module's state (the resolver's current event and route) relies
        #: on it. Requests of one function wait for each other; different functions run at once.
        self._environments = {logical_id: threading.Lock() for logical_id in self.functions}

    # ------------------------------------------------------------------ lookup and overrides
    def spec(self, logical_id: str) -> FunctionSpec:
        try:
            return self.functions[logical_id]
        except KeyError:
            raise KeyError(f"no function {logical_id!r}; known: {sorted(self.functions)}") from None

    def spec_for_arn(self, arn: str) -> FunctionSpec | None:
        return self._by_arn.get(_unqualified(arn))

    @contextlib.contextmanager
    def override(self, logical_id: str, handler: Handler) -> Iterator[None]:
        """Run `handler` instead of the function's own handler inside the `with` block."""
        self.spec(logical_id)
        previous = self._overrides.get(logical_id)
        self._overrides[logical_id] = handler
        try:
            yield
        finally:
            if previous is None:
                self._overrides.pop(logical_id, None)
            else:
                self._overrides[logical_id] = previous

    def handler_for(self, spec: FunctionSpec) -> Handler:
        """The callable to run: an override, else the handler module, imported on first use."""
        override = self._overrides.get(spec.logical_id)
        if override is not None:
            return override
        handler = self._handlers.get(spec.logical_id)
        if handler is None:
            with self._load_lock:
                handler = self._handlers.get(spec.logical_id)
                if handler is None:
                    handler = self._importer.load(spec)
                    self._handlers[spec.logical_id] = handler
        return handler

    # ------------------------------------------------------------------ invocation
    def initialise_provisioned(self, provisioned: Mapping[str, int]) -> list[str]:
        """Run the init (import the handler module) of each function with provisioned
        concurrency (`provisioned`: count by qualified ARN) before any event, as Lambda does;
        a failing init is left for the first invocation to report. Returns their logical ids."""
        initialised = []
        for arn in provisioned:
            spec = self.spec_for_arn(arn)
            if spec is None or spec.logical_id in initialised:
                continue
            with self._environments[spec.logical_id], contextlib.suppress(HandlerLoadError):
                self.handler_for(spec)
            initialised.append(spec.logical_id)
        return initialised

    def invoke(
        self,
        logical_id: str,
        event: Any,
        event_source: str,
        *,
        invoked_function_arn: str | None = None,
        version: str = "$LATEST",
    ) -> InvocationResult:
        """Call the function's handler with `event` like Lambda would, and record the call.

        `event_source` says who invoked it (`apigateway`, `s3`, `states`, `events`, `lambda`,
        `direct`); it is only recorded. `invoked_function_arn` (default: the function's ARN) and
        `version` go into the context.
        """
        spec = self.spec(logical_id)
        request_id = str(uuid.uuid4())
        with self._environments[logical_id]:  # the function's environment is free: its turn
            started_at = time.time()
            start = time.monotonic()
            context = LambdaContext(
                spec,
                request_id,
                start + spec.timeout_s,
                invoked_function_arn=invoked_function_arn,
                version=version,
            )
            error: dict[str, Any] | None = None
            try:
                payload_json = json.dumps(self.handler_for(spec)(event, context))
            except HandlerLoadError as exc:
                error = _error_payload(exc.error_type, str(exc), request_id, [])
            except Exception as exc:
                error = self._handler_error(spec, exc, request_id)
            duration_ms = (time.monotonic() - start) * 1000
        if error is not None:
            payload_json = json.dumps(error)
            sys.stderr.write(
                f"[local] {logical_id} failed: {error['errorType']}: {error['errorMessage']}\n"
            )
        result = json.loads(payload_json)
        self._record(
            Invocation(
                logical_id, event_source, request_id, started_at, duration_ms, event, result, error
            )
        )
        if duration_ms > spec.timeout_s * 1000:
            sys.stderr.write(
                f"[local] warning: {logical_id} ran {duration_ms:.0f} ms, longer than its "
                f"{spec.timeout_s} s timeout; Lambda would have stopped it\n"
            )
        return InvocationResult(payload_json, error, request_id)

    def invoke_from_moto(
        self,
        spec: FunctionSpec,
        body: Any,
        request_headers: Any,
        response_headers: Any,
        *,
        invoked_function_arn: str | None = None,
        version: str = "$LATEST",
    ) -> str | bytes:
        """The body of the patched `LambdaFunction.invoke`: answer as moto's Lambda would."""
        raw = body.decode() if isinstance(body, bytes) else body
        event = json.loads(raw) if raw else {}
        source = event_source_of(event, request_headers)
        if source == "s3":
            event = _s3_event_as_aws_sends(event)
        result = self.invoke(
            spec.logical_id,
            event,
            source,
            invoked_function_arn=invoked_function_arn,
            version=version,
        )
        if result.error is not None:
            response_headers["x-amz-function-error"] = "Unhandled"
        response_headers["x-amz-log-result"] = ""
        invocation_type = _header(request_headers, "x-amz-invocation-type") or "RequestResponse"
        if invocation_type == "RequestResponse":
            return result.payload_json.encode()
        return result.payload_json

    def _handler_error(self, spec: FunctionSpec, exc: Exception, request_id: str) -> dict[str, Any]:
        if isinstance(exc, TypeError) and "JSON serializable" in str(exc):
            return _error_payload("Runtime.MarshalError", str(exc), request_id, [])
        sys.stderr.write(f"[local] traceback of {spec.logical_id} ({request_id}):\n")
        traceback.print_exception(exc, file=sys.stderr)
        stack = traceback.format_tb(exc.__traceback__)
        return _error_payload(type(exc).__name__, str(exc), request_id, stack)

    def _record(self, invocation: Invocation) -> None:
        self.invocations.append(invocation)
        if not self._quiet:
            outcome = "ok" if invocation.ok else f"error {invocation.error['errorType']}"  # type: ignore[index]
            sys.stderr.write(
                f"[lambda] {invocation.function} <- {invocation.event_source} "
                f"{invocation.duration_ms:.1f} ms {outcome}\n"
            )

    # ------------------------------------------------------------------ moto patch
    def install(self) -> None:
        """Route moto's Lambda invocations of this stack's functions to this runtime."""
        _MotoPatch.register(self)

    def uninstall(self) -> None:
        _MotoPatch.unregister(self)


def _unqualified(arn: str) -> str:
    """A function ARN without its version or alias qualifier."""
    return ":".join(arn.split(":")[:7])


class _MotoPatch:
    """Process-wide patch of `LambdaFunction.invoke`, installed while any runtime is registered.

    Functions that belong to no registered runtime keep moto's own behaviour.
    """

    _lock = threading.Lock()
    _runtimes: list[LambdaRuntime] = []
    _original: Callable[..., Any] | None = None
    _original_backend_invoke: Callable[..., Any] | None = None
    _original_response_invoke: Callable[..., Any] | None = None

    @classmethod
    def register(cls, runtime: LambdaRuntime) -> None:
        from moto.awslambda.models import LambdaBackend, LambdaFunction
        from moto.awslambda.responses import LambdaResponse

        with cls._lock:
            if runtime in cls._runtimes:
                return
            cls._runtimes.append(runtime)
            if cls._original is None:
                cls._original = LambdaFunction.invoke
                cls._original_backend_invoke = LambdaBackend.invoke
                cls._original_response_invoke = LambdaResponse.invoke
                LambdaFunction.invoke = _patched_invoke  # type: ignore[method-assign]
                LambdaBackend.invoke = _addressed_invoke  # type: ignore[method-assign]
                LambdaResponse.invoke = _qualified_request  # type: ignore[method-assign]

    @classmethod
    def unregister(cls, runtime: LambdaRuntime) -> None:
        from moto.awslambda.models import LambdaBackend, LambdaFunction
        from moto.awslambda.responses import LambdaResponse

        with cls._lock:
            if runtime in cls._runtimes:
                cls._runtimes.remove(runtime)
            if not cls._runtimes and cls._original is not None:
                LambdaFunction.invoke = cls._original  # type: ignore[method-assign]
                if cls._original_backend_invoke is not None:
                    LambdaBackend.invoke = cls._original_backend_invoke  # type: ignore[method-assign]
                if cls._original_response_invoke is not None:
                    LambdaResponse.invoke = cls._original_response_invoke  # type: ignore[method-assign]
                cls._original = None
                cls._original_backend_invoke = cls._original_response_invoke = None

    @classmethod
    def find(cls, arn: str) -> tuple[LambdaRuntime, FunctionSpec] | None:
        with cls._lock:
            runtimes = list(cls._runtimes)
        for runtime in runtimes:
            spec = runtime.spec_for_arn(arn)
            if spec is not None:
                return runtime, spec
        return None


def _patched_invoke(
    self: Any, body: Any, request_headers: Any, response_headers: Any
) -> str | bytes:
    """Replacement of `moto.awslambda.models.LambdaFunction.invoke`."""
    found = _MotoPatch.find(self.function_arn)
    if found is None:
        original = _MotoPatch._original
        if original is None:  # pragma: no cover - only if unpatched between lookup and call
            raise RuntimeError("moto Lambda patch removed during an invocation")
        return original(self, body, request_headers, response_headers)  # type: ignore[no-any-return]
    runtime, spec = found
    version = str(getattr(self, "version", "$LATEST"))
    addressed = invoked_arn.get()
    if addressed is None or _unqualified(addressed) != _unqualified(self.function_arn):
        addressed = self.function_arn
    return runtime.invoke_from_moto(
        spec,
        body,
        request_headers,
        response_headers,
        invoked_function_arn=addressed,
        version=version,
    )


#: `Invoke`'s `?Qualifier=` (moto 5 reads `qualifier` and so runs $LATEST whatever was asked).
_requested_qualifier: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "requested_qualifier", default=None
)


def _qualified_request(self: Any) -> Any:
    """Replacement of `moto.awslambda.responses.LambdaResponse.invoke`: keeps the Qualifier."""
    original = _MotoPatch._original_response_invoke
    if original is None:  # pragma: no cover - only if unpatched between lookup and call
        raise RuntimeError("moto Lambda patch removed during an invocation")
    token = _requested_qualifier.set(self._get_param("Qualifier"))
    try:
        return original(self)
    finally:
        _requested_qualifier.reset(token)


def _addressed_invoke(
    self: Any,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: Any,
) -> Any:
    """Replacement of `moto.awslambda.models.LambdaBackend.invoke` (Lambda's `Invoke`, also
    Step Functions' tasks): notes the ARN the caller named, qualifier included."""
    original = _MotoPatch._original_backend_invoke
    if original is None:  # pragma: no cover - only if unpatched between lookup and call
        raise RuntimeError("moto Lambda patch removed during an invocation")
    qualifier = qualifier or _requested_qualifier.get()
    if function_name.startswith("arn:"):
        arn = function_name
    else:
        arn = (
            f"arn:{self.partition}:lambda:{self.region_name}:{self.account_id}:"
            f"function:{function_name}"
        )
    if qualifier and arn.count(":") == 6:
        arn = f"{arn}:{qualifier}"
    with invoking(arn):
        return original(self, function_name, qualifier, body, headers, response_headers)
