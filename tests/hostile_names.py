"""Hostile names and identifiers for the sink tests (issue 22, items 5 and 6), generated in memory.

``HOSTILE_NAMES`` are data-borne strings that a renderer would turn into links, styling, remote
images or reversed text; ``hostile_files`` puts them in every text column a chart or a sentence
shows (branch, city, relationship manager, product) and in the upload's file name.
``identifier_files`` holds customers' names, phone numbers, 18-digit national ID numbers and
e-mail addresses, some on rejected rows, for the masking tests.
"""

from __future__ import annotations

import io

import pandas as pd

from tests import hostile_corpus as corpus

HTML_LINK = '<a href="https://evil.example/x">x</a>'
HTML_STYLE = '<span style="font-size:60px;color:red">X</span>'
MARKDOWN_LINK = "[Xihu](https://evil.example/md)"
BARE_URL = "https://evil.example/bare"
WWW_ADDRESS = "www.evil.example"
MARKDOWN_IMAGE = "![i](https://evil.example/i.png)"
RIGHT_TO_LEFT = "\u202eevil"

HOSTILE_NAMES: tuple[str, ...] = (
    HTML_LINK,
    HTML_STYLE,
    MARKDOWN_LINK,
    BARE_URL,
    WWW_ADDRESS,
    MARKDOWN_IMAGE,
    RIGHT_TO_LEFT,
)
"""Each one a branch, city, RM, product, tier label, segment or scenario name."""

HOSTILE_FILE_NAME = "[x](https://evil.example/fn) ![i](https://evil.example/i.png) **bold**.csv"
"""An upload's name: shown in the file panel header and the "Save mapping of …" button."""

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def hostile_files(n_customers: int = 400) -> corpus.Files:
    """Customers (hostile branch, city and RM names), activity, and holdings with a hostile product."""
    frame = corpus.customers_text_frame(n_customers)
    for offset, column in enumerate(("branch", "city", "relationship_manager")):
        names = HOSTILE_NAMES[offset:] + HOSTILE_NAMES[:offset]
        frame[column] = corpus.cycled(names, len(frame))
    holdings = corpus.base_tables(n_customers).holdings[["customer_id", "product", "balance"]].copy()
    holdings["product"] = holdings["product"].astype(str)
    holdings.loc[holdings.index[::7], "product"] = HTML_LINK
    return [
        (HOSTILE_FILE_NAME, corpus.csv_text(frame).encode()),
        ("activity.csv", corpus.activity_text(n_customers)),
        ("holdings.csv", holdings.to_csv(index=False).encode()),
    ]


NAMES = ("张三丰", "李四光", "Wang Xiaoming")
PHONES = ("13812341234", "13987654321", "15011112222")
ID_NUMBERS = ("110101199003071234", "320102198512124321", "44030519700101567X")
EMAILS = ("zhang.sanfeng@mail.example", "lisiguang@mail.example", "wxm@mail.example")
CUSTOMER_IDS = ("C20240001", "C20240002", "C20240003")

RAW_IDENTIFIERS: tuple[str, ...] = (*NAMES, *PHONES, *ID_NUMBERS, *EMAILS, *CUSTOMER_IDS)
"""Values that must never appear in clear while identifiers are masked."""


def identifier_files() -> corpus.Files:
    """A customers extract with 姓名 / 手机号码 / 身份证号码 / 邮箱 columns, one row rejected
    (AUM not a number), one with too many fields, and a phone number where a branch belongs.
    """
    rows = [
        {
            "客户编号": customer_id,
            "姓名": name,
            "手机号码": phone,
            "身份证号码": id_number,
            "邮箱": email,
            "网点": "西湖支行",
            "月日均资产": aum,
        }
        for customer_id, name, phone, id_number, email, aum in zip(
            CUSTOMER_IDS, NAMES, PHONES, ID_NUMBERS, EMAILS, ("125000", "abc", "88000"), strict=True
        )
    ]
    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False)
    text = buffer.getvalue()
    text += f"C20240009,{NAMES[0]},{PHONES[1]},{ID_NUMBERS[2]},{EMAILS[0]},{PHONES[2]},5000,extra\n"
    text += "C20240010,,,,,,7000\n"
    return [("客户.csv", text.encode())]
