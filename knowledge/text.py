"""Plain-text rendering of an Answer, for terminals and text-only front ends."""

from __future__ import annotations

import textwrap

from .answers import Answer, ClaimView, SourceRef, TopicRef
from .i18n import ENGLISH, Speech, language_name
from .statuses import badge


def source_label(source: SourceRef) -> str:
    where = source.url or source.document
    return f"{source.publisher}, \u201c{source.title}\u201d" + (f" <{where}>" if where else "")


def status_line(claim: ClaimView, speech: Speech = ENGLISH) -> str:
    tr = speech.tr
    line = badge(claim.status, speech)
    if claim.verified_by:
        line = tr("{status} by {verifier}", status=line, verifier=claim.verified_by)
    if claim.disputed_by:
        line += " \u00b7 " + tr("disputed by {parties}", parties=speech.join(claim.disputed_by))
    return line


def render_text(answer: Answer, *, width: int = 88, speech: Speech = ENGLISH) -> str:
    tr = speech.tr

    def wrap(text: str, indent: str) -> str:
        return speech.line(textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent))

    lines: list[str] = []
    if answer.decision == "answer" and answer.topic:
        # Sources are numbered once and cited by number: most claims of a topic share them.
        numbers: dict[str, int] = {}
        cited: list[SourceRef] = []
        lines.append(speech.line(answer.topic.title))
        confidence = f"{answer.confidence:.0%}"
        lines.append(speech.line(tr("{event} \u00b7 match {confidence}", event=answer.topic.event_title,
                                    confidence=confidence)))
        if answer.base is not None:
            lines.append(speech.line(tr("From the followed claim base \u201c{base}\u201d", base=answer.base)))
        if answer.untranslated:
            lines.append(speech.line(tr("Some claims are shown in {language}: the moderators have not "
                                        "translated them yet.",
                                        language=language_name(answer.original_language, speech.language))))
        for version in answer.versions:
            lines.append("")
            lines.append(speech.line(f"\u25b8 {version.party}"))
            for claim in version.claims:
                lines.append(wrap(claim.statement, "  "))
                if (figure := claim.figure_label(speech)) is not None:
                    lines.append(speech.line("  " + tr("figure: {figure}", figure=figure)))
                if claim.quote:
                    lines.append(wrap(tr("quote: \u201c{quote}\u201d", quote=claim.quote), "  "))
                if claim.original is not None:
                    lines.append(wrap(tr("(translated by the moderators; original, {language}: {statement})",
                                         language=language_name(claim.original.language, speech.language),
                                         statement=claim.original.statement), "  "))
                refs = []
                for source in claim.sources:
                    if source.id not in numbers:
                        numbers[source.id] = len(numbers) + 1
                        cited.append(source)
                    refs.append(f"[{numbers[source.id]}]")
                lines.append(speech.line("  " + tr("{status} \u00b7 source {refs}", status=status_line(claim, speech),
                                                   refs=" ".join(refs))))
        lines.append("")
        for n, source in enumerate(cited, 1):
            lines.append(wrap(f"[{n}] {source_label(source)}", ""))
        if answer.as_of:
            # A date that ends in an abbreviation ("3 груд. 2026 р.") already ends the sentence.
            as_of = tr("Claims as of {date}.", date=speech.date(answer.as_of.date()))
            lines.append(speech.line(as_of[:-1] if as_of.endswith("..") else as_of))
        if answer.suggestions:
            related = "; ".join(_titled(answer, s) for s in answer.suggestions)
            lines.append(speech.line(tr("Related: {topics}", topics=related)))
    elif answer.decision == "suggest":
        lines.append(speech.line(answer.message_in(speech) or ""))
        for i, s in enumerate(answer.suggestions, 1):
            lines.append(speech.line(f"  {i}. {_titled(answer, s)} ({s.event_title})"))
    else:
        lines.append(speech.line(answer.message_in(speech) or ""))
    return "\n".join(lines)


def _titled(answer: Answer, topic: TopicRef) -> str:
    """A topic's title, with the followed base it comes from where that tells something
    (`Answer.base_label`): two bases may both have one."""
    base = answer.base_label(topic)
    return f"{topic.title} [{base}]" if base else topic.title
