"""The default zones on the held-out photographs: photos of people the zones were not fitted
on (docs/benchmarks.md, "Face decisions") are never decided wrongly by an automatic "no" to a
genuine new photo, nor an automatic "yes" to another person."""

from __future__ import annotations

from enforcement.face.configured import match_zones, replay_zones
from enforcement.face.engine import EngineConfig
from enforcement.face.zone_calibration import encode_all, pairs, same_photographs, split
from enforcement.face.zone_fit import assess

from tests import photos

#: The split the defaults were fitted with (docs/benchmarks.md).
SHARE, SEED = 0.4, 0


def test_default_zones_on_the_held_out_identities() -> None:
    folder = photos.identities_folder()
    chosen = split(photos.identities(), SHARE, SEED)
    encoded = encode_all(folder, EngineConfig(), people=chosen.held_out, with_copies=False)
    assert all(e.template is not None for e in encoded), [e.error for e in encoded]
    held = pairs(encoded, chosen.held_out, same_photographs(folder))
    result = assess(match_zones(), replay_zones(), held.genuine, held.impostor, held.copies)
    # enough of each to mean something: several people with several photos, and others
    assert result.genuine >= 100
    assert result.impostor >= 300
    assert result.genuine_refused == 0, "a genuine new photo refused automatically"
    assert result.impostor_accepted == 0, "another person accepted automatically"
    # the versions of one photograph among them are copies, and refused
    assert result.copies_refused == result.copies >= 1
