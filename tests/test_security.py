"""Security floors of installed packages and session isolation between users."""

from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version
from streamlit.testing.v1 import AppTest

from crm_core.loading import load_dataset

APP = str(Path(__file__).resolve().parents[1] / "app.py")

SECURITY_FLOORS = {
    # package: (lowest safe version, advisories fixed by it)
    "streamlit": ("1.54.0", "CVE-2024-42474 path traversal, CVE-2026-33682, CVE-2026-10804"),
    "pyarrow": ("14.0.1", "CVE-2023-47248 arbitrary code execution reading IPC/Parquet"),
    "scikit-learn": ("1.5.0", "CVE-2024-5206 sensitive data leakage in TfidfVectorizer"),
    "h11": ("0.16.0", "CVE-2025-43859 request smuggling"),
    "jinja2": ("3.1.6", "CVE-2025-27516 sandbox breakout"),
    "requests": ("2.32.4", "CVE-2024-47081 .netrc credential leak"),
    "urllib3": ("2.5.0", "CVE-2025-50181 / CVE-2025-50182 redirect handling"),
    "protobuf": ("5.29.5", "CVE-2025-4565 recursion DoS"),
    "pillow": ("11.3.0", "CVE-2025-48379 heap overflow in DDS writing"),
    "lxml": ("4.9.1", "CVE-2022-2309 NULL dereference"),
    "starlette": ("0.47.2", "CVE-2025-54121 multipart DoS"),
}


@pytest.mark.parametrize("package", sorted(SECURITY_FLOORS))
def test_installed_version_is_above_its_security_floor(package):
    floor, advisories = SECURITY_FLOORS[package]
    assert Version(version(package)) >= Version(floor), f"{package} {version(package)} < {floor}: {advisories}"


def test_requirements_pin_streamlit_above_the_advisories():
    pins = dict(
        line.split("==") for line in (Path(APP).parent / "requirements.txt").read_text().splitlines() if "==" in line
    )
    assert Version(pins["streamlit"]) >= Version(SECURITY_FLOORS["streamlit"][0])


def _dataset(name: str, aum: str):
    return load_dataset([(name, f"customer_id,aum\nX1,{aum}\nX2,{aum}\n".encode())])[0]


def test_two_sessions_never_see_each_others_upload():
    first, second = AppTest.from_file(APP, default_timeout=60), AppTest.from_file(APP, default_timeout=60)
    first.session_state["uploaded_dataset"] = _dataset("first.csv", "1000")  # the sidebar then selects it
    first.run()
    second.run()
    assert first.title[0].value.endswith("first\\.csv")
    assert "first" not in second.title[0].value and second.radio(key="data_source__en").options == ["Bank A sample"]
    second.session_state["uploaded_dataset"] = _dataset("second.csv", "9999")
    second.run()
    second.radio(key="data_source__en").set_value("upload").run()
    first.run()
    assert {m.label: m.value for m in first.metric}["Total AUM"] == "¥2K"
    assert {m.label: m.value for m in second.metric}["Total AUM"] == "¥20K"
    assert "second" not in first.title[0].value
