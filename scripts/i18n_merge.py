"""Merge a freshly exported .pot into a .po, keeping translations by msgid.

Usage: i18n_merge.py TEMPLATE.pot TARGET.po [OTHER.po ...]
Translations are taken from TARGET and then from each OTHER (for merging branches).
Prints the untranslated terms and exits 1 when there are any.
"""

import sys

import polib


def main(pot_path, po_path, *others):
    template = polib.pofile(pot_path)
    known = {}
    for path in (po_path, *others):
        try:
            for entry in polib.pofile(path):
                if entry.msgstr and (entry.msgctxt, entry.msgid) not in known:
                    known[(entry.msgctxt, entry.msgid)] = entry.msgstr
        except OSError:
            continue
    template.metadata.update(
        {
            "Language": "es_419",
            "Language-Team": "Spanish (Latin America)",
            "Plural-Forms": "nplurals=2; plural=(n != 1);",
        }
    )
    missing = []
    for entry in template:
        entry.msgstr = known.get((entry.msgctxt, entry.msgid), "")
        if not entry.msgstr:
            missing.append(entry.msgid)
    template.save(po_path)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(template) - len(missing)} translated, {len(missing)} untranslated -> {po_path}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
