"""crm_core: the pure analytics library of the bank CRM strategy dashboard.

It never imports streamlit. Data flows one way: file -> canonical contract (``contract``,
``dataset``) -> prepared dataset (``prepare``, once per fingerprint) -> view aggregates
(``overview`` …) -> plotly figures (``charts``).
"""
