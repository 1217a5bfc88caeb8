"""Plain-text rendering of an Answer, for terminals and text-only front ends."""

from __future__ import annotations

import textwrap

from .answers import Answer, ClaimView, SourceRef


def source_label(source: SourceRef) -> str:
    where = source.url or source.document
    return f"{source.publisher}, \u201c{source.title}\u201d" + (f" <{where}>" if where else "")


def figure_label(claim: ClaimView) -> str | None:
    # The party's bound and words, never a number they did not give: see Figure.label.
    return claim.figure.label() if claim.figure is not None else None


def status_line(claim: ClaimView) -> str:
    line = claim.badge
    if claim.verified_by:
        line += f" by {claim.verified_by}"
    if claim.disputed_by:
        line += " \u00b7 disputed by " + ", ".join(claim.disputed_by)
    return line


def render_text(answer: Answer, *, width: int = 88) -> str:
    def wrap(text: str, indent: str) -> str:
        return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent)

    lines: list[str] = []
    if answer.decision == "answer" and answer.topic:
        # Sources are numbered once and cited by number: most claims of a topic share them.
        numbers: dict[str, int] = {}
        cited: list[SourceRef] = []
        lines.append(answer.topic.title)
        lines.append(f"{answer.topic.event_title} \u00b7 match {answer.confidence:.0%}")
        for version in answer.versions:
            lines.append("")
            lines.append(f"\u25b8 {version.party}")
            for claim in version.claims:
                lines.append(wrap(claim.statement, "  "))
                if (figure := figure_label(claim)) is not None:
                    lines.append(f"  figure: {figure}")
                if claim.quote:
                    lines.append(wrap(f"quote: \u201c{claim.quote}\u201d", "  "))
                refs = []
                for source in claim.sources:
                    if source.id not in numbers:
                        numbers[source.id] = len(numbers) + 1
                        cited.append(source)
                    refs.append(f"[{numbers[source.id]}]")
                lines.append(f"  {status_line(claim)} \u00b7 source {' '.join(refs)}")
        lines.append("")
        for n, source in enumerate(cited, 1):
            lines.append(wrap(f"[{n}] {source_label(source)}", ""))
        if answer.as_of:
            lines.append(f"Claims as of {answer.as_of:%Y-%m-%d}.")
        if answer.suggestions:
            lines.append("Related: " + "; ".join(s.title for s in answer.suggestions))
    elif answer.decision == "suggest":
        lines.append(answer.message or "")
        for i, s in enumerate(answer.suggestions, 1):
            lines.append(f"  {i}. {s.title} ({s.event_title})")
    else:
        lines.append(answer.message or "")
    return "\n".join(lines)
