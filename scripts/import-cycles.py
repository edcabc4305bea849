#!/usr/bin/env python3
"""Finds import cycles between the modules of each crate.

A module is a source file; module A depends on B when A names a path inside B
(`crate::b::…`, `super::…`, or a child's items from `mod.rs`) anywhere in its
code, `use` or not. Declaring a submodule (`mod b;`) is not a dependency.
Prints every cycle (strongly connected set of modules) and exits 1 if any.
Run from the repository root: `python3 scripts/import-cycles.py`.
"""
import os, re, sys

CRATES = {"src": "paws_inside", "app/src": "app", "server/src": "server", "anonymous-first/src": "anonymous_first"}
PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
COMMENT = re.compile(r"//[^\n]*")
GROUP = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^{}]*)\}")


def modules(root):
    found = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            parts = rel[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            found[tuple(parts)] = os.path.join(dirpath, f)
    return found


def resolve(mods, base, segs):
    """The deepest module named by base + segs."""
    path = list(base)
    best = tuple(path) if tuple(path) in mods else None
    for s in segs:
        path.append(s)
        if tuple(path) in mods:
            best = tuple(path)
        else:
            break
    return best


def deps(mods, me, text):
    text = COMMENT.sub("", text)
    out = set()
    # Expand `crate::a::{b, c::d}` into `crate::a::b` and `crate::a::c::d`.
    for m in GROUP.finditer(text):
        for item in m.group(3).split(","):
            item = item.strip().split(" as ")[0]
            if item and item != "self":
                text += f"\n{m.group(1)}{m.group(2)}::{item}"
    for m in PATH.finditer(text):
        kind, segs = m.group(1), m.group(2).strip(":").split("::")
        if kind == "crate":
            base = ()
        else:
            base = list(me)
            # `super` in a mod.rs file's module is its parent; in a leaf, the parent too.
            while segs and segs[0] == "super":
                segs = segs[1:]
                base = base[:-1]
            if kind == "super":
                base = base[:-1]
        target = resolve(mods, tuple(base), segs)
        if target is not None and target != me and not me[: len(target)] == target:
            out.add(target)
    return out


def cycles(graph):
    index, low, stack, on, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                result.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return result


found = False
for root, crate in CRATES.items():
    mods = modules(root)
    graph = {m: deps(mods, m, open(p).read()) for m, p in mods.items()}
    edges = sum(len(v) for v in graph.values())
    bad = cycles(graph)
    print(f"{crate}: {len(mods)} modules, {edges} dependencies, {len(bad)} cycles")
    for comp in bad:
        found = True
        print("  cycle:", " ⇄ ".join("::".join(c) or "(root)" for c in sorted(comp)))
sys.exit(1 if found else 0)
