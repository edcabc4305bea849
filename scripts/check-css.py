#!/usr/bin/env python3
"""Checks that style/main.css is flat, balanced CSS.

We write plain CSS with no nesting: a rule left open by a merge (a missing
`}`) makes every rule after it a nested rule of that one, which browsers
read as selectors under it, so whole sections silently stop applying. The
only blocks allowed inside another are those of at-rules (`@media`,
`@supports`, `@layer`, `@container`, `@keyframes`' steps). Prints where a
block opens inside a style rule, or where braces do not balance, and exits 1.
Run from the repository root: `python3 scripts/check-css.py [file]`.
"""
import re, sys


def problems(text):
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', lambda m: " " * len(m.group()), text)
    stack, start, found = [], 0, []
    for i, ch in enumerate(text):
        if ch not in "{}":
            continue
        line = text.count("\n", 0, i) + 1
        if ch == "{":
            head = text[start:i].split(";")[-1].strip()
            at_rule = head.startswith("@")
            if stack and not stack[-1][1] and not at_rule:
                found.append(f"line {line}: '{' '.join(head.split())[:60]}' opens inside the rule from line {stack[-1][0]}")
            # A keyframes step sits inside an at-rule: fine.
            stack.append((line, at_rule))
        else:
            if not stack:
                found.append(f"line {line}: a '}}' closes nothing")
            else:
                stack.pop()
        start = i + 1
    for line, _ in stack:
        found.append(f"line {line}: the block opened here is never closed")
    return found


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "style/main.css"
    found = problems(open(path, encoding="utf-8").read())
    for p in found:
        print(f"{path}: {p}")
    sys.exit(1 if found else 0)
