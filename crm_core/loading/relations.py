"""Several related tables linked by their keys (a relational extract such as the Czech "Berka" bank).

A bank's core system exports entities, not customers: accounts, clients, the dispositions that
link them, districts, cards, loans, standing orders and dated transactions, each file keyed by
its own id (``account_id``, ``client_id``, ``disp_id``) and pointing at others by theirs.

``join_plan(previews)`` proposes how the files link: each table's role (client, account,
disposition, district, card, loan, order, transaction), the key pairs (left column -> right
table's key) with the share of sampled left values found on the right, the customer entity
(the client, or the account when there is no client table) and how transaction operations map
to channels. The plan is frozen data: ``to_json`` / ``from_json`` save it for next month.

``relational_load(files, plan, options)`` joins with pandas merges and reduces to the contract:

customers
    One row per client (or account): ``branch`` = the district (its name when the district table
    has one) of the client's account, ``open_date`` = that account's date, ``aum`` = the last
    transaction balance of each account the client owns, summed (missing, not zero, without one).
holdings
    Cards (``<type>_card``), loans (``loan``) and standing orders (``standing_order``) of the customer.
activity
    Transactions per customer x month x channel, the channel read from the operation column only
    where the plan maps the value (``OPERATION_CHANNELS``); other operations are counted, not guessed.

Rows that do not join (a transaction of an unknown account, a disposition of an unknown client,
an account no client owns) are rejected with the reason and counted per file, so
``rows_read == rows_loaded + rows_rejected`` holds for every file; ``JoinCount`` gives the matched
and unmatched rows of every key pair.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from crm_core.contract import CHANNELS, TABLES
from crm_core.dataset import Dataset, channel_dtype, fingerprint_of
from crm_core.loading.building import CHANNEL_WORDS
from crm_core.loading.errors import LoadError, refusal
from crm_core.loading.mapping import Mapping, joined, normalised_header
from crm_core.loading.options import DEFAULT_OPTIONS, LoadOptions
from crm_core.loading.reading import Preview, RawTable, preview_file, raw_row_text, read_rows
from crm_core.loading.report import EXAMPLES_KEPT, Example, Issue, LoadReport, TableReport, report_text
from crm_core.loading.transactions import activity_from_codes, transaction_dates
from crm_core.loading.values import parse_numbers, parse_text
from crm_core.messages import Count, Message, Share, Term

ROLES: tuple[str, ...] = (
    "client",
    "account",
    "disposition",
    "district",
    "card",
    "loan",
    "order",
    "transaction",
    "unused",
)
"""What a table is in a relational extract; "unused" tables are read and counted, not loaded."""

KEY_NAMES: dict[str, tuple[str, ...]] = {
    "client": ("client_id", "clientid", "client_no", "client_number", "klient_id"),
    "account": ("account_id", "accountid", "acct_id", "account_no", "account_number", "ucet_id"),
    "disposition": ("disp_id", "disposition_id", "dispid"),
    "district": ("district_id", "districtid", "okres_id"),
    "card": ("card_id", "cardid"),
    "loan": ("loan_id", "loanid"),
    "order": ("order_id", "orderid", "standing_order_id"),
    "transaction": ("trans_id", "transaction_id", "txn_id", "transid"),
}
"""Key column headers of each role (compared after ``normalised_header``); a bare ``account`` is not
one: Berka's transactions use it for the partner's account number."""

_ROLE_OF_KEY = {normalised_header(name): role for role, names in KEY_NAMES.items() for name in names}

TABLE_OF_ROLE: dict[str, str] = {
    "client": "customers",
    "account": "customers",
    "disposition": "customers",
    "district": "customers",
    "card": "holdings",
    "loan": "holdings",
    "order": "holdings",
    "transaction": "activity",
    "unused": "customers",
}
"""The contract table each role feeds (the report's ``table``)."""

OPERATION_CHANNELS: dict[str, str] = {
    "vyber kartou": "atm",
    "credit card withdrawal": "atm",
    "card withdrawal": "atm",
    "vklad": "counter",
    "credit in cash": "counter",
    "cash deposit": "counter",
    "vyber": "counter",
    "withdrawal in cash": "counter",
    "cash withdrawal": "counter",
}
"""Operations whose channel is clear: cash over the counter, withdrawals by card at an ATM.

Remittances and collections (``PREVOD NA UCET``, ``PREVOD Z UCTU``) could be online, by phone or at
the counter, and interest (a blank operation) is no customer action: they get no channel unless a
plan names one, and are counted in the report."""

_OPERATION_LOOKUP = {normalised_header(word): channel for channel, words in CHANNEL_WORDS.items() for word in words}
_OPERATION_LOOKUP.update({normalised_header(word): channel for word, channel in OPERATION_CHANNELS.items()})

_DATE_HEADERS = ("date", "issued", "open_date", "opened", "opening_date", "datum", "trans_date")
_AMOUNT_HEADERS = ("amount", "amt", "castka")
_BALANCE_HEADERS = ("balance", "zustatek", "balance_after")
_CHANNEL_HEADERS = ("channel", "operation", "operace", "operation_type")
_KIND_HEADERS = ("type", "card_type", "typ")
_ENTITY_ROLES = ("client", "account", "district")
_MIN_VALUE_SHARE = 0.8
"""Share of sampled values a key must find in a table without a named key (``A1``) to link to it."""


@dataclass(frozen=True)
class TableRole:
    """One file of the set: its role, its own key and the columns the reduction reads.

    Attributes
    ----------
    file_name : str
        The upload.
    role : str
        One of ``ROLES``.
    key : str or None
        The column identifying its rows (``account_id``; ``A1`` for Berka's districts).
    date_column, name_column, amount_column, balance_column, kind_column, channel_column : str or None
        The account's or product's date, the district's name, a transaction's amount and balance
        after it, a card's type, the transaction operation read as a channel.
    reason : str or Message
        Why the role was given: a catalog message (a plan read back from JSON holds its English text).
    """

    file_name: str
    role: str
    key: str | None = None
    date_column: str | None = None
    name_column: str | None = None
    amount_column: str | None = None
    balance_column: str | None = None
    kind_column: str | None = None
    channel_column: str | None = None
    reason: str | Message = field(default="", compare=False)  # why, not what: a plan read back equals its source


@dataclass(frozen=True)
class KeyPair:
    """A link: ``left_column`` of ``left`` holds keys of ``right`` (its ``right_column``).

    ``share`` is the share of the left sample's distinct values found in the right sample (None when
    a sample is empty); the full counts come with the load (``JoinCount``).
    """

    left: str
    left_column: str
    right: str
    right_column: str
    share: float | None = None


@dataclass(frozen=True)
class JoinCount:
    """How the rows of ``left`` joined ``right`` in a load: matched and unmatched rows."""

    left: str
    left_column: str
    right: str
    right_column: str
    rows: int
    matched: int

    @property
    def unmatched(self) -> int:
        """Rows of ``left`` whose key is not in ``right``."""
        return self.rows - self.matched


@dataclass(frozen=True)
class JoinPlan:
    """How related tables link and reduce to the contract: frozen, JSON round trip.

    Attributes
    ----------
    tables : tuple of TableRole
        Every file of the set, in upload order.
    links : tuple of KeyPair
        Key pairs, referencing table first.
    customer_entity : {"client", "account"}
        What a customer is.
    channels : tuple of (str, str)
        Operation value -> channel (one of ``CHANNELS``, or "" for no channel). Values seen in the
        sample are listed; values the plan does not list get ``OPERATION_CHANNELS`` when it knows them.
    notes : tuple of str or Message
        What made the plan ambiguous (two client tables, a weak key); empty when it is not.
    """

    tables: tuple[TableRole, ...]
    links: tuple[KeyPair, ...]
    customer_entity: str
    channels: tuple[tuple[str, str], ...] = ()
    notes: tuple[str | Message, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """Whether the plan needs a person to confirm it before it loads."""
        return bool(self.notes)

    def table(self, role: str) -> TableRole | None:
        """The first table of a role, or None."""
        return next((table for table in self.tables if table.role == role), None)

    def link(self, left: str, right_role: str) -> KeyPair | None:
        """The key pair from file ``left`` to the table of ``right_role``, or None."""
        right = self.table(right_role)
        if right is None:
            return None
        return next((pair for pair in self.links if pair.left == left and pair.right == right.file_name), None)

    def to_dict(self) -> dict:
        """The plan as JSON-able built-in types."""
        return {
            "tables": [{**asdict(table), "reason": report_text(table.reason)} for table in self.tables],
            "links": [asdict(pair) for pair in self.links],
            "customer_entity": self.customer_entity,
            "channels": dict(self.channels),
            "notes": [report_text(note) for note in self.notes],
        }

    def to_json(self) -> str:
        """The plan as JSON (save it and pass it with ``--join-plan`` next month)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> JoinPlan:
        """Rebuild a plan from ``to_dict``; ``LoadError`` naming what is wrong."""
        try:
            tables = tuple(TableRole(**table) for table in data["tables"])
            pair_fields = {"left", "left_column", "right", "right_column", "share"}  # counts of a load are dropped
            links = tuple(
                KeyPair(**{k: v for k, v in pair.items() if k in pair_fields}) for pair in data.get("links", ())
            )
            channels = tuple((str(value), str(channel)) for value, channel in dict(data.get("channels", {})).items())
            plan = cls(tables, links, str(data["customer_entity"]), channels, tuple(data.get("notes", ())))
        except (KeyError, TypeError, ValueError) as error:
            raise LoadError(Message("plan_malformed", error=f"{type(error).__name__}: {error}")) from None
        bad_roles = sorted({table.role for table in tables} - set(ROLES))
        bad_channels = sorted({channel for _, channel in channels} - {*CHANNELS, ""})
        names = {table.file_name for table in tables}
        loose = sorted({name for pair in links for name in (pair.left, pair.right)} - names)
        problems = []
        if bad_roles:
            problems.append(Message("plan_problem_roles", roles=str(bad_roles), allowed=", ".join(ROLES)))
        if bad_channels:
            problems.append(Message("plan_problem_channels", channels=str(bad_channels), allowed=", ".join(CHANNELS)))
        if loose:
            problems.append(Message("plan_problem_loose_links", files=str(loose)))
        if plan.customer_entity not in ("client", "account"):
            problems.append(Message("plan_problem_entity", entity=repr(plan.customer_entity)))
        if problems:
            raise LoadError(Message("plan_unusable", problems=joined(problems)))
        return plan

    @classmethod
    def from_json(cls, text: str | bytes) -> JoinPlan:
        """Rebuild a plan from ``to_json``."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise LoadError(Message("plan_not_json", error=str(error))) from None
        if not isinstance(data, dict):
            raise LoadError(Message("plan_not_object"))
        return cls.from_dict(data)


# ---------------------------------------------------------------------------------------------------- the plan


def _values(sample: pd.DataFrame, column: str) -> pd.Series:
    return parse_text(sample[column].astype("string")).dropna()


def _unique(sample: pd.DataFrame, column: str) -> bool:
    values = _values(sample, column)
    return len(values) > 0 and not values.duplicated().any()


def _share(left: pd.Series, right: pd.Series) -> float | None:
    distinct = left.drop_duplicates()
    if distinct.empty or right.empty:
        return None
    return round(float(distinct.isin(set(right)).mean()), 3)


def _named(columns: tuple[str, ...], headers: tuple[str, ...]) -> str | None:
    wanted = {normalised_header(header) for header in headers}
    return next((column for column in columns if normalised_header(column) in wanted), None)


def _date_column(preview: Preview) -> str | None:
    named = [c for c in preview.columns if normalised_header(c) in {normalised_header(h) for h in _DATE_HEADERS}]
    named += [c for c in preview.columns if "date" in normalised_header(c) and c not in named]
    for column in named:
        dates = transaction_dates(preview.sample[column].astype("string"))
        present = int((~dates.missing).sum())
        if present and dates.valid.sum() >= 0.9 * present:
            return column
    return None


def _name_column(preview: Preview, key: str) -> str | None:
    """The first column after the key whose sampled values are mostly words (a district's name)."""
    for column in preview.columns:
        if column == key:
            continue
        values = _values(preview.sample, column)
        numbers, _ = parse_numbers(values)
        if len(values) and numbers.isna().mean() >= 0.9:
            return column
    return None


def _key_role(column: str) -> str | None:
    return _ROLE_OF_KEY.get(normalised_header(column))


def _own_key(preview: Preview) -> tuple[str | None, str | None]:
    """The table's own key and its role: the first key-named column whose sampled values are unique."""
    for column in preview.columns:
        role = _key_role(column)
        if role is not None:
            return (column, role) if _unique(preview.sample, column) else (None, None)
    return None, None


def _described(preview: Preview, role: str, key: str | None, reason: Message) -> TableRole:
    columns = preview.columns
    found = {
        "date_column": _date_column(preview) if role in ("account", "card", "loan", "order", "transaction") else None,
        "name_column": _name_column(preview, key or "") if role == "district" else None,
        "amount_column": _named(columns, _AMOUNT_HEADERS) if role in ("loan", "order", "transaction") else None,
        "balance_column": _named(columns, _BALANCE_HEADERS) if role == "transaction" else None,
        "kind_column": _named(columns, _KIND_HEADERS) if role == "card" else None,
        "channel_column": _named(columns, _CHANNEL_HEADERS) if role == "transaction" else None,
    }
    return TableRole(preview.name, role, key, reason=reason, **found)


def is_relational(previews: list[Preview]) -> bool:
    """Whether several files look like related tables: an account table and another file pointing at it.

    A set of customers, activity and holdings files sharing ``customer_id`` is not: it loads file by file.
    """
    if len(previews) < 2:
        return False
    owners = [preview for preview in previews if _own_key(preview)[1] == "account"]
    return bool(owners) and any(
        any(_key_role(column) == "account" for column in preview.columns)
        for preview in previews
        if preview not in owners
    )


def join_plan(previews: list[Preview]) -> JoinPlan:
    """Propose how related tables link, from their headers and sampled values.

    Roles come from each file's own key (its first key-named column with unique sampled values:
    ``client_id`` -> client, ``account_id`` -> account, ``disp_id`` -> disposition, ...). A file
    without a named key whose first column holds the values another file's ``district_id`` points
    at (at least ``_MIN_VALUE_SHARE`` of them) is the district table (Berka's ``A1``). A file with
    no key that points at accounts and has a date is a transaction table.

    Examples
    --------
    >>> from crm_core.loading.reading import preview_file
    >>> files = {"account.csv": b"account_id,date\\n1,930101\\n2,930102\\n",
    ...          "trans.csv": b"trans_id,account_id,date,amount\\n7,1,950101,5\\n8,1,950102,6\\n"}
    >>> plan = join_plan([preview_file(name, data) for name, data in files.items()])
    >>> [(t.file_name, t.role) for t in plan.tables], plan.customer_entity
    ([('account.csv', 'account'), ('trans.csv', 'transaction')], 'account')
    >>> [(p.left, p.left_column, p.right, p.right_column, p.share) for p in plan.links]
    [('trans.csv', 'account_id', 'account.csv', 'account_id', 1.0)]
    """
    roles: dict[str, tuple[str, str | None, Message]] = {}
    notes: list[Message] = []
    for preview in previews:
        key, role = _own_key(preview)
        if role is not None:
            roles[preview.name] = (role, key, Message("relations_reason_own_key", key=key, role=Term(f"role_{role}")))
    # A table with no named key: a district (pointed at by value) or a transaction log (dated, pointing at accounts).
    district_keys = [
        (preview, column)
        for preview in previews
        for column in preview.columns
        if _key_role(column) == "district" and roles.get(preview.name, ("",))[0] != "district"
    ]
    for preview in previews:
        if preview.name in roles or not preview.columns:
            continue
        first = preview.columns[0]
        if _unique(preview.sample, first) and district_keys:
            shares = [_share(_values(p.sample, c), _values(preview.sample, first)) or 0.0 for p, c in district_keys]
            if min(shares) >= _MIN_VALUE_SHARE:
                roles[preview.name] = ("district", first, Message("relations_reason_district_ids", column=first))
                continue
        points_at_accounts = any(_key_role(column) == "account" for column in preview.columns)
        if points_at_accounts and _date_column(preview) is not None:
            roles[preview.name] = ("transaction", None, Message("relations_reason_dated_rows"))
            continue
        roles[preview.name] = ("unused", None, Message("relations_reason_unused"))
    for preview in previews:  # a table keyed by its own id that links a client and an account is a disposition
        role = roles[preview.name][0]
        linked = {_key_role(column) for column in preview.columns if column != roles[preview.name][1]}
        if role not in ("client", "account") and {"client", "account"} <= linked and role != "transaction":
            roles[preview.name] = ("disposition", roles[preview.name][1], Message("relations_reason_links"))
    for role in _ENTITY_ROLES:
        claimed = [name for name, (given, *_) in roles.items() if given == role]
        if len(claimed) > 1:
            notes.append(
                Message(
                    "relations_note_several", files=len(claimed), role=Term(f"role_{role}"), names=", ".join(claimed)
                )
            )
    tables = tuple(_described(preview, *roles[preview.name]) for preview in previews)
    by_name = {preview.name: preview for preview in previews}
    owner_of = {}
    for table in tables:
        owner_of.setdefault(table.role, table)
    links = []
    for table in tables:
        preview = by_name[table.file_name]
        for column in preview.columns:
            role = _key_role(column)
            target = owner_of.get(role)
            if column == table.key or target is None or target.file_name == table.file_name or target.key is None:
                continue
            share = _share(_values(preview.sample, column), _values(by_name[target.file_name].sample, target.key))
            links.append(KeyPair(table.file_name, column, target.file_name, target.key, share))
            if share is not None and share < 0.5:
                notes.append(
                    Message(
                        "relations_note_low_share",
                        share=Share(share, 0),
                        column=column,
                        left=table.file_name,
                        right=target.file_name,
                    )
                )
    entity = "client" if "client" in owner_of and "disposition" in owner_of else "account"
    if "client" in owner_of and entity == "account":
        notes.append(Message("relations_note_no_disposition"))
    if "account" not in owner_of and entity == "account":
        notes.append(Message("relations_note_no_account"))
    return JoinPlan(tables, tuple(links), entity, _proposed_channels(tables, by_name), tuple(notes))


def _proposed_channels(tables: tuple[TableRole, ...], previews: dict[str, Preview]) -> tuple[tuple[str, str], ...]:
    log = next((table for table in tables if table.role == "transaction" and table.channel_column), None)
    if log is None:
        return ()
    values = parse_text(previews[log.file_name].sample[log.channel_column].astype("string")).fillna("")
    return tuple((value, operation_channel(value)) for value in sorted(values.unique()))


def operation_channel(value: str) -> str:
    """The channel an operation clearly names (``OPERATION_CHANNELS``, channel words), else "".

    Examples
    --------
    >>> operation_channel("VYBER KARTOU"), operation_channel("VKLAD"), operation_channel("PREVOD NA UCET")
    ('atm', 'counter', '')
    """
    return _OPERATION_LOOKUP.get(normalised_header(value), "") if value else ""


# ---------------------------------------------------------------------------------------------------- the load


@dataclass(frozen=True)
class RelationalLoad:
    """What ``relational_load`` returns: the dataset, its report and the join counts."""

    dataset: Dataset
    report: LoadReport
    joins: tuple[JoinCount, ...]


class _File:
    """One file being reduced: its rows as text, the first rejection reason per row, counted."""

    def __init__(self, raw: RawTable, table: TableRole) -> None:
        self.raw, self.table = raw, table
        self.frame = raw.frame
        self.code = np.zeros(len(raw.frame), dtype="int16")
        self.reasons: list[Message] = []
        self.warnings: list[Message] = []

    def text(self, column: str) -> pd.Series:
        return parse_text(self.frame[column].astype("string")).reset_index(drop=True)

    def reject(self, mask, reason: Message) -> None:
        mask = np.asarray(mask, dtype=bool) & (self.code == 0)
        if mask.any():
            if reason not in self.reasons:
                self.reasons.append(reason)
            self.code[mask] = self.reasons.index(reason) + 1

    @property
    def kept(self) -> np.ndarray:
        return self.code == 0

    def report(self, plan_table: str, rows_output: int, columns: dict[str, str]) -> TableReport:
        found: dict[Message, tuple[int, list[Example]]] = {}
        for row in self.raw.rejected:
            count, examples = found.get(row.reason, (0, []))
            if len(examples) < EXAMPLES_KEPT:
                examples.append(Example(row.row, row.text))
            found[row.reason] = (count + 1, examples)
        for number, reason in enumerate(self.reasons, start=1):
            positions = np.flatnonzero(self.code == number)
            texts = raw_row_text(self.raw, positions[:EXAMPLES_KEPT])
            examples = [Example(int(self.raw.row_numbers[p]), t) for p, t in zip(positions, texts, strict=False)]
            count, before = found.get(reason, (0, []))
            found[reason] = (count + len(positions), before + examples)
        rejections = tuple(Issue(reason, count, tuple(examples)) for reason, (count, examples) in found.items())
        rejected = sum(issue.count for issue in rejections)
        preview = self.raw.preview
        fields = {f.name for f in TABLES[plan_table]}
        mapped = tuple((column, name) for column, name in columns.items() if column and name in fields)
        return TableReport(
            file_name=preview.name,
            table=plan_table,
            format=preview.format,
            encoding=preview.encoding,
            delimiter=preview.delimiter,
            sheet=preview.sheet,
            sheet_names=preview.sheet_names,
            mapping=Mapping(plan_table, mapped, preview.encoding, preview.delimiter, preview.sheet),
            rows_read=self.raw.rows_read,
            rows_loaded=self.raw.rows_read - rejected,
            rows_rejected=rejected,
            rows_output=rows_output,
            rejections=rejections,
            unmapped_columns=tuple(c for c in preview.columns if c not in columns),
            warnings=tuple(self.warnings),
            columns=preview.columns,
        )


def _joined(
    file: _File, column: str, keys: pd.Series, target: str, what: Message, joins: list[JoinCount], right_key: str
) -> pd.Series:
    """Reject (with the reason) rows of ``file`` whose ``column`` is not among ``keys``; count the join."""
    values = file.text(column)
    considered = file.kept.copy()
    found = values.isin(set(keys.dropna())).to_numpy()
    file.reject(considered & values.isna().to_numpy(), Message("load_reason_no_link_key", column=column, target=target))
    file.reject(considered & ~found, Message("load_reason_unknown_key", column=column, target=target, what=what))
    joins.append(
        JoinCount(
            file.table.file_name, column, target, right_key, int(considered.sum()), int((considered & found).sum())
        )
    )
    return values


def _keyed(file: _File, role: str) -> pd.Series:
    """The file's own key; blank and repeated keys rejected (the first row of a key is kept)."""
    key = file.table.key
    values = file.text(key)
    file.reject(values.isna().to_numpy(), Message("load_reason_no_own_key", key=key, role=Term(f"role_{role}")))
    kept = pd.Series(file.kept)
    file.reject((values.duplicated() & kept & values.notna()).to_numpy(), Message("load_reason_key_repeated", key=key))
    return values


def _dates(file: _File, column: str | None, options: LoadOptions) -> pd.Series:
    if column is None:
        return pd.Series(pd.NaT, index=range(len(file.frame)), dtype="datetime64[ns]")
    dates = transaction_dates(file.frame[column].astype("string"), options.date_order)
    unread = int((dates.invalid | dates.placeholder).sum())
    if unread:
        file.warnings.append(Message("load_values_not_dates", values=Count(unread), column=column))
    return dates.timestamps()


def _numbers(file: _File, column: str | None, options: LoadOptions) -> pd.Series:
    if column is None:
        return pd.Series(np.nan, index=range(len(file.frame)), dtype="float64")
    numbers, failed = parse_numbers(file.frame[column].reset_index(drop=True), options.parentheses_negative)
    if int(failed.sum()):
        file.warnings.append(Message("load_values_not_numbers", values=Count(int(failed.sum())), column=column))
    return numbers.astype("float64")


def _read(name: str, data: bytes, options: LoadOptions) -> RawTable:
    preview = preview_file(name, data, options)
    return read_rows(preview)


def relational_load(
    files: list[tuple[str, bytes]], plan: JoinPlan, options: LoadOptions = DEFAULT_OPTIONS
) -> RelationalLoad:
    """Join related tables by the plan's keys and reduce them to the contract (see the module docstring).

    Raises
    ------
    LoadError
        A file the plan needs was not given, the plan has no account table, or a key column it
        names is not in its file.
    """
    given = dict(files)
    missing = [table.file_name for table in plan.tables if table.file_name not in given]
    if missing:
        raise LoadError(Message("load_refused_plan_files_missing", files=", ".join(missing)))
    account_table = plan.table("account")
    if account_table is None:
        raise LoadError(Message("load_refused_plan_no_accounts"))
    read = {
        table.file_name: _File(_read(table.file_name, given[table.file_name], options), table) for table in plan.tables
    }
    for file in read.values():
        absent = [
            column
            for column in (
                file.table.key,
                *(pair.left_column for pair in plan.links if pair.left == file.table.file_name),
            )
            if column and column not in file.frame.columns
        ]
        if absent:
            problem = Message(
                "load_refused_plan_columns",
                columns=", ".join(map(repr, absent)),
                present=", ".join(file.raw.preview.columns),
            )
            raise refusal(file.table.file_name, problem, hint=None)
    joins: list[JoinCount] = []
    warnings: list[Message] = []
    outputs: dict[str, int] = {}
    columns: dict[str, dict[str, str]] = {name: {} for name in read}

    # District names.
    district_name: dict[str, str] = {}
    district = plan.table("district")
    if district is not None:
        file = read[district.file_name]
        ids = _keyed(file, "district")
        names = file.text(district.name_column) if district.name_column else ids
        kept = pd.Series(file.kept)
        district_name = dict(zip(ids[kept], names[kept].fillna(ids[kept]), strict=True))
        outputs[district.file_name] = int(kept.sum())
        columns[district.file_name] = {district.key: "district", district.name_column or "": "branch"}

    # Accounts: their district (branch) and date.
    accounts_file = read[account_table.file_name]
    account_ids = _keyed(accounts_file, "account")
    account_branch = pd.Series(pd.NA, index=account_ids.index, dtype="string")
    district_pair = plan.link(account_table.file_name, "district")
    district_column = district_pair.left_column if district_pair else None
    if district_column is None:
        district_column = next((c for c in accounts_file.frame.columns if _key_role(c) == "district"), None)
    if district_column is not None:
        district_ids = accounts_file.text(district_column)
        if district_pair is not None:
            known = district_ids.isin(set(district_name)) & pd.Series(accounts_file.kept)
            present = district_ids.notna() & pd.Series(accounts_file.kept)
            joins.append(
                JoinCount(
                    accounts_file.table.file_name,
                    district_column,
                    district_pair.right,
                    district_pair.right_column,
                    int(present.sum()),
                    int(known.sum()),
                )
            )
            account_branch = district_ids.map(district_name).astype("string")
            if int((present & ~known).sum()):
                accounts_file.warnings.append(
                    Message(
                        "load_accounts_unknown_district",
                        accounts=Count(int((present & ~known).sum())),
                        column=district_column,
                        table=district_pair.right,
                    )
                )
        else:
            account_branch = district_ids
            warnings.append(Message("load_no_district_table", column=district_column))
    account_dates = _dates(accounts_file, account_table.date_column, options)
    columns[account_table.file_name] = {
        account_table.key: "account",
        district_column or "": "branch",
        account_table.date_column or "": "open_date",
    }

    # Who a customer is, and which customer each account belongs to.
    client_table = plan.table("client") if plan.customer_entity == "client" else None
    disposition = plan.table("disposition") if client_table is not None else None
    links = pd.DataFrame({"account": pd.Series([], dtype="string"), "customer": pd.Series([], dtype="string")})
    owners = links
    if client_table is not None and disposition is not None:
        clients_file = read[client_table.file_name]
        client_ids = _keyed(clients_file, "client")
        customer_ids = client_ids[pd.Series(clients_file.kept)]
        outputs[client_table.file_name] = len(customer_ids)
        columns[client_table.file_name] = {client_table.key: "customer_id"}
        disp_file = read[disposition.file_name]
        disp_ids = _keyed(disp_file, "disposition") if disposition.key else None
        client_pair = plan.link(disposition.file_name, "client")
        account_pair = plan.link(disposition.file_name, "account")
        if client_pair is None or account_pair is None:
            raise LoadError(Message("load_refused_plan_disposition", file=disposition.file_name))
        disp_clients = _joined(
            disp_file,
            client_pair.left_column,
            customer_ids,
            client_pair.right,
            Message("load_row_disposition_unknown_client"),
            joins,
            client_pair.right_column,
        )
        disp_accounts = _joined(
            disp_file,
            account_pair.left_column,
            account_ids[pd.Series(accounts_file.kept)],
            account_pair.right,
            Message("load_row_disposition_unknown_account"),
            joins,
            account_pair.right_column,
        )
        kept = pd.Series(disp_file.kept)
        links = pd.DataFrame(
            {
                "disposition": disp_ids[kept] if disp_ids is not None else pd.Series(pd.NA, index=kept[kept].index),
                "account": disp_accounts[kept],
                "customer": disp_clients[kept],
            }
        ).reset_index(drop=True)
        kind = _named(tuple(disp_file.frame.columns), _KIND_HEADERS)
        kinds = disp_file.text(kind)[kept].str.upper().reset_index(drop=True) if kind else None
        if kinds is not None and (kinds == "OWNER").any():
            owners = links[(kinds == "OWNER").to_numpy()]
            warnings.append(Message("load_accounts_owner", column=kind, file=disposition.file_name))
        else:
            owners = links
        shared = owners["account"].duplicated(keep="first")
        if shared.any():
            warnings.append(Message("load_accounts_shared", accounts=Count(int(shared.sum()))))
        owners = owners[~shared]
        outputs[disposition.file_name] = len(links)
        columns[disposition.file_name] = {
            disposition.key or "": "disposition",
            client_pair.left_column: "customer_id",
            account_pair.left_column: "account",
            kind or "": "owner",
        }
        entity_word = "client"
    else:
        customer_ids = account_ids[pd.Series(accounts_file.kept)]
        owners = links = pd.DataFrame({"account": customer_ids, "customer": customer_ids}).reset_index(drop=True)
        entity_word = "account"
        if plan.table("client") is not None:
            warnings.append(Message("load_customers_are_accounts"))
    owner_of = dict(zip(owners["account"], owners["customer"], strict=True))
    accounts_kept = pd.Series(accounts_file.kept)
    if entity_word == "client":
        unowned = accounts_kept & ~account_ids.isin(set(links["account"]))
        accounts_file.reject(unowned.to_numpy(), Message("load_reason_account_without_client"))
    outputs[account_table.file_name] = int(pd.Series(accounts_file.kept).sum())

    # Customers: branch and open date of their first account (owned first), AUM from the balances.
    account_facts = pd.DataFrame(
        {"account": account_ids, "branch": account_branch, "open_date": account_dates, "kept": accounts_file.kept}
    )
    account_facts = account_facts[account_facts["kept"]].drop(columns="kept")
    ranked = pd.concat(
        [owners.assign(rank=0)[["account", "customer", "rank"]], links.assign(rank=1)[["account", "customer", "rank"]]]
    ).merge(account_facts, on="account", how="inner", validate="many_to_one")
    primary = ranked.sort_values(["customer", "rank", "open_date"], kind="stable").drop_duplicates("customer")

    balances = pd.Series(dtype="float64")
    activity = None
    log = plan.table("transaction")
    if log is not None:
        activity, balances = _transactions(
            read[log.file_name],
            plan,
            links,
            owner_of,
            account_ids,
            accounts_kept,
            options,
            joins,
            warnings,
            entity_word,
        )
        outputs[log.file_name] = 0 if activity is None else len(activity)
        columns[log.file_name] = {
            next(p.left_column for p in plan.links if p.left == log.file_name and p.right == account_table.file_name)
            if plan.link(log.file_name, "account")
            else "": "account",
            log.date_column or "": "month",
            log.channel_column or "": "channel",
            log.amount_column or "": "amount",
            log.balance_column or "": "aum",
        }
    aum = (
        pd.DataFrame({"account": balances.index, "aum": balances.to_numpy()})
        .assign(customer=lambda frame: frame["account"].map(owner_of))
        .dropna(subset=["customer"])
        .groupby("customer")["aum"]
        .sum(min_count=1)
    )
    customers = pd.DataFrame({"customer_id": customer_ids.astype("string").reset_index(drop=True)})
    customers = customers.merge(
        primary[["customer", "branch", "open_date"]].rename(columns={"customer": "customer_id"}),
        on="customer_id",
        how="left",
        validate="one_to_one",
    )
    customers.insert(1, "aum", customers["customer_id"].map(aum).astype("float64"))
    customers = customers.sort_values("customer_id", key=_natural, kind="stable").reset_index(drop=True)
    customers["customer_id"] = customers["customer_id"].astype("string")
    customers["branch"] = customers["branch"].astype("string")
    customers["open_date"] = pd.to_datetime(customers["open_date"])
    _customer_notes(customers, entity_word, log, warnings)

    # Holdings: cards, loans, standing orders.
    holdings = _holdings(read, plan, links, owner_of, account_ids, accounts_kept, options, joins, outputs, columns)

    reports = []
    for table in plan.tables:
        file = read[table.file_name]
        if table.role == "unused" or (table.role in ("client", "disposition") and entity_word == "account"):
            file.reject(file.kept, Message("load_reason_not_linked_customers", file=table.file_name))
        reports.append(
            file.report(TABLE_OF_ROLE[table.role], outputs.get(table.file_name, 0), columns[table.file_name])
        )
        if reports[-1].rows_read != reports[-1].rows_loaded + reports[-1].rows_rejected:
            raise AssertionError(f"{table.file_name}: row counts do not reconcile")  # pragma: no cover
    for join in joins:
        counted = {
            "left": join.left,
            "right": join.right,
            "left_column": join.left_column,
            "right_column": join.right_column,
            "matched": Count(join.matched),
            "rows": Count(join.rows),
            "unmatched": Count(join.unmatched),
        }
        warnings.append(Message("load_join_rejected", **counted) if join.unmatched else Message("load_join", **counted))
    parts = [part for name, data in files for part in (name.encode("utf-8"), bytes(data))]
    parts += [plan.to_json().encode("utf-8"), json.dumps(asdict(options), default=str, sort_keys=True).encode()]
    dataset = Dataset(
        name=", ".join(name for name, _ in files),
        customers=customers,
        activity=activity,
        holdings=holdings,
        fingerprint=fingerprint_of(parts),
    )
    report = LoadReport(files=tuple(reports), usable=True, warnings=tuple(warnings))
    return RelationalLoad(dataset, report, tuple(joins))


def _natural(ids: pd.Series) -> pd.Series:
    """Sort key: numeric ids by number (2 before 10), others by text after them."""
    numbers = pd.to_numeric(ids, errors="coerce")
    return numbers.fillna(np.inf).astype("float64") if numbers.notna().all() else ids


def _customer_notes(customers: pd.DataFrame, entity: str, log: TableRole | None, warnings: list[Message]) -> None:
    role = Term(f"role_{entity}")
    warnings.insert(0, Message("load_related_customers", customers=Count(len(customers)), role=role))
    no_account = int(customers["open_date"].isna().sum() if entity == "client" else 0)
    unknown = int(customers["aum"].isna().sum())
    if log is None or log.balance_column is None:
        warnings.append(Message("load_related_no_balance"))
    elif unknown:
        warnings.append(Message("load_related_aum_some_unknown", role=role, customers=Count(unknown)))
    else:
        warnings.append(Message("load_related_aum", role=role))
    if no_account:
        warnings.append(Message("load_clients_without_account", clients=Count(no_account)))


def _account_customer(
    file: _File,
    plan: JoinPlan,
    owner_of: dict,
    account_ids: pd.Series,
    accounts_kept: pd.Series,
    joins: list[JoinCount],
    entity: str,
    linked_accounts: pd.Series,
) -> pd.Series:
    """Each row's customer through its account; rows of unknown or unowned accounts rejected."""
    pair = plan.link(file.table.file_name, "account")
    if pair is None:
        file.reject(file.kept, Message("load_reason_not_linked_accounts", file=file.table.file_name))
        return pd.Series(pd.NA, index=range(len(file.frame)), dtype="string")
    accounts = _joined(
        file,
        pair.left_column,
        account_ids[accounts_kept],
        pair.right,
        Message("load_row_unknown_account"),
        joins,
        pair.right_column,
    )
    customers = accounts.map(owner_of).astype("string")
    if entity == "client":
        linked = accounts.isin(set(linked_accounts)).to_numpy()
        file.reject(customers.isna().to_numpy() & linked, Message("load_reason_account_without_owner"))
        file.reject(customers.isna().to_numpy(), Message("load_reason_account_without_client"))
    return customers


def _transactions(
    file: _File,
    plan: JoinPlan,
    links: pd.DataFrame,
    owner_of: dict,
    account_ids: pd.Series,
    accounts_kept: pd.Series,
    options: LoadOptions,
    joins: list[JoinCount],
    warnings: list[Message],
    entity: str,
) -> tuple[pd.DataFrame | None, pd.Series]:
    """Activity per customer x month x channel, and the last balance of each account."""
    table = file.table
    customers = _account_customer(file, plan, owner_of, account_ids, accounts_kept, joins, entity, links["account"])
    pair = plan.link(table.file_name, "account")
    accounts = file.text(pair.left_column) if pair else customers
    dates = _dates(file, table.date_column, options)
    file.reject(dates.isna().to_numpy(), Message("load_reason_month_unknown", column=table.date_column or "date"))
    kept = file.kept
    balances = pd.Series(dtype="float64")
    if table.balance_column:
        balance = _numbers(file, table.balance_column, options)
        order = table.key
        frame = pd.DataFrame({"account": accounts, "date": dates, "balance": balance, "row": np.arange(len(dates))})
        if order:
            frame["order"] = pd.to_numeric(file.text(order), errors="coerce")
        frame = frame[kept & frame["balance"].notna().to_numpy()]
        sort = ["account", "date", *(["order"] if order else []), "row"]
        balances = frame.sort_values(sort, kind="stable").drop_duplicates("account", keep="last")
        balances = balances.set_index("account")["balance"]
    if table.channel_column is None:
        file.warnings.append(Message("load_no_operation_column"))
        warnings.append(Message("load_no_activity_table", file=table.file_name))
        return None, balances
    operations = file.text(table.channel_column).fillna("")
    planned = dict(plan.channels)
    channel = operations.map(lambda value: planned[value] if value in planned else operation_channel(value))
    known = (channel != "").to_numpy() & kept
    unclear = operations[kept & ~known].replace("", "—").value_counts()
    if len(unclear):
        listed = ", ".join(f"{value} {number:,}" for value, number in unclear.items())
        warnings.append(
            Message(
                "load_operations_unclear", file=table.file_name, transactions=Count(int(unclear.sum())), listed=listed
            )
        )
    if not known.any():
        warnings.append(Message("load_no_channel_mapped", file=table.file_name))
        return None, balances
    amount = _numbers(file, table.amount_column, options).to_numpy()[known] if table.amount_column else None
    ids, customer_codes = np.unique(customers.to_numpy(dtype=object)[known].astype(str), return_inverse=True)
    order = np.argsort(_natural(pd.Series(ids)).to_numpy(), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    month = dates.to_numpy()[known].astype("datetime64[M]").astype("int64")
    channel_codes = pd.Categorical(channel.to_numpy()[known], dtype=channel_dtype()).codes.astype("int64")
    activity = activity_from_codes(
        rank[customer_codes].astype("int64"), month, channel_codes, amount, pd.Series(ids[order], dtype="string")
    )
    return activity, balances


def _holdings(
    read: dict[str, _File],
    plan: JoinPlan,
    links: pd.DataFrame,
    owner_of: dict,
    account_ids: pd.Series,
    accounts_kept: pd.Series,
    options: LoadOptions,
    joins: list[JoinCount],
    outputs: dict[str, int],
    columns: dict[str, dict[str, str]],
) -> pd.DataFrame | None:
    entity = "client" if plan.customer_entity == "client" and plan.table("disposition") is not None else "account"
    parts = []
    for table in plan.tables:
        if table.role not in ("card", "loan", "order"):
            continue
        file = read[table.file_name]
        if table.role == "card" and entity == "client" and "disposition" in links.columns:
            pair = plan.link(table.file_name, "disposition")
            if pair is None:
                file.reject(file.kept, Message("load_reason_not_linked_dispositions", file=table.file_name))
                customers = pd.Series(pd.NA, index=range(len(file.frame)), dtype="string")
            else:
                known = links.dropna(subset=["disposition"])
                dispositions = _joined(
                    file,
                    pair.left_column,
                    known["disposition"],
                    pair.right,
                    Message("load_row_card_unknown_disposition"),
                    joins,
                    pair.right_column,
                )
                customers = dispositions.map(dict(zip(known["disposition"], known["customer"], strict=True)))
            link_column = pair.left_column if pair else ""
        else:
            customers = _account_customer(
                file, plan, owner_of, account_ids, accounts_kept, joins, entity, links["account"]
            )
            pair = plan.link(table.file_name, "account")
            link_column = pair.left_column if pair else ""
        if table.role == "card":
            kinds = file.text(table.kind_column).str.lower().fillna("") if table.kind_column else None
            product = (kinds + "_card").where(kinds != "", "card") if kinds is not None else "card"
        else:
            product = {"loan": "loan", "order": "standing_order"}[table.role]
        frame = pd.DataFrame(
            {
                "customer_id": customers.astype("string"),
                "product": product,
                "open_date": _dates(file, table.date_column, options),
            }
        )
        if table.role in ("loan", "order") and table.amount_column:
            # A loan's amount is what was lent, not what is owed: kept out of balance.
            file.warnings.append(Message("load_loan_amount_granted", column=table.amount_column))
        frame = frame[file.kept]
        outputs[table.file_name] = len(frame)
        columns[table.file_name] = {
            link_column: "customer_id",
            table.kind_column or "": "product",
            table.date_column or "": "open_date",
        }
        parts.append(frame)
    if not parts:
        return None
    holdings = pd.concat(parts, ignore_index=True)
    holdings["product"] = holdings["product"].astype("string")
    holdings["open_date"] = pd.to_datetime(holdings["open_date"])
    return holdings.reset_index(drop=True)


def reduced_dataset(
    files: list[tuple[str, bytes]], plan: JoinPlan, options: LoadOptions = DEFAULT_OPTIONS
) -> tuple[Dataset, LoadReport]:
    """Return the contract tables of related files joined by ``plan`` and the report (``relational_load``)."""
    load = relational_load(files, plan, options)
    return load.dataset, load.report


def plan_with_counts(plan: JoinPlan, joins: tuple[JoinCount, ...]) -> dict:
    """The plan as JSON-able data with each key pair's matched and unmatched rows (``check --json``)."""
    data = plan.to_dict()
    counted = {(join.left, join.left_column, join.right): join for join in joins}
    for pair in data["links"]:
        join = counted.get((pair["left"], pair["left_column"], pair["right"]))
        pair["rows"] = join.rows if join else None
        pair["matched"] = join.matched if join else None
        pair["unmatched"] = join.unmatched if join else None
    return data


def without_link(plan: JoinPlan, keep: list[bool]) -> JoinPlan:
    """The plan keeping only the key pairs flagged ``True`` (in ``plan.links`` order)."""
    return replace(plan, links=tuple(pair for pair, kept in zip(plan.links, keep, strict=True) if kept))


__all__ = [
    "JoinCount",
    "JoinPlan",
    "KeyPair",
    "RelationalLoad",
    "TableRole",
    "is_relational",
    "join_plan",
    "operation_channel",
    "plan_with_counts",
    "reduced_dataset",
    "relational_load",
    "without_link",
]
