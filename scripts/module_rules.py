#!/usr/bin/env python3
"""The module rules `make lint` holds the crates to, read from the sources.

- No import circle between the modules of a crate: module A uses B and B
  (directly or through others) uses A. A module is a source file; what a
  file uses is every `crate::…` and `super::…` path in its code outside
  `#[cfg(test)]` blocks, resolved to the deepest module file it names.
- In `api`, only `routes/`, `openapi.rs` and `startup.rs` use `routes`.

Usage: module_rules.py [--list]   (--list prints every module's uses)
Exit status 1 when a rule is broken, each break said on stderr.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRATES = {"domain": "domain/src", "app": "app/src", "persistence": "persistence/src", "api": "api/src"}
PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{")


def module_of(src: Path, file: Path) -> tuple:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return tuple(parts)


def without_tests(text: str) -> str:
    """The text without `#[cfg(test)]` items (a module or function and its braces)."""
    out, i = [], 0
    while True:
        at = text.find("#[cfg(test)]", i)
        if at < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:at])
        brace = text.find("{", at)
        semicolon = text.find(";", at)
        if semicolon >= 0 and (brace < 0 or semicolon < brace):
            i = semicolon + 1
            continue
        depth, j = 0, brace
        while j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                break
        i = j


def group_paths(text: str, start: int) -> list:
    """The paths inside a `use …::{…}` group starting at `start` (just past the brace), nested groups expanded."""
    depth, j = 1, start
    while j < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        j += 1
    inner = text[start : j - 1]
    paths, prefix, token = [], [], ""
    stack = []
    for ch in inner + ",":
        if ch == "{":
            stack.append(token.strip().rstrip(":"))
            token = ""
        elif ch in ",}":
            name = token.strip()
            if name:
                paths.append("::".join([p for p in stack if p] + [name]))
            token = ""
            if ch == "}":
                stack.pop()
        else:
            token += ch
    del prefix
    return paths


def uses(module: tuple, text: str, modules: set) -> set:
    found = set()
    code = without_tests(text)
    # Comments and strings say nothing about what a module uses.
    code = re.sub(r"//[^\n]*", "", code)
    code = re.sub(r'"(?:\\.|[^"\\])*"', '""', code)
    refs = []
    for match in GROUP.finditer(code):
        base = match.group(2).strip(":").split("::") if match.group(2) else []
        for inner in group_paths(code, match.end()):
            refs.append((match.group(1), base + [p for p in inner.split("::") if p]))
    for match in PATH.finditer(code):
        refs.append((match.group(1), match.group(2).strip(":").split("::")))
    for root, parts in refs:
        if root == "crate":
            path = parts
        else:
            here = list(module)
            # `super` in a file `a/b.rs` names `a`; each further `super` goes one up.
            here = here[:-1]
            while parts and parts[0] == "super":
                here, parts = here[:-1], parts[1:]
            path = here + parts
        for cut in range(len(path), -1, -1):
            target = tuple(path[:cut])
            if target in modules:
                if target != module and target != ():
                    found.add(target)
                break
    return found


def circles(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def name(module: tuple) -> str:
    return "::".join(module) or "(crate root)"


def main() -> int:
    broken = []
    listing = "--list" in sys.argv
    for crate, folder in CRATES.items():
        src = ROOT / folder
        files = {module_of(src, f): f for f in sorted(src.rglob("*.rs"))}
        modules = set(files)
        graph = {m: uses(m, f.read_text(), modules) for m, f in files.items()}
        if listing:
            for m in sorted(graph):
                print(f"{crate}::{name(m)} -> {', '.join(name(t) for t in sorted(graph[m]))}")
        for component in circles(graph):
            broken.append(f"{crate}: an import circle between {', '.join(name(m) for m in component)}")
        if crate == "api":
            allowed = lambda m: m[:1] == ("routes",) or m in (("openapi",), ("startup",))
            for m, targets in sorted(graph.items()):
                if not allowed(m) and any(t[:1] == ("routes",) for t in targets):
                    broken.append(f"api: {name(m)} uses routes (only routes/, openapi.rs and startup.rs may)")
    for line in broken:
        print(line, file=sys.stderr)
    if not broken:
        print("module rules: ok")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
