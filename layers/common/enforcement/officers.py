"""Officer profiles: what dispatch and duty know of an officer account beyond its login.

An officer's qualifications, whether they are on duty, their open assignments, declared
conflicts of interest and public id. Random dispatch draws inspectors from these profiles and
the duty rota staffs its tasks from them; both capabilities read this one table.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from enforcement.db import table_meta
from enforcement.models import _index_meta


class InspectorAgencyIndex(GlobalSecondaryIndex["InspectorProfile"]):
    Meta = _index_meta("by_agency")
    agency = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute(range_key=True)


class InspectorProfile(Model):
    """What a draw or a rota needs to know of an officer account: qualifications, roster,
    workload and declared conflicts of interest."""

    Meta = table_meta("DISPATCH_INSPECTORS_TABLE", "dispatch-inspectors")

    account_id = UnicodeAttribute(hash_key=True)
    agency = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    qualifications = ListAttribute[str](of=UnicodeAttribute)  # type: ignore[arg-type]
    on_duty = BooleanAttribute(default=False)
    open_assignments = NumberAttribute(default=0)
    conflicts = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    last_draw_id = UnicodeAttribute(null=True)  # the last draw whose assignments were counted
    updated_at = UnicodeAttribute()
    #: The inspector's id in snapshots, results and public pages: random, never the account's
    #: name (`dispatch.inspectors`); set once, kept for good.
    public_id = UnicodeAttribute(null=True)

    by_agency = InspectorAgencyIndex()
