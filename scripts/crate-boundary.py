#!/usr/bin/env python3
"""Keeps the identity crate (`anonymous-first/`) free of its first user.

The crate must never name the app: no Paws Inside name, brand or table in
its code, docs, tests or manifest, and no dependency on the app's crates.
Exits 1 and prints each line that does. Run from the repository root:
`python3 scripts/crate-boundary.py`.
"""
import os, re, sys

CRATE = "anonymous-first"
# The app's name and brand, and the words of its tables (dogs, venues,
# photos and their reports, saved places, policy proposals, the funnel).
APP = re.compile(r"paws|dog|venue|photo|saved_place|polic(y|ies)_proposal|funnel|leptos", re.I)
APP_CRATES = re.compile(r"^\s*(paws_inside|app|server)\s*=")

# Data, not words of ours: the list of passwords attackers try first.
DATA = {"common_passwords.txt"}

found = []
for dirpath, _, files in os.walk(CRATE):
    for f in files:
        if f in DATA:
            continue
        path = os.path.join(dirpath, f)
        with open(path, encoding="utf-8", errors="replace") as text:
            for n, line in enumerate(text, 1):
                if APP.search(line):
                    found.append(f"{path}:{n}: {line.rstrip()}")
with open(os.path.join(CRATE, "Cargo.toml"), encoding="utf-8") as manifest:
    section = ""
    for line in manifest:
        if line.startswith("["):
            section = line.strip()
        elif "dependencies" in section and (m := APP_CRATES.match(line)):
            found.append(f"{CRATE}/Cargo.toml: {section} names the app's crate {m.group(1)}")
if found:
    print("The identity crate names its app:", *found, sep="\n  ")
    sys.exit(1)
