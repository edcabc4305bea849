#!/usr/bin/env python3
"""Keeps "who a session is" changing in one place.

The identity crate's `TypedSession::open` (a new session row for a new user)
and `next_row` (for a flow writing the row in a statement of its own, as the
crate's guest mint does) are public, as a library's must be; in this app only
the one ending (`src/auth/ending/`) opens a session, and nothing writes a
session row itself.
Exits 1 and prints every other call. Run from the repository root:
`python3 scripts/one-ending.py`.
"""
import os, re, sys

ALLOWED = {
    os.path.join("src", "auth", "ending", "mod.rs"): "open",
}
CALLS = {
    "open": re.compile(r"session\s*\.\s*open\s*\("),
    "next_row": re.compile(r"\.\s*next_row\s*\("),
}

found = []
for root in ("src", "app", "server"):
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(dirpath, f)
            text = open(path, encoding="utf-8").read()
            for name, call in CALLS.items():
                for m in call.finditer(text):
                    if ALLOWED.get(path) != name:
                        line = text.count("\n", 0, m.start()) + 1
                        found.append(f"{path}:{line}: {name}")
if found:
    print("A session changes outside the one ending:", *found, sep="\n  ")
    sys.exit(1)
