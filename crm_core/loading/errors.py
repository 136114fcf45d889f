"""The one exception the loader raises on purpose, and the refusal sentences it carries."""

from __future__ import annotations

from crm_core.messages import Message, shown

TABLE_EXPECTED = Message("load_hint_table")
"""What a refused file should be: a table in one of the formats the loader reads."""

SAVE_AS_CSV = Message("load_hint_save_as_csv")
"""What to do with a workbook the loader will not open."""


class LoadError(ValueError):
    """An upload cannot be turned into a canonical table.

    The message says what the file looks like and what is expected, in words a bank
    analyst can act on (for example "the file is gzip-compressed; expected CSV, Excel
    .xlsx or Parquet"). It is a catalog :class:`Message` (``message``) where the Data page
    shows it, rendered in the reader's language; ``str(error)`` is its English text, for
    the command line, logs and tests. A plain string is accepted where only developers see it.
    """

    def __init__(self, message: str | Message, /) -> None:
        self.message = message
        super().__init__(str(shown(message, "en")))

    def text(self, lang: str) -> str:
        """The refusal in ``lang`` (a plain-string refusal as it is)."""
        return str(shown(self.message, lang))


def refusal(name: str, problem: Message | str, hint: Message | None = TABLE_EXPECTED) -> LoadError:
    """A refusal of the file ``name``: what is wrong with it and, with ``hint``, what to do."""
    if hint is None:
        return LoadError(Message("load_refusal_named", name=name, problem=problem))
    return LoadError(Message("load_refusal", name=name, problem=problem, hint=hint))


_MEANINGS = {
    "aum": Message("load_meaning_aum"),
    "customer_id": Message("load_meaning_customer_id"),
    "channel": Message("load_meaning_channel"),
    "month": Message("load_meaning_month"),
    "transactions": Message("load_meaning_transactions"),
    "product": Message("load_meaning_product"),
    "event_date": Message("load_meaning_event_date"),
}


def missing_field(name: str, columns, field: str, stand_ins: str | None = None) -> LoadError:
    """The refusal of a file in which no column is mapped to a field it cannot do without.

    ``columns`` are the file's columns (named so the user can pick one); ``stand_ins`` lists the
    value measures that may stand in for a missing AUM column.
    """
    listed = ", ".join(repr(c) for c in columns)
    problem = Message("load_refused_unmapped", field=field, meaning=_MEANINGS[field], columns=listed)
    if stand_ins:
        problem = Message("load_refused_unmapped_or_measure", problem=problem, measures=stand_ins)
    return refusal(name, problem, hint=None)


def unknown_column(name: str, column: str, columns) -> LoadError:
    """The refusal of a mapping that names a column the file does not have."""
    return refusal(name, Message("load_refused_unknown_column", column=column, columns=", ".join(columns)), hint=None)
