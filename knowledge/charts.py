"""A small picture for the digest: claims per status for the most active topics."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no screen: render straight to PNG bytes

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .i18n import ENGLISH, Speech  # noqa: E402
from .models import Claim, Status  # noqa: E402
from .statuses import STATUS_INFO  # noqa: E402

# Colour-blind-safe (Okabe–Ito); every bar segment also has the status in the legend.
COLOURS = {status: info.colour for status, info in STATUS_INFO.items()}


def status_chart(topics: list[tuple[str, list[Claim]]], speech: Speech = ENGLISH) -> bytes | None:
    """PNG bytes for (topic title, its claims), or None when there is nothing to draw. Labels
    in `speech`'s language — except right-to-left ones, which matplotlib cannot shape: those
    get English labels."""
    if speech.rtl:
        speech = ENGLISH
    shown = [(title, claims) for title, claims in topics if claims][:8]
    if not shown:
        return None
    labels = [textwrap.shorten(title, 48, placeholder="…") for title, _ in shown]
    fig, ax = plt.subplots(figsize=(7, 1.6 + 0.45 * len(shown)), dpi=110)
    left = [0] * len(shown)
    for status in Status:
        counts = [sum(1 for c in claims if c.status is status) for _, claims in shown]
        if any(counts):
            ax.barh(labels, counts, left=left, color=COLOURS[status], label=speech.tr(STATUS_INFO[status].word))
            left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel(speech.tr("claims"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole claims only
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=5, fontsize="small", frameon=False)
    ax.set_title(speech.tr("Claims per status, most active topics"), fontsize="medium")
    buffer = io.BytesIO()
    # bbox "tight": the long topic titles and the legend below the bars stay in the picture.
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
