"""Forms as data: XLSForm published, rendered per language, evaluated and checked here.

- `publish(source)`: `.xlsx` bytes or `{"survey": [...], "choices": [...], "settings": [...]}`
  → `FormDefinition` (immutable, canonical JSON, content hash), or `FormRejected` naming every
  problem;
- `render(form, lang)`: what a mini-program draws, in one language (`"direction": "rtl"` for
  Arabic);
- `check(form, answers, lang)`: every problem of a submission at once, per field, in that
  language; calculations computed here.

Pure (no I/O): storage and routes belong to the capability that uses a form. docs/forms.md
describes the accepted XLSForm subset and the functions of the whitelist.
"""

import importlib
from typing import TYPE_CHECKING, Any

from enforcement.forms.model import Choice, FormDefinition, FormField, Language
from enforcement.forms.sheets import FormRejected

if TYPE_CHECKING:
    from enforcement.forms.answers import CheckResult, LanguageNotInForm, Problem, check
    from enforcement.forms.publishing import publish
    from enforcement.forms.rendering import render
    from enforcement.forms.xpath import WHITELIST

#: Imported when first asked for: the XPath engine takes ~0.5 s to import and the XLSForm
#: compiler ~1 s; a function that only reads a form's choices needs neither.
_LAZY = {
    "CheckResult": "answers",
    "LanguageNotInForm": "answers",
    "Problem": "answers",
    "check": "answers",
    "publish": "publishing",
    "render": "rendering",
    "WHITELIST": "xpath",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"enforcement.forms.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "WHITELIST",
    "CheckResult",
    "Choice",
    "FormDefinition",
    "FormField",
    "FormRejected",
    "Language",
    "LanguageNotInForm",
    "Problem",
    "check",
    "publish",
    "render",
]
