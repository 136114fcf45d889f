"""Optional sign-in: Streamlit's OIDC login, or one shared password for a meeting room. Off for local use.

Configured through secrets (``.streamlit/secrets.toml``, never committed):

* ``[auth]`` with ``redirect_uri``, ``cookie_secret``, ``client_id``, ``client_secret`` and
  ``server_metadata_url``: users sign in with the bank's identity provider (``st.login``);
  ``allowed_domain = "bank-a.example"`` optionally limits who may enter.
* ``app_password_sha256 = "<hex>"``: a shared password, stored only as its SHA-256.

With neither, the app opens without sign-in.
"""

from __future__ import annotations

import hashlib
import hmac

import streamlit as st

from ui.i18n import t

SIGNED_IN_KEY = "_signed_in_with_password"


def _secret(name: str):
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets file at all means no sign-in configured
        return None


def _check_password() -> None:
    """Form callback: compare the typed password's hash with the configured one in constant time."""
    typed = str(st.session_state.get("auth_password", ""))
    expected = str(_secret("app_password_sha256") or "")
    digest = hashlib.sha256(typed.encode()).hexdigest()
    st.session_state[SIGNED_IN_KEY] = bool(expected) and hmac.compare_digest(digest, expected.lower())
    st.session_state["_auth_failed"] = not st.session_state[SIGNED_IN_KEY]
    st.session_state.pop("auth_password", None)


def require_sign_in() -> None:
    """Stop the run until the user is signed in, when sign-in is configured; otherwise do nothing."""
    if _secret("auth"):
        if not st.user.is_logged_in:
            st.title(t("app_title"))
            st.button(t("sign_in_provider"), key="auth_login", type="primary", on_click=st.login)
            st.stop()
        domain = (_secret("auth") or {}).get("allowed_domain")
        email = str(st.user.get("email") or "")
        if domain and not email.lower().endswith("@" + str(domain).lower()):
            st.error(t("sign_in_wrong_domain", domain=domain))
            st.button(t("sign_out"), key="auth_logout", on_click=st.logout)
            st.stop()
        return
    if _secret("app_password_sha256") and not st.session_state.get(SIGNED_IN_KEY):
        st.title(t("app_title"))
        st.text_input(t("password"), type="password", key="auth_password", on_change=_check_password)
        if st.session_state.get("_auth_failed"):
            st.error(t("password_wrong"))
        st.stop()
