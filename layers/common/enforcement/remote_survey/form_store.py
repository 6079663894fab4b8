"""Published forms: versions 1, 2, … per form id, each immutable, and read back per process.

Publishing compiles the XLSForm (`enforcement.forms.publish`, every problem at once), then puts
the version's item on condition that it does not exist (two admins publishing at once get two
numbers, never one overwritten), in the transaction of its audit entry, and stores the compiled
definition in the upload bucket under `survey/forms/<form_id>/<version>.json`. The same content
published again (same content hash) is the version already there: nothing is written.

A definition never changes once published, so a process keeps those it read
(`definition`): a form is read from S3 once per process and version, and its expressions are
parsed once (the engine's own cache).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, forms, jurisdictions, uploads
from enforcement.auth import Principal, Role
from enforcement.errors import Conflict, Forbidden, NotFound, UpstreamError
from enforcement.forms import FormDefinition
from enforcement.forms.sheets import FormRejected, problem
from enforcement.remote_survey.models import SurveyForm

PREFIX = "survey/forms"
#: A form id goes into keys and paths: letters, digits, `_`, `-`, `.`.
FORM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
#: Definitions kept per process (the 12-language arrival form is ~125 kB as JSON).
CACHED = 32
#: A lost race for a version number is retried this many times.
ATTEMPTS = 5

_cache: OrderedDict[tuple[str, int], FormDefinition] = OrderedDict()
#: Version items read (they never change once written): a declaration's form costs no read.
_items: dict[tuple[str, int], SurveyForm] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Published:
    form: SurveyForm
    created: bool  # False: the same content was published before as this version


class _VersionTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("form_version_taken", "another version was published meanwhile")


def definition_key(form_id: str, version: int) -> str:
    return f"{PREFIX}/{form_id}/{version}.json"


def audit_chain(agency: str | None) -> audit.Partition:
    """The audit partition of the remote survey of `agency`."""
    return audit.chain_for("remote_survey", agency)


def publish(principal: Principal, source: bytes | Mapping[str, Any]) -> Published:
    """Publish a version of a form (admins of an agency): 422 `form_rejected` with every
    problem; 403 `form_of_another_agency` when the form id is another agency's."""
    agency = access.agency_admin(principal)
    definition = forms.publish(source)
    form_id = definition.form_id
    if not FORM_ID.match(form_id):
        raise FormRejected(
            [
                problem(
                    "invalid_form_id",
                    "settings.form_id must be a letter then letters, digits, _, - or . "
                    "(at most 64)",
                    column="form_id",
                )
            ]
        )
    for _ in range(ATTEMPTS):
        versions = versions_of(form_id)
        if versions and versions[0].agency != agency:
            raise Forbidden("form_of_another_agency", f"form {form_id} belongs to another agency")
        same = next((v for v in versions if v.content_hash == definition.content_hash), None)
        if same is not None:
            _store(same, definition)  # heals a definition lost between the item and S3
            return Published(same, created=False)
        number = max((int(v.version) for v in versions), default=0) + 1
        item = SurveyForm(
            form_id,
            number,
            agency=agency,
            declared_version=definition.version,
            title=definition.title,
            languages=definition.language_codes,
            content_hash=definition.content_hash,
            definition_key=definition_key(form_id, number),
            published_at=clock.iso(),
            published_by=principal.account_id,
        )
        event = audit.AuditEvent(
            principal.actor,
            "survey_form.publish",
            f"survey_form:{form_id}",
            {"version": number, "content_hash": definition.content_hash},
        )
        try:
            audit.commit(
                event,
                _put_new(item),
                on_conflict=_VersionTaken(),
                chain=audit_chain(agency),
            )
        except _VersionTaken:
            continue
        _store(item, definition, force=True)
        return Published(item, created=True)
    raise Conflict("form_busy", "too many versions published at once; try again")


def _put_new(item: SurveyForm) -> Callable[[TransactWrite], None]:
    def writes(tx: TransactWrite) -> None:
        tx.save(item, condition=SurveyForm.form_id.does_not_exist())

    return writes


def _store(item: SurveyForm, definition: FormDefinition, *, force: bool = False) -> None:
    key = (item.form_id, int(item.version))
    with _lock:
        known = key in _cache
    if force or not known:
        uploads.put_document(item.definition_key, definition.to_json())
        _remember(key, definition)


def _remember(key: tuple[str, int], definition: FormDefinition) -> None:
    with _lock:
        _cache[key] = definition
        _cache.move_to_end(key)
        while len(_cache) > CACHED:
            dropped, _ = _cache.popitem(last=False)
            _items.pop(dropped, None)


def versions_of(form_id: str) -> list[SurveyForm]:
    """Every published version of a form, the first one first."""
    if not FORM_ID.match(form_id):
        return []
    return list(SurveyForm.query(form_id, consistent_read=True))


def version_item(form_id: str, version: int | None = None) -> SurveyForm:
    """A version's item (the latest when `version` is None); 404 `form_not_found`."""
    named = f"{form_id} version {version}" if version else form_id
    missing = NotFound("form_not_found", f"no published form {named}")
    if not FORM_ID.match(form_id):
        raise missing
    if version is None:
        latest = list(SurveyForm.query(form_id, scan_index_forward=False, limit=1))
        if not latest:
            raise missing
        _items[(form_id, int(latest[0].version))] = latest[0]
        return latest[0]
    known = _items.get((form_id, version))
    if known is not None:
        return known
    try:
        item = SurveyForm.get(form_id, version)
    except SurveyForm.DoesNotExist:
        raise missing from None
    _items[(form_id, version)] = item
    return item


def definition(item: SurveyForm) -> FormDefinition:
    """The compiled form of a version: from this process's cache, else from S3 (checked
    against the item's content hash)."""
    key = (item.form_id, int(item.version))
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        loaded = FormDefinition.from_json(uploads.get_document(item.definition_key))
    except ClientError as exc:
        raise UpstreamError(
            "form_unavailable", f"form {item.form_id} version {item.version} cannot be read"
        ) from exc
    if loaded.content_hash != item.content_hash:
        raise UpstreamError(
            "form_unavailable",
            f"form {item.form_id} version {item.version} does not match its hash",
        )
    _remember(key, loaded)
    return loaded


def form(form_id: str, version: int | None = None) -> tuple[SurveyForm, FormDefinition]:
    """A published version (the latest by default) and its compiled form."""
    item = version_item(form_id, version)
    return item, definition(item)


def readable(principal: Principal, item: SurveyForm) -> None:
    """Who reads a published form (docs/remote-survey.md, "Who reads a form"): every
    mini-program account (a traveller declares at any port, and a form's text is public: it
    asks, it holds no answer); a kiosk session, the forms of its port's agency; officers and
    admins, their own agency's forms (`access.in_agency`, READ). Anyone else gets 404
    `form_not_found`, the answer a form that does not exist gets; no token is 401 before this."""
    hidden = NotFound("form_not_found", f"no published form {item.form_id}")
    if principal.role is Role.CREW:
        return
    if principal.role is Role.TRAVELLER:
        if jurisdictions.owner(principal.jurisdiction) != item.agency:
            raise hidden
        return
    access.in_agency(principal, item.agency, access.Action.READ, hidden=hidden)
