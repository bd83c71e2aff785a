"""Checks that the page's JS and CSS use nothing Chrome 69 (Car Thing v3/v4.0) lacks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import esprima

# Built-ins and methods newer than Chrome 69, found by name in the token stream.
JS_MISSING = {
    "replaceAll": "String.prototype.replaceAll (Chrome 85)",
    "allSettled": "Promise.allSettled (Chrome 76)",
    "fromEntries": "Object.fromEntries (Chrome 73)",
    "matchAll": "String.prototype.matchAll (Chrome 73)",
    "globalThis": "globalThis (Chrome 71)",
    "structuredClone": "structuredClone (Chrome 98)",
    "queueMicrotask": "queueMicrotask (Chrome 71)",
    "hasOwn": "Object.hasOwn (Chrome 93)",
    "findLast": "Array.prototype.findLast (Chrome 97)",
    "findLastIndex": "Array.prototype.findLastIndex (Chrome 97)",
    "toSorted": "Array.prototype.toSorted (Chrome 110)",
    "groupBy": "Object.groupBy (Chrome 117)",
    "WeakRef": "WeakRef (Chrome 84)",
    "AggregateError": "AggregateError (Chrome 85)",
    "wakeLock": "Wake Lock API (Chrome 84)",
}
# Ways to turn strings into markup: network text must go in with textContent.
JS_MARKUP = {"innerHTML", "outerHTML", "insertAdjacentHTML", "write", "writeln", "DOMParser"}

CSS_MISSING_PROPS = {
    "gap": "flexbox gap (Chrome 84); use grid-gap in grids, margins in flex",
    "row-gap": "row-gap (flex: Chrome 84); use grid-gap",
    "column-gap": "column-gap (flex: Chrome 84); use grid-gap",
    "inset": "inset (Chrome 87)",
    "aspect-ratio": "aspect-ratio (Chrome 88)",
    "backdrop-filter": "backdrop-filter (Chrome 76)",
    "-webkit-backdrop-filter": "backdrop-filter (Chrome 76)",
    "accent-color": "accent-color (Chrome 93)",
    "content-visibility": "content-visibility (Chrome 85)",
    "container": "container queries (Chrome 105)",
    "container-type": "container queries (Chrome 105)",
    "translate": "individual transform properties (Chrome 104)",
    "rotate": "individual transform properties (Chrome 104)",
    "scale": "individual transform properties (Chrome 104)",
    "scrollbar-gutter": "scrollbar-gutter (Chrome 94)",
}
CSS_MISSING_TEXT = {
    ":is(": ":is() (Chrome 88)",
    ":where(": ":where() (Chrome 88)",
    ":has(": ":has() (Chrome 105)",
    ":focus-visible": ":focus-visible (Chrome 86)",
    "clamp(": "clamp() (Chrome 79)",
    "min(": "min() (Chrome 79)",
    "max(": "max() (Chrome 79)",
    "color-mix(": "color-mix() (Chrome 111)",
    "@container": "container queries (Chrome 105)",
    "@layer": "cascade layers (Chrome 99)",
    "@property": "@property (Chrome 85)",
    "dvh": "dynamic viewport units (Chrome 108)",
    "svh": "small viewport units (Chrome 108)",
    "lvh": "large viewport units (Chrome 108)",
    "oklch(": "oklch() (Chrome 111)",
    "lch(": "lch() (Chrome 111)",
    "lab(": "lab() (Chrome 111)",
    "&": "CSS nesting (Chrome 112)",
}
# Animating anything else makes Chrome repaint (box-shadow, filter) or lay out every frame.
COMPOSITOR_ONLY = {"transform", "opacity"}


def js_problems(src: str) -> list[str]:
    """Return what in `src` Chrome 69 cannot run (syntax past ES2017 or newer built-ins)."""
    try:
        # esprima 4 implements ES2017: `?.`, `??`, `#x`, `catch {`, top-level await all fail here.
        esprima.parseScript(src)
    except esprima.Error as e:
        return [f"not ES2017: {e}"]
    problems = []
    for tok in esprima.tokenize(src):
        if tok.type != "Identifier":
            continue
        if tok.value in JS_MISSING:
            problems.append(f"uses {JS_MISSING[tok.value]}")
        if tok.value in JS_MARKUP:
            problems.append(f"uses {tok.value}: build DOM with textContent")
    return problems


@dataclass
class Block:
    """A CSS rule or at-rule: its prelude, its declarations, and nested blocks."""

    prelude: str
    decls: list[tuple[str, str]] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)


def parse_css(src: str) -> Block:
    """Parse CSS into nested blocks (enough for checking, not a full CSS parser)."""
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    root = Block("")
    stack = [root]
    buf = ""
    for ch in src:
        if ch == "{":
            child = Block(buf.strip())
            stack[-1].children.append(child)
            stack.append(child)
            buf = ""
        elif ch in ";}":
            if ":" in buf and buf.strip():
                name, _, value = buf.partition(":")
                stack[-1].decls.append((name.strip().lower(), value.strip()))
            buf = ""
            if ch == "}":
                if len(stack) == 1:
                    raise ValueError("unbalanced } in CSS")
                stack.pop()
        else:
            buf += ch
    if len(stack) != 1:
        raise ValueError("unclosed { in CSS")
    return root


def _walk(block: Block) -> list[Block]:
    out = [block]
    for child in block.children:
        out.extend(_walk(child))
    return out


def css_problems(src: str) -> list[str]:
    """Return what in `src` Chrome 69 lacks, and animations of non-compositor properties."""
    try:
        root = parse_css(src)
    except ValueError as e:
        return [str(e)]
    problems = []
    for block in _walk(root):
        for name, value in block.decls:
            if name in CSS_MISSING_PROPS:
                problems.append(f"{block.prelude}: {name} is {CSS_MISSING_PROPS[name]}")
            if name in ("transition", "transition-property"):
                problems.extend(_transition(block.prelude, value))
            for text, why in CSS_MISSING_TEXT.items():
                if _has(value, text):
                    problems.append(f"{block.prelude}: {name}: {value} uses {why}")
        for text, why in CSS_MISSING_TEXT.items():
            if _has(block.prelude, text):
                problems.append(f"{block.prelude} uses {why}")
        problems.extend(_keyframes(block))
    return problems


def _keyframes(block: Block) -> list[str]:
    if not block.prelude.startswith("@keyframes"):
        return []
    return [f"{block.prelude} animates {name}: only transform/opacity"
            for step in block.children for name, _ in step.decls if name not in COMPOSITOR_ONLY]


def _has(text: str, needle: str) -> bool:
    if needle.isalpha():  # a unit such as dvh: must follow a number
        return re.search(rf"\d{needle}\b", text) is not None
    if needle.endswith("(") and needle[0].isalpha():  # a function: not part of a longer name
        return re.search(rf"(?<![\w-]){re.escape(needle)}", text) is not None
    return needle in text


def _transition(prelude: str, value: str) -> list[str]:
    out = []
    for part in value.split(","):
        words = part.split()
        prop = words[0] if words else ""
        if prop and not prop[0].isdigit() and prop not in COMPOSITOR_ONLY:
            out.append(f"{prelude}: transition of {prop}: only transform/opacity")
    return out
