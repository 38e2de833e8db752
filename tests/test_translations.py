"""The Simplified Chinese catalog (locale/zh_Hans) is complete, consistent and compiled.

Pure Python: the .po file is read with the small parser below and the .mo with the standard
library's ``gettext``, so the checks do not depend on the GNU gettext tools being installed.
"""

import ast
import gettext
import re
from collections import Counter
from pathlib import Path

import pytest
from django.utils import translation

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


class Entry:
    def __init__(self, lineno):
        self.lineno = lineno
        self.flags = set()
        self.fields = {}

    @property
    def msgid(self):
        return self.fields.get("msgid", "")

    @property
    def plural(self):
        return self.fields.get("msgid_plural")

    @property
    def msgstrs(self):
        return {k: v for k, v in self.fields.items() if k.startswith("msgstr")}

    @property
    def key(self):
        """The key the compiled catalog uses (context and msgid joined by EOT)."""
        if "msgctxt" in self.fields:
            return f"{self.fields['msgctxt']}\x04{self.msgid}"
        return self.msgid

    def __repr__(self):
        return f"line {self.lineno}: {self.msgid!r}"


def parse_po(text):
    """Entries of a .po file; obsolete (``#~``) entries are left out."""
    entries, current, field = [], None, None

    def finish():
        nonlocal current, field
        if current is not None and current.fields:
            entries.append(current)
        current, field = None, None

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            finish()
            continue
        match = KEYWORD.match(line)
        starts_entry = line.startswith("#") or (
            match and match.group(1) in ("msgctxt", "msgid") and current and current.msgstrs
        )
        if starts_entry and current is not None and current.fields:
            finish()
        if current is None:
            current = Entry(lineno)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match:
            field = match.group(1)
            current.fields[field] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and field:
            current.fields[field] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{PO_PATH.name}:{lineno}: cannot parse {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries():
    entries = parse_po(PO_PATH.read_text(encoding="utf-8"))
    assert entries and entries[0].msgid == "", "the catalog must start with its header"
    return entries


@pytest.fixture(scope="module")
def messages(po_entries):
    """Every entry except the header."""
    return [e for e in po_entries if e.msgid]


def placeholders(text):
    return Counter(PLACEHOLDER.findall(text))


def test_parser_reads_plural_and_multiline_entries():
    text = (
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        "#, python-format\n"
        'msgid ""\n"two %(n)s "\n"lines"\n'
        'msgid_plural "many %(n)s"\n'
        'msgstr[0] "两行 %(n)s"\n\n'
        "#, fuzzy\n"
        'msgid "x"\nmsgstr ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "旧"\n'
    )
    header, plural, fuzzy = parse_po(text)
    assert header.msgstrs == {"msgstr": "Language: zh_Hans\n"}
    assert plural.msgid == "two %(n)s lines"
    assert plural.plural == "many %(n)s"
    assert plural.msgstrs == {"msgstr[0]": "两行 %(n)s"}
    assert "python-format" in plural.flags
    assert "fuzzy" in fuzzy.flags


def test_header_declares_chinese_with_one_plural_form(po_entries):
    header = po_entries[0].msgstrs["msgstr"]
    assert "Language: zh_Hans\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=1; plural=0;" in header


def test_catalog_has_messages(messages):
    assert len(messages) > 100
    assert len({e.key for e in messages}) == len(messages), "duplicate msgids"


def test_no_fuzzy_entries(po_entries):
    fuzzy = [e for e in po_entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries (check them, then drop the flag): {fuzzy}"


def test_every_entry_is_translated(messages):
    untranslated = [e for e in messages if not e.msgstrs or not all(e.msgstrs.values())]
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_plural_entries_have_the_single_chinese_form(messages):
    for entry in messages:
        if entry.plural is None:
            assert set(entry.msgstrs) == {"msgstr"}, entry
        else:
            assert set(entry.msgstrs) == {"msgstr[0]"}, entry


def test_placeholders_are_kept(messages):
    problems = []
    for entry in messages:
        expected = placeholders(entry.msgid)
        allowed = set(expected) | set(placeholders(entry.plural or ""))
        for key, msgstr in entry.msgstrs.items():
            found = placeholders(msgstr)
            if entry.plural is None and found != expected:
                problems.append((entry, key, dict(expected), dict(found)))
            elif entry.plural is not None and (set(found) - allowed or set(expected) - set(found)):
                problems.append((entry, key, sorted(allowed), dict(found)))
    assert not problems, f"placeholders differ between msgid and msgstr: {problems}"


def test_python_format_translations_can_be_formatted(messages):
    class Values(dict):
        def __missing__(self, key):
            return 1

    for entry in messages:
        if "python-format" not in entry.flags:
            continue
        for msgstr in entry.msgstrs.values():
            try:
                msgstr % Values()
            except (TypeError, ValueError, KeyError) as exc:
                pytest.fail(f"{entry}: {msgstr!r} cannot be %-formatted: {exc}")


def test_sentences_use_full_width_punctuation(messages):
    """A translated sentence ends with 。 rather than an ASCII full stop."""
    for entry in messages:
        if entry.msgid.endswith(".") and not entry.msgid.endswith("..."):
            for msgstr in entry.msgstrs.values():
                assert not msgstr.endswith("."), f"{entry}: {msgstr!r}"


def test_compiled_catalog_matches_po(messages):
    assert MO_PATH.exists(), "run `manage.py compilemessages`"
    with MO_PATH.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    stale = []
    for entry in messages:
        if entry.plural is None:
            compiled = catalog._catalog.get(entry.key)
            if compiled != entry.msgstrs["msgstr"]:
                stale.append((entry, compiled))
        else:
            for n in (1, 2, 5):
                compiled = catalog._catalog.get((entry.key, catalog.plural(n)))
                if compiled != entry.msgstrs["msgstr[0]"]:
                    stale.append((entry, compiled))
    assert not stale, f"django.mo is out of date with django.po; recompile: {stale[:10]}"


def test_compiled_catalog_has_no_extra_messages(messages):
    with MO_PATH.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    keys = {e.key for e in messages} | {""}
    compiled = {k[0] if isinstance(k, tuple) else k for k in catalog._catalog}
    assert compiled <= keys, f"django.mo has messages not in django.po: {compiled - keys}"


def test_django_translates_to_simplified_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Quantity must be greater than zero.") == "数量必须大于零。"
        assert translation.gettext("work order") == "工单"
        assert translation.gettext("return (red issue)") == "退料（红字出库）"
    with translation.override("en"):
        assert translation.gettext("work order") == "work order"
