"""WeChat shows a text reply of at most 2048 bytes: longer answers go out page by page on 更多."""

from __future__ import annotations

MAX_BYTES = 2048
MORE_HINT = "\n……\n回复「更多」看下一页"


def paginate(text: str, max_bytes: int = MAX_BYTES) -> list[str]:
    """Cut at line breaks so that each page, with the hint added, fits in `max_bytes`."""
    budget = max_bytes - len(MORE_HINT.encode())
    if len(text.encode()) <= max_bytes:
        return [text]
    pages, current = [], ""
    for line in text.split("\n"):
        for piece in _split_long_line(line, budget):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate.encode()) > budget and current:
                pages.append(current)
                current = piece
            else:
                current = candidate
    if current:
        pages.append(current)
    return [p + MORE_HINT if i < len(pages) - 1 else p for i, p in enumerate(pages)]


def _split_long_line(line: str, budget: int) -> list[str]:
    if len(line.encode()) <= budget:
        return [line]
    pieces, current = [], ""
    for char in line:
        if len((current + char).encode()) > budget:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current]
