"""Branch and city names in Chinese when the language is Chinese (issue 17): one definition, applied at the edges."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import staff
from crm_core.dataset import Dataset, fingerprint_of
from crm_core.loading.mapping import suggestions
from crm_core.places import named_places, named_scorecard, place_names
from crm_core.prepare import prepared_dataset
from crm_core.report import report_content
from crm_core.sample import BRANCHES, SAMPLE_DIR, SAMPLE_PLACE_NAMES, read_sample
from crm_core.scenarios import proposed_scenario
from tests.test_screen_language import screen_texts

ROOT = Path(__file__).resolve().parents[1]
PINYIN_BRANCHES = tuple(name for _, name, _, _ in BRANCHES)
CHINESE_BRANCHES = {
    "Hangzhou Binjiang": "杭州滨江支行",
    "Hangzhou Fuyang": "杭州富阳支行",
    "Hangzhou Gongshu": "杭州拱墅支行",
    "Hangzhou Lin'an": "杭州临安支行",
    "Hangzhou Shangcheng": "杭州上城支行",
    "Hangzhou Xiaoshan": "杭州萧山支行",
    "Hangzhou Xihu": "杭州西湖支行",
    "Hangzhou Yuhang": "杭州余杭支行",
    "Ningbo Beilun": "宁波北仑支行",
    "Ningbo Cixi": "宁波慈溪支行",
    "Ningbo Haishu": "宁波海曙支行",
    "Ningbo Jiangbei": "宁波江北支行",
    "Ningbo Yinzhou": "宁波鄞州支行",
    "Ningbo Yuyao": "宁波余姚支行",
    "Shaoxing Keqiao": "绍兴柯桥支行",
    "Shaoxing Shangyu": "绍兴上虞支行",
    "Shaoxing Shengzhou": "绍兴嵊州支行",
    "Shaoxing Yuecheng": "绍兴越城支行",
    "Shaoxing Zhuji": "绍兴诸暨支行",
    "Wenzhou Longwan": "温州龙湾支行",
    "Wenzhou Lucheng": "温州鹿城支行",
    "Wenzhou Ouhai": "温州瓯海支行",
    "Wenzhou Rui'an": "温州瑞安支行",
    "Wenzhou Yueqing": "温州乐清支行",
}
"""The sample's 24 branches and their Chinese names, written out here independently of the generator."""


def test_place_names_show_the_chinese_name_in_chinese_and_the_value_in_english():
    customers = pd.DataFrame(
        {
            "branch": pd.array(["B01", "B01", "B01", "B02", "B03", "B04", None], dtype="string"),
            # B01's rows disagree (the most frequent name wins); B03 has only a blank; B04 none.
            "branch_zh": pd.array(
                ["杭州西湖支行", "杭州西湖支行", "西湖", " 宁波海曙支行 ", "  ", None, "x"], dtype="string"
            ),
        }
    )
    assert place_names(customers, "branch", "zh") == {
        "B01": "杭州西湖支行",
        "B02": "宁波海曙支行",
        "B03": "B03",
        "B04": "B04",
    }
    assert place_names(customers, "branch", "en") == {"B01": "B01", "B02": "B02", "B03": "B03", "B04": "B04"}
    assert place_names(customers.drop(columns="branch_zh"), "branch", "zh") == place_names(customers, "branch", "en")
    assert place_names(customers, "city", "zh") == {}


def test_units_sharing_a_chinese_name_stay_distinct():
    customers = pd.DataFrame({"branch": ["B1", "B2", "B3"], "branch_zh": ["西湖支行", "西湖支行", "B1"]})
    # B3's Chinese name is B1's value, which B1 no longer shows: every display name is one unit's.
    assert place_names(customers, "branch", "zh") == {"B1": "西湖支行（B1）", "B2": "西湖支行（B2）", "B3": "B1"}


def test_named_places_replaces_only_known_values_and_leaves_the_input_alone():
    frame = pd.DataFrame(
        {"branch": pd.array(["B1", "(none)", None], dtype="string"), "city": ["C", "C", "C"], "customers": [1, 2, 3]}
    )
    before = frame.copy()
    named = named_places(frame, {"branch": {"B1": "一支行"}, "city": {"C": "杭州"}, "group": {"B1": "x"}})
    assert named["branch"].tolist()[:2] == ["一支行", "(none)"] and pd.isna(named["branch"].iloc[2])
    assert named["branch"].dtype == frame["branch"].dtype
    assert named["city"].tolist() == ["杭州"] * 3
    pd.testing.assert_frame_equal(frame, before)


def test_the_sample_carries_chinese_names_without_changing_its_bytes():
    sample = read_sample()
    raw = pd.read_parquet(SAMPLE_DIR / "customers.parquet")
    assert "branch_zh" not in raw  # the committed files predate the names: read_sample adds them
    parts = []
    for table in ("customers", "activity", "holdings"):
        parts += [table.encode(), (SAMPLE_DIR / f"{table}.parquet").read_bytes()]
    assert sample.fingerprint == fingerprint_of(parts)
    customers = sample.customers
    assert list(customers.columns[1:5]) == ["branch", "city", "branch_zh", "city_zh"]
    pairs = customers[["branch", "branch_zh"]].drop_duplicates().set_index("branch")["branch_zh"].to_dict()
    assert len(pairs) == 24
    assert pairs == CHINESE_BRANCHES
    cities = customers[["city", "city_zh"]].drop_duplicates().set_index("city")["city_zh"].to_dict()
    assert cities == {"Hangzhou": "杭州", "Ningbo": "宁波", "Shaoxing": "绍兴", "Wenzhou": "温州"}


def test_another_banks_folder_gets_no_sample_names(tmp_path):
    customers = pd.DataFrame({"customer_id": ["1"], "branch": ["North"], "city": ["Oslo"], "aum": [1.0]})
    customers.to_parquet(tmp_path / "customers.parquet")
    assert list(read_sample(tmp_path).customers.columns) == ["customer_id", "branch", "city", "aum"]


def test_a_renamed_scorecard_ranks_the_same_units_the_same_way(small_sample):
    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, "s"))
    card = staff.staff_scorecard(prepared, "branch")
    names = place_names(prepared.customers, "branch", "zh")
    shown = named_scorecard(card, names)
    assert shown.units == tuple(names[u] for u in card.units)
    weights = staff.scorecard_weights(card, staff.PRESET_BY_KEY["customer_centric"])
    baseline = staff.scorecard_weights(card, staff.PRESET_BY_KEY["deposit_sales"])
    table = staff.ranking_table(card, weights, baseline)
    shown_table = staff.ranking_table(shown, weights, baseline)
    assert shown_table["unit"].tolist() == [names[u] for u in table["unit"]]
    assert shown_table["rank"].tolist() == table["rank"].tolist()
    assert named_scorecard(card, place_names(prepared.customers, "branch", "en")) is card
    managers = staff.staff_scorecard(prepared, "relationship_manager")
    assert named_scorecard(managers, names) is managers  # managers are not places


def test_a_file_can_supply_the_chinese_branch_name_beside_its_code():
    found = suggestions("customers", ("客户号", "网点编号", "网点名称", "城市", "city_name_zh", "金融资产"))
    assert found["网点编号"] == ("branch", "medium")
    assert found["网点名称"] == ("branch_zh", "low")
    assert found["城市"] == ("city", "high")
    assert found["city_name_zh"] == ("city_zh", "high")
    assert suggestions("customers", ("客户号", "网点名称"))["网点名称"] == ("branch", "high")  # the only name: the unit
    assert suggestions("customers", ("branch", "branch_name_zh"))["branch_name_zh"] == ("branch_zh", "high")
    # A second branch-like column of codes is not a name.
    sample = pd.DataFrame({"网点名称": ["杭州西湖支行"], "所属机构名称": ["B001"]})
    assert "所属机构名称" not in suggestions("customers", ("网点名称", "所属机构名称"), sample)


@pytest.mark.slow
def test_the_chinese_deck_names_branches_in_chinese(small_sample):
    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, "s"))
    chinese = set(SAMPLE_PLACE_NAMES["branch"].values())
    zh = report_content(prepared, proposed_scenario(), "zh")
    step = zh.step("staff")
    units = step.table.iloc[:, 0].tolist()
    assert units and set(units) <= chinese
    assert set(step.chart.categories) <= chinese
    ranking = dict(zh.tables)["ranking"]
    assert set(ranking["unit"]) == set(prepared.customers["branch_zh"])
    for shown in zh.steps:  # headlines, notes and tables (the playbook's findings among them)
        cells = [] if shown.table is None else shown.table.astype(str).to_numpy().ravel().tolist()
        text = " ".join([shown.headline, shown.notes, *cells, *(shown.chart.categories if shown.chart else ())])
        assert not [name for name in PINYIN_BRANCHES if name in text], shown.key
    en = report_content(prepared, proposed_scenario(), "en")
    assert set(en.step("staff").table.iloc[:, 0]) <= set(PINYIN_BRANCHES)


def opened(page: str, lang: str = "中文") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def pinyin_shown(at: AppTest) -> list[tuple[str, str]]:
    return [(where, text) for where, text in screen_texts(at) if any(name in text for name in PINYIN_BRANCHES)]


@pytest.mark.slow
def test_staff_kpis_in_chinese_name_branches_in_chinese():
    at = opened("staff_kpis")
    ranking = next(d.value for d in at.dataframe if "网点" in d.value.columns)
    assert "杭州滨江支行" in ranking["网点"].tolist()
    assert set(ranking["网点"]) == set(CHINESE_BRANCHES.values())
    assert any("宁波海曙支行" in w.value for w in at.warning)  # the guardrail names the deposit-push branch
    assert not pinyin_shown(at)


@pytest.mark.slow
def test_visits_in_chinese_name_branches_in_chinese():
    at = opened("visits")
    texts = [text for _, text in screen_texts(at)]
    assert any("杭州滨江支行" in text for text in texts)
    assert not pinyin_shown(at)
    assert pinyin_shown(opened("visits", "EN"))  # English shows the data's own names
