"""What the Service quality view lets a manager say: the branches whose service is worse than the bank's.

A branch is named only when its interval excludes the bank's figure (``*_vs_bank == "worse"``), so
every statement survives the noise of its own sample. The page and a deck slide read the same
messages.
"""

from __future__ import annotations

from collections.abc import Mapping

from crm_core.messages import Message, Share
from crm_core.service.view import ServiceView


def service_findings(view: ServiceView, names: Mapping[str, str] | None = None, limit: int = 3) -> tuple[Message, ...]:
    """Return one message per branch worse than the bank on complaints or satisfaction, worst first.

    Branches worse on both come first, then by how far their complaints per 100 exceed the
    bank's; at most ``limit`` are named and the rest counted. With none, one message says so.

    Parameters
    ----------
    view : ServiceView
    names : mapping, optional
        Branch value → display name in the reader's language.
    limit : int
        Most branches named.

    Returns
    -------
    tuple of Message
        ``service_note_worse_both`` / ``_complaints`` / ``_satisfied`` per branch, then
        ``service_note_worse_more`` with the number left unnamed; or ``service_note_even``.
    """
    names = names or {}
    bank = view.bank
    table = view.branches
    worse = table[(table["complaints_vs_bank"] == "worse") | (table["satisfied_vs_bank"] == "worse")]
    if worse.empty:
        return (Message("service_note_even"),)
    both = (worse["complaints_vs_bank"] == "worse") & (worse["satisfied_vs_bank"] == "worse")
    excess = worse["complaints_per_100"].fillna(0.0) - float(bank["complaints_per_100"])
    order = worse.assign(_both=both, _excess=excess).sort_values(
        ["_both", "_excess", "unit"], ascending=[False, False, True], kind="stable"
    )
    out = []
    for row in order.head(limit).itertuples(index=False):
        kind = (
            "both"
            if row.complaints_vs_bank == "worse" and row.satisfied_vs_bank == "worse"
            else ("complaints" if row.complaints_vs_bank == "worse" else "satisfied")
        )
        complaints = {"per_100": f"{row.complaints_per_100:.1f}", "bank_per_100": f"{bank['complaints_per_100']:.1f}"}
        satisfied = {"share": Share(row.satisfied_share), "bank_share": Share(bank["satisfied_share"])}
        params = {"both": {**complaints, **satisfied}, "complaints": complaints, "satisfied": satisfied}[kind]
        out.append(Message(f"service_note_worse_{kind}", branch=names.get(row.unit, row.unit), **params))
    if len(order) > limit:
        out.append(Message("service_note_worse_more", count=len(order) - limit))
    return tuple(out)
