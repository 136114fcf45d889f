"""The validation report: what was read, loaded, refused, flagged and derived.

Every count reconciles: ``rows_read == rows_loaded + rows_rejected`` for each file, where
``rows_read`` counts every data row of the file (blank lines included; they are rejected
with the reason "blank line") and ``rows_loaded`` counts rows that reached the output
table, directly or folded into an aggregate (event-level activity, summed duplicates).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from crm_core.loading.mapping import Mapping
from crm_core.messages import Message, shown
from crm_core.privacy import identifier_kind, masked_row_text, masked_text, masked_value

EXAMPLES_KEPT = 5
"""Examples kept per rejection reason, parse failure or range flag."""


@dataclass(frozen=True)
class Example:
    """One offending row: its number in the file and its raw text (or the offending cell)."""

    row: int
    text: str


@dataclass(frozen=True)
class Issue:
    """A counted problem with the first few examples.

    ``subject`` is the rejection reason (a catalog :class:`Message`), or for parse failures and
    range flags the file column (with the canonical field in ``field``); ``rule`` says what was
    expected (a ``Message``). Both are rendered where they are shown (:func:`report_text`).
    """

    subject: str | Message
    count: int
    examples: tuple[Example, ...]
    field: str | None = None
    rule: str | Message | None = None

    def to_dict(self) -> dict:
        """Return the issue as JSON-able built-in types, its sentences in English."""
        data = asdict(self)
        data["subject"] = report_text(self.subject)
        data["rule"] = None if self.rule is None else report_text(self.rule)
        return data


@dataclass(frozen=True)
class TableReport:
    """Validation report of one file loaded as one canonical table.

    Attributes
    ----------
    file_name, table : str
        The upload and the canonical table it was read as.
    format, encoding, delimiter, sheet, sheet_names :
        Detected (or forced) layout: ``format`` is "text", "xlsx" or "parquet".
    mapping : Mapping
        Applied mapping including the read settings actually used (save it for next month).
    rows_read, rows_loaded, rows_rejected : int
        Data rows; ``rows_read == rows_loaded + rows_rejected``.
    rows_output : int
        Rows of the resulting frame (fewer than ``rows_loaded`` after aggregation or summing duplicates).
    rejections : tuple of Issue
        Per reason: count and first examples (row number, raw text).
    parse_failures : tuple of Issue
        Per column: values that were not a valid number/date/yes-no; in optional fields they became missing.
    out_of_range : tuple of Issue
        Implausible values kept in the data but flagged (negative balances, ages outside 16-110, ...).
    duplicate_ids : int
        Customer ids appearing on more than one loaded row, before the policy was applied.
    duplicate_policy : str
        "keep_first", "sum" or "reject".
    derived_fields : tuple of str
        Canonical fields computed rather than read (e.g. ``churned`` from ``closed_date``).
    unmapped_columns : tuple of str
        File columns that were ignored.
    warnings : tuple of str or Message
        Things the user should know (generated ids, assumed date order, fallback encoding, ...).
    columns : tuple of str
        The file's columns in file order (how a rejected row's excerpt splits into cells).
    """

    file_name: str
    table: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheet_names: tuple[str, ...]
    mapping: Mapping
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_output: int
    rejections: tuple[Issue, ...] = ()
    parse_failures: tuple[Issue, ...] = ()
    out_of_range: tuple[Issue, ...] = ()
    duplicate_ids: int = 0
    duplicate_policy: str = "keep_first"
    derived_fields: tuple[str, ...] = ()
    unmapped_columns: tuple[str, ...] = ()
    warnings: tuple[str | Message, ...] = ()
    columns: tuple[str, ...] = ()

    def rejected_count(self, reason: str | Message) -> int:
        """Return how many rows were rejected for a reason, a message or its English text (0 if none)."""
        return sum(
            issue.count for issue in self.rejections if issue.subject == reason or report_text(issue.subject) == reason
        )

    def to_dict(self) -> dict:
        """Return the report as JSON-able built-in types, its sentences in English."""
        data = asdict(self)
        data["mapping"] = self.mapping.to_dict()
        data["warnings"] = [report_text(w) for w in self.warnings]
        for name in ("rejections", "parse_failures", "out_of_range"):
            data[name] = [issue.to_dict() for issue in getattr(self, name)]
        return data

    def masked(self) -> TableReport:
        """Return a copy whose examples and warnings show no customer identifier in clear.

        Cells of columns mapped to ``customer_id`` or named like a name, phone, ID number or
        e-mail column are masked (``crm_core.privacy``), and so is any value that looks like a
        phone number, a 15/18-digit ID number or an e-mail address, in any column.
        """
        fields = self.mapping.fields
        kinds = [identifier_kind(column, fields.get(column)) for column in self.columns]

        def rows(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
            return tuple(
                replace(issue, examples=tuple(
                    replace(e, text=masked_row_text(e.text, self.delimiter, kinds)) for e in issue.examples
                ))
                for issue in issues
            )  # fmt: skip

        def cells(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
            # A parse failure or range flag names the file column (``subject``) its example cells come from.
            return tuple(
                replace(issue, examples=tuple(
                    replace(e, text=masked_value(e.text, identifier_kind(issue.subject, fields.get(issue.subject))))
                    for e in issue.examples
                ))
                for issue in issues
            )  # fmt: skip

        return replace(
            self,
            rejections=rows(self.rejections),
            parse_failures=cells(self.parse_failures),
            out_of_range=cells(self.out_of_range),
            warnings=tuple(_masked_sentence(w) for w in self.warnings),
        )


def _masked_sentence(sentence: str | Message) -> str | Message:
    """A warning with any identifier-like value masked (in a message: its text parameters)."""
    if not isinstance(sentence, Message):
        return masked_text(sentence)
    return Message(
        sentence.key,
        **{name: masked_text(value) if isinstance(value, str) else value for name, value in sentence.params},
    )


@dataclass(frozen=True)
class LoadReport:
    """Reports of every file of one load, plus load-wide warnings.

    ``usable`` is True when a customers table with ``aum`` was built.
    """

    files: tuple[TableReport, ...]
    usable: bool
    warnings: tuple[str | Message, ...] = ()

    @property
    def rows_read(self) -> int:
        """Data rows read over all files."""
        return sum(report.rows_read for report in self.files)

    @property
    def rows_loaded(self) -> int:
        """Rows loaded over all files."""
        return sum(report.rows_loaded for report in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows rejected over all files."""
        return sum(report.rows_rejected for report in self.files)

    def for_table(self, table: str) -> TableReport | None:
        """Return the report of the file loaded as ``table``, or None."""
        return next((report for report in self.files if report.table == table), None)

    def masked(self) -> LoadReport:
        """Return a copy with customer identifiers masked in every file's examples (``TableReport.masked``)."""
        return replace(
            self,
            files=tuple(report.masked() for report in self.files),
            warnings=tuple(_masked_sentence(w) for w in self.warnings),
        )

    def to_dict(self) -> dict:
        """Return the report as JSON-able built-in types, with load-wide totals."""
        return {
            "usable": self.usable,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "warnings": [report_text(w) for w in self.warnings],
            "files": [report.to_dict() for report in self.files],
        }


def report_text(sentence: str | Message, lang: str = "en") -> str:
    """A report's sentence (warning, rejection reason, rule) as text in ``lang``.

    A catalog message is rendered; a plain string (a file column, a bank's own word) is shown as
    it is. The CLI and the JSON report write English; the Data page renders in the session's language.
    """
    return str(shown(sentence, lang))
