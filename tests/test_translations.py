"""The Simplified Chinese catalog is complete and compiled."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid "(.*)"', block, re.M)
        if not msgid or (msgid.group(1) == "" and "msgid_plural" not in block
                         and 'msgid ""\nmsgstr ""\n"' in block and "Project-Id" in block):
            continue
        yield block


def test_every_message_is_translated_and_none_is_fuzzy():
    missing, fuzzy = [], []
    for block in _entries():
        if re.search(r"^#,.*fuzzy", block, re.M):
            fuzzy.append(block)
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.M)
        if any(not (head + tail.replace('"', "").replace("\n", "")) for head, tail in strs):
            missing.append(block.splitlines()[-2:])
    assert fuzzy == []
    assert missing == []


def test_catalog_is_compiled_and_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Sign in") == "登录"
