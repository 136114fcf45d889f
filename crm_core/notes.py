"""Meeting notes: a comment per finding or per deck step, entered in the app and kept in the scenario.

Each note is anchored to what it comments on: ``finding:<key>`` (a playbook finding,
``crm_core.playbook.FINDING_KEYS``) or ``step:<step>`` (a step of the deck's storyline). The deck
prints a step's note on its slide and in the speaker notes, a finding's note under the finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_core import validation as check

_ANCHOR = re.compile(r"(finding|step):[a-z][a-z0-9_]{0,60}")
MAX_NOTE = 1_000
"""Characters per note (a few sentences: a meeting comment, not a memo)."""


@dataclass(frozen=True)
class MeetingNotes:
    """Notes by anchor.

    Examples
    --------
    >>> notes = MeetingNotes().with_note("finding:at_risk_tier", "Ask the retail head for a plan by June.")
    >>> notes.note("finding:at_risk_tier")
    'Ask the retail head for a plan by June.'
    >>> notes.with_note("finding:at_risk_tier", "  ").items
    ()
    """

    items: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        checked = []
        for i, pair in enumerate(check.items(self.items, "meeting_notes: items", 0, 200)):
            anchor, text = check.items(pair, f"meeting_notes: items[{i}] (anchor, text)", 2, 2)
            if not isinstance(anchor, str) or not _ANCHOR.fullmatch(anchor):
                raise ValueError(f"meeting_notes: an anchor is finding:<key> or step:<step>, got {check.shown(anchor)}")
            checked.append((anchor, check.text(text, f"meeting_notes: note on {anchor}", MAX_NOTE, multiline=True)))
        check.distinct((a for a, _ in checked), "meeting_notes anchors")
        check.assign(self, items=tuple(checked))

    def note(self, anchor: str) -> str:
        """The note on ``anchor`` ("" when none)."""
        return dict(self.items).get(anchor, "")

    def with_note(self, anchor: str, text: str) -> MeetingNotes:
        """These notes with ``anchor``'s note set (a blank text removes it)."""
        kept = [(a, t) for a, t in self.items if a != anchor]
        if text.strip():
            kept.append((anchor, text.strip()))
        return MeetingNotes(tuple(kept))


NOTE_STEPS: tuple[str, ...] = (
    "positioning", "tiering", "stickiness", "value_mining", "channels", "service", "staff", "guarantees", "strategy",
    "playbook", "decisions",
)  # fmt: skip
"""The deck's storyline steps a note can be attached to (``crm_core.report`` step keys)."""
