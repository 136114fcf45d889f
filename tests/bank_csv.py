"""The tiny bank written as a bank's CSV extract: ids with leading zeros, Chinese channel words, months as
2024年3月 / 202404, five activity rows the loader refuses (no id, an unreadable month, no channel, an
unknown channel, no count), one it reads once its cells are stripped and a second row of that key
(summed). Every engine of ``prepare`` must read it as the loader does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crm_core.dataset import Dataset

LEFT_OUT = (
    "rows left out: activity 5 (invalid month 1, missing channel 1, missing customer_id 1, missing transactions 1, "
    "unknown channel 1)"
)
"""What ``prepare`` prints for the refused rows, whichever engine read them."""

IDS = {"A": "001", "B": "002", "C": "003", "D": "004", "E": "005"}  # E: activity of no listed customer
WORDS = {"counter": "柜面", "mobile": "手机银行", "online": "网上银行", "atm": "ATM", "phone": "电话银行"}
CHINESE_HEADERS = {"customer_id": "客户号", "month": "交易月份", "channel": "渠道", "transactions": "交易笔数"}


def write_bank_csv(tiny: Dataset, folder: Path, chinese_headers: bool = False) -> Path:
    """Write customers.csv, holdings.csv and activity.csv of ``tiny`` into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    tiny.customers.replace({"customer_id": IDS}).to_csv(folder / "customers.csv", index=False)
    tiny.holdings.replace({"customer_id": IDS}).to_csv(folder / "holdings.csv", index=False)
    activity = tiny.activity.assign(
        customer_id=tiny.activity["customer_id"].astype(str).map(IDS),
        channel=tiny.activity["channel"].astype(str).map(WORDS),
        month=[m.strftime("%Y年%-m月" if i % 2 else "%Y%m") for i, m in enumerate(tiny.activity["month"])],
    )
    refused = pd.DataFrame(  # and a usable row written with spaces around its cells, then its key again
        {
            "customer_id": ["001", "NA", "002", "003", "004", " 002 ", "002"],
            "month": ["2024年3月", "2024年3月", "not a month", "2024年3月", "2024年3月", " 2026年3月 ", "202603"],
            "channel": ["信鸽", "柜面", "柜面", "", "柜面", " 手机银行 ", "手机银行"],
            "transactions": ["1", "1", "1", "1", "NA", " 2 ", "1"],
        }
    )
    rows = pd.concat([activity, refused], ignore_index=True)
    rows.rename(columns=CHINESE_HEADERS if chinese_headers else {}).to_csv(folder / "activity.csv", index=False)
    return folder
