"""Loading uploads into the canonical ``Dataset``: reading, value parsing, mapping, validation.

Public API
----------
load_dataset(files, mappings=None, options=DEFAULT_OPTIONS) -> (Dataset, LoadReport)
load_table(name, data, mapping=None, options=DEFAULT_OPTIONS) -> (DataFrame, TableReport)
read_file(path, mapping=None, options=DEFAULT_OPTIONS) -> (Dataset, LoadReport)
preview_file(name, data, options) -> Preview        (format, encoding, delimiter, sheets, header, sample)
sheet_names(data) -> tuple of str
suggested_mapping_for(preview, options) -> Mapping
Mapping (to_json / from_json), LoadOptions, LoadReport, TableReport, LoadError

See ``docs/loading.md``.
"""

from crm_core.loading.errors import LoadError
from crm_core.loading.loader import load_dataset, load_table, read_file, suggested_mapping_for
from crm_core.loading.mapping import Mapping, guessed_table, normalised_header, suggested_field, suggested_mapping
from crm_core.loading.options import DEFAULT_OPTIONS, LoadOptions
from crm_core.loading.reading import Preview, preview_file, sheet_names
from crm_core.loading.report import Example, Issue, LoadReport, TableReport

__all__ = [
    "DEFAULT_OPTIONS",
    "Example",
    "Issue",
    "LoadError",
    "LoadOptions",
    "LoadReport",
    "Mapping",
    "Preview",
    "TableReport",
    "guessed_table",
    "load_dataset",
    "load_table",
    "normalised_header",
    "preview_file",
    "read_file",
    "sheet_names",
    "suggested_field",
    "suggested_mapping",
    "suggested_mapping_for",
]
