"""One place that writes a benchmark's section of docs/benchmarks.md, leaving the other sections alone."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_PAGE = ROOT / "docs" / "benchmarks.md"


def write_section(section: str, path: Path = BENCHMARKS_PAGE) -> None:
    """Replace the ``## …`` section whose heading is the first line of ``section`` (or append it).

    A section runs from its heading to the next ``## `` heading, so every benchmark owns exactly
    one part of the page and can rewrite it without touching what the others measured.
    """
    heading = section.splitlines()[0]
    text = path.read_text() if path.exists() else "# Benchmarks\n\nMeasured numbers, one section per area.\n"
    lines = text.splitlines()
    body = section.rstrip("\n").splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines = [*lines[:start], *body, *([""] + lines[end:] if end < len(lines) else [])]
    else:
        lines = [*lines, "", *body]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip("\n") + "\n")
