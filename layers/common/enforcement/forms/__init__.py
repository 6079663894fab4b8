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

from enforcement.forms.answers import CheckResult, LanguageNotInForm, Problem, check
from enforcement.forms.model import Choice, FormDefinition, FormField, Language
from enforcement.forms.publish import publish
from enforcement.forms.render import render
from enforcement.forms.sheets import FormRejected
from enforcement.forms.xpath import WHITELIST

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
