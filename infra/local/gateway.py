"""The local API Gateway: HTTP requests in, REST (v1) Lambda proxy events out.

Routes are the `Api` events of the template's functions. Each request becomes the event API
Gateway would send, the function's handler runs in this process (not through moto), and its
proxy response is written back. URLs are served at the root, without the stage prefix.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from infra.local.intrinsics import Intrinsics
from infra.local.lambdas import LambdaRuntime
from infra.local.records import DEFAULT_MAXLEN, RecentLog
from infra.local.template import Template, TemplateError

#: API Gateway's payload limit.
MAX_BODY_BYTES = 10 * 1024 * 1024
#: API Gateway's limits on the URL, and on the request line and headers together.
MAX_URL_BYTES = 8192
MAX_REQUEST_HEAD_BYTES = 10240
#: Pending connections the listening socket holds (http.server's default, 5, resets clients
#: as soon as a few more than five connect at once).
LISTEN_BACKLOG = 128
#: The methods API Gateway serves; anything else is refused with 405 before routing.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: `code` of the gateway's own refusals, by status.
_ERROR_CODES = {
    400: "bad_request",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    431: "request_headers_too_large",
    501: "not_implemented",
    505: "http_version_not_supported",
}

_TEXT_SUBTYPES = {"json", "xml", "x-www-form-urlencoded", "javascript", "yaml", "graphql", "csv"}


@dataclass(frozen=True)
class ApiConfig:
    """What a request context needs to know about the REST API a route belongs to."""

    logical_id: str
    api_id: str
    stage: str
    binary_media_types: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """One `Api` event: a path template and method served by a function."""

    method: str
    path: str
    function: str
    api: ApiConfig

    @property
    def segments(self) -> list[str]:
        return _split(self.path)

    def match(self, method: str, raw_path: str) -> dict[str, str] | None:
        """Decoded path parameters if the route serves this method and path, else None.

        Segments are split on the raw path and decoded one by one, so an encoded `/` (%2F)
        stays inside its segment.
        """
        if self.method not in ("ANY", method):
            return None
        return _match_segments(self.segments, [unquote(part) for part in _split(raw_path)])

    def specificity(self) -> tuple[tuple[int, ...], int]:
        """Literal segments beat `{param}`, which beats `{proxy+}`; a method beats ANY."""
        ranks = tuple(_segment_rank(segment) for segment in self.segments)
        return ranks, 0 if self.method == "ANY" else 1


def _split(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _segment_rank(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return 0
    if segment.startswith("{") and segment.endswith("}"):
        return 1
    return 2


def _match_segments(template: list[str], actual: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for index, segment in enumerate(template):
        rank = _segment_rank(segment)
        if rank == 0:
            rest = actual[index:]
            if not rest:
                return None
            params[segment[1:-2]] = "/".join(rest)
            return params
        if index >= len(actual):
            return None
        if rank == 1:
            params[segment[1:-1]] = actual[index]
        elif segment != actual[index]:
            return None
    return params if len(template) == len(actual) else None


def find_route(
    routes: list[Route], method: str, raw_path: str
) -> tuple[Route, dict[str, str]] | None:
    """The most specific route for a request (path as sent), with its path parameters."""
    matches = [
        (route, params) for route in routes if (params := route.match(method, raw_path)) is not None
    ]
    if not matches:
        return None
    return max(matches, key=lambda pair: pair[0].specificity())


def routes_from_template(template: Template, intrinsics: Intrinsics) -> list[Route]:
    """The `Api` events of every function of the SAM template."""
    apis: dict[str, ApiConfig] = {}
    routes: list[Route] = []
    for logical_id, resource in template.sam["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        events = (resource.get("Properties") or {}).get("Events") or {}
        for name, event in events.items():
            if event.get("Type") == "HttpApi":
                raise TemplateError(f"{logical_id}.{name}: HttpApi events are not served locally")
            if event.get("Type") != "Api":
                continue
            props = event.get("Properties") or {}
            api_id = _api_logical_id(props.get("RestApiId"))
            if api_id not in apis:
                apis[api_id] = _api_config(template, intrinsics, api_id)
            method = str(props["Method"]).upper()
            routes.append(Route(method, str(props["Path"]), logical_id, apis[api_id]))
    return routes


def _api_logical_id(rest_api_id: Any) -> str:
    if rest_api_id is None:
        return "ServerlessRestApi"
    if isinstance(rest_api_id, dict) and "Ref" in rest_api_id:
        return str(rest_api_id["Ref"])
    raise TemplateError(f"RestApiId {rest_api_id!r} must be a Ref to an API of the template")


def _api_config(template: Template, intrinsics: Intrinsics, api_logical_id: str) -> ApiConfig:
    resources = template.resources
    rest_api = resources.get(api_logical_id, {}).get("Properties") or {}
    stage = "Prod"
    for resource in resources.values():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::ApiGateway::Stage" and props.get("RestApiId") == {
            "Ref": api_logical_id
        }:
            stage = str(intrinsics.resolve(props.get("StageName")))
    binary = intrinsics.resolve(rest_api.get("BinaryMediaTypes")) or []
    api_id = str(intrinsics.refs.get(api_logical_id, api_logical_id.lower()[:10]))
    return ApiConfig(api_logical_id, api_id, stage, tuple(str(item) for item in binary))


# ---------------------------------------------------------------------------------- events


@dataclass(frozen=True)
class HttpRequest:
    """A request as received, before it becomes an API Gateway event."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str


def _multi(
    pairs: list[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """Single- and multi-value maps of repeated names, as API Gateway builds them."""
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def _is_binary(content_type: str | None, body: bytes, binary_types: tuple[str, ...]) -> bool:
    """Whether API Gateway would hand the body to Lambda base64-encoded.

    Types listed in the API's BinaryMediaTypes are binary; so is any type that is not text
    (text/*, JSON, XML, forms, ...). Without a content type, a body that is not UTF-8 is binary.
    """
    media = (content_type or "").split(";")[0].strip().lower()
    if any(fnmatch.fnmatch(media, pattern.lower()) for pattern in binary_types if media):
        return True
    if not media:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    major, _, minor = media.partition("/")
    suffix = minor.rsplit("+", 1)[-1]
    return not (major == "text" or minor in _TEXT_SUBTYPES or suffix in {"json", "xml"})


def build_event(
    request: HttpRequest, route: Route, params: dict[str, str], account_id: str
) -> dict[str, Any]:
    """The REST API (v1) Lambda proxy event API Gateway sends for this request."""
    split = urlsplit(request.target)
    path = unquote(split.path) or "/"
    headers = _with_forwarding_headers(request)
    single_headers, multi_headers = _multi(headers)
    single_query, multi_query = _multi(parse_qsl(split.query, keep_blank_values=True))
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    body: str | None = None
    is_base64 = False
    if request.body:
        is_base64 = _is_binary(content_type, request.body, route.api.binary_media_types)
        if is_base64:
            body = base64.b64encode(request.body).decode()
        else:
            body = request.body.decode("utf-8", errors="replace")
    now = time.time()
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": request.method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": _request_context(request, route, path, account_id, now),
        "body": body,
        "isBase64Encoded": is_base64,
    }


def _with_forwarding_headers(request: HttpRequest) -> list[tuple[str, str]]:
    names = {name.lower() for name, _ in request.headers}
    headers = list(request.headers)
    port = request.host.rsplit(":", 1)[-1] if ":" in request.host else "80"
    for name, value in (
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Port", port),
        ("X-Forwarded-Proto", "http"),
    ):
        if name.lower() not in names:
            headers.append((name, value))
    return headers


def _request_context(
    request: HttpRequest, route: Route, path: str, account_id: str, now: float
) -> dict[str, Any]:
    user_agent = next((v for k, v in request.headers if k.lower() == "user-agent"), None)
    request_id = str(uuid.uuid4())
    return {
        "accountId": account_id,
        "apiId": route.api.api_id,
        "domainName": request.host,
        "domainPrefix": request.host.split(".")[0].split(":")[0],
        "extendedRequestId": base64.b64encode(uuid.uuid4().bytes[:12]).decode(),
        "httpMethod": request.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": user_agent,
            "userArn": None,
        },
        "path": f"/{route.api.stage}{path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, route.path).hex[:6],
        "resourcePath": route.path,
        "stage": route.api.stage,
    }


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def json_response(status: int, document: Any) -> HttpResponse:
    body = json.dumps(document).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


def error_response(status: int, message: str) -> HttpResponse:
    """A refusal of the gateway itself, in the API's error model: {code, message}."""
    return json_response(
        status, {"code": _ERROR_CODES.get(status, "bad_request"), "message": message}
    )


def response_from_proxy_result(result: Any) -> HttpResponse:
    """The HTTP response for a Lambda proxy result; 502 like API Gateway if it is malformed."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int | str):
        return json_response(502, {"code": "internal_error", "message": "Internal server error"})
    try:
        status = int(result["statusCode"])
        body_text = result.get("body") or ""
        if result.get("isBase64Encoded"):
            body = base64.b64decode(body_text)
        else:
            body = str(body_text).encode()
    except (ValueError, TypeError):
        return json_response(502, {"code": "internal_error", "message": "Internal server error"})
    headers: list[tuple[str, str]] = []
    multi: Mapping[str, Any] = result.get("multiValueHeaders") or {}
    for name, values in multi.items():
        headers.extend((name, str(value)) for value in values)
    seen = {name.lower() for name in multi}
    for name, value in (result.get("headers") or {}).items():
        if name.lower() not in seen:
            headers.append((name, str(value)))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status, headers, body)


# ---------------------------------------------------------------------------------- server


@dataclass(frozen=True)
class ApiCall:
    """One request the gateway answered."""

    method: str
    path: str
    status: int
    function: str | None
    duration_ms: float


class ApiGateway:
    """A threaded HTTP server on 127.0.0.1 that serves the template's routes."""

    def __init__(
        self,
        routes: list[Route],
        runtime: LambdaRuntime,
        *,
        account_id: str,
        port: int = 0,
        quiet: bool = True,
        record_limit: int = DEFAULT_MAXLEN,
    ) -> None:
        self.routes = routes
        self.runtime = runtime
        self.account_id = account_id
        #: The last `record_limit` requests answered (a bounded log: see infra.local.records).
        self.calls: RecentLog[ApiCall] = RecentLog(record_limit)
        self._quiet = quiet
        self._server = _Server(("127.0.0.1", port), _handler_class(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-api-gateway", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def handle(self, request: HttpRequest) -> tuple[HttpResponse, str | None]:
        """Answer one request: route, build the event, run the handler, map the result."""
        raw_path = urlsplit(request.target).path or "/"
        path = unquote(raw_path)
        found = find_route(self.routes, request.method, raw_path)
        if found is None:
            message = f"no route for {request.method} {path}"
            return json_response(404, {"code": "route_not_found", "message": message}), None
        route, params = found
        event = build_event(request, route, params, self.account_id)
        result = self.runtime.invoke(route.function, event, "apigateway")
        if result.error is not None:
            return json_response(
                502, {"code": "internal_error", "message": "Internal server error"}
            ), route.function
        return response_from_proxy_result(result.payload), route.function

    def record(self, call: ApiCall) -> None:
        self.calls.append(call)
        if not self._quiet:
            target = f" -> {call.function}" if call.function else ""
            sys.stderr.write(
                f"[api] {call.method} {call.path} {call.status}{target} {call.duration_ms:.1f} ms\n"
            )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG


class _BodyTooLarge(Exception):
    pass


class _BadLength(Exception):
    pass


def _handler_class(gateway: ApiGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(_GatewayRequestHandler):
        pass

    Handler.gateway = gateway
    return Handler


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    """Reads a request, hands it to the gateway, writes the answer (HTTP/1.1, keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "LocalApiGateway"
    gateway: ApiGateway

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def do_TRACE(self) -> None:
        self._refuse(405, f"{self.command} is not supported")

    def do_CONNECT(self) -> None:
        self._refuse(405, f"{self.command} is not supported")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, a line or header block too
        long, too many headers, an unknown method) answered as API Gateway does: JSON with
        `code` and `message`, never an HTML page."""
        if code == 501:  # a method http.server has no handler for
            code, message = 405, f"{self.command} is not supported"
        self.close_connection = True
        self._refuse(code, message or self.responses.get(code, ("refused",))[0])

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = self.protocol_version  # write a status line and headers
        response = error_response(status, message)
        if status == 405:
            response.headers.append(("Allow", ", ".join(METHODS)))
        self._write(response)
        path = urlsplit(self.path).path if isinstance(getattr(self, "path", None), str) else ""
        self.gateway.record(ApiCall(str(self.command or "?"), path, status, None, 0.0))

    def _head_too_large(self) -> HttpResponse | None:
        """414 / 431 when the URL, or the request line and headers, are over API Gateway's
        limits (http.server's own limits are 64 KiB a line)."""
        if len(self.path.encode("utf-8", "surrogateescape")) > MAX_URL_BYTES:
            return error_response(414, f"the URL is longer than {MAX_URL_BYTES} bytes")
        size = len(self.requestline) + sum(len(k) + len(v) + 4 for k, v in self.headers.items())
        if size > MAX_REQUEST_HEAD_BYTES:
            return error_response(
                431, f"the request line and headers exceed {MAX_REQUEST_HEAD_BYTES} bytes"
            )
        return None

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are logged by the gateway (`ApiGateway.record`), not here."""

    def _serve(self) -> None:
        start = time.monotonic()
        function: str | None = None
        refused = self._head_too_large()
        if refused is not None:
            self._discard_body()
            self.close_connection = True
            self._write(refused)
            path = urlsplit(self.path).path[:200]
            self.gateway.record(ApiCall(self.command, path, refused.status, None, 0.0))
            return
        try:
            request = HttpRequest(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=self._read_body(),
                source_ip=self.client_address[0],
                host=self.headers.get("Host", f"127.0.0.1:{self.gateway.port}"),
            )
            response, function = self.gateway.handle(request)
        except _BadLength:
            response = error_response(400, "Content-Length is not a number of bytes")
            self.close_connection = True
        except _BodyTooLarge:
            response = error_response(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
            self.close_connection = True
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = json_response(
                500, {"code": "internal_error", "message": "Internal server error"}
            )
        self._write(response)
        duration_ms = (time.monotonic() - start) * 1000
        path = urlsplit(self.path).path
        self.gateway.record(ApiCall(self.command, path, response.status, function, duration_ms))

    def _read_body(self) -> bytes:
        """The request body; a body over the limit is read to its end, discarded, and refused
        (so the client gets the 413 instead of a reset connection)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw_length = (self.headers.get("Content-Length") or "0").strip()
        if not raw_length.isdigit():
            raise _BadLength
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            self._discard(length)
            raise _BodyTooLarge
        return self.rfile.read(length) if length else b""

    def _discard_body(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return
        if 0 < length <= MAX_BODY_BYTES:
            self._discard(length)

    def _discard(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                return
            length -= len(chunk)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                if total > MAX_BODY_BYTES:
                    raise _BodyTooLarge
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                self._discard(size)
            else:
                chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
