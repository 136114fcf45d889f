"""An artefact's mapped pages are handed back after use, and nothing else is (``crm_core.mapped``)."""

import sys

import numpy as np
import pytest

from crm_core.mapped import read_only_file_mappings, release_mapped_pages
from tests.conftest import resident_bytes_under

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise and /proc/self are Linux")

ROWS = 4_000_000  # 32 MB of float64


def _mapped(folder, mode="r"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "planes.bin"
    np.arange(ROWS, dtype=np.float64).tofile(path)
    return np.memmap(path, dtype=np.float64, mode=mode, shape=(ROWS,))


def test_released_pages_leave_the_resident_size_and_the_values_stay(tmp_path):
    planes = _mapped(tmp_path / "artefact")
    total = float(planes.sum())  # every page read
    assert resident_bytes_under(tmp_path / "artefact") > 30e6
    assert release_mapped_pages([tmp_path / "artefact"]) >= planes.nbytes
    assert resident_bytes_under(tmp_path / "artefact") < 1e6
    assert float(planes.sum()) == total == ROWS * (ROWS - 1) / 2  # read again from the file


def test_writable_mappings_and_other_folders_keep_their_pages(tmp_path):
    written = _mapped(tmp_path / "artefact", mode="c")  # private and writable: its pages are its own
    written[0] = -1.0
    other = _mapped(tmp_path / "elsewhere")
    other.sum()
    assert release_mapped_pages([tmp_path / "artefact"]) == 0
    assert written[0] == -1.0  # released, the change would have been lost
    assert resident_bytes_under(tmp_path / "elsewhere") > 30e6
    assert read_only_file_mappings([tmp_path / "artefact"]) == []


def test_nothing_is_released_without_a_folder():
    assert release_mapped_pages([]) == 0
    assert release_mapped_pages([None]) == 0
