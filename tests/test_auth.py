"""Sign-in: off without secrets, a shared password when configured, OIDC users checked by domain."""

import hashlib
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_no_secrets_means_no_sign_in():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.metric, "the Overview should open directly"


def test_shared_password_gates_the_app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["app_password_sha256"] = hashlib.sha256(b"meeting-room-7").hexdigest()
    at.run()
    assert not at.metric and at.text_input(key="auth_password")
    at.text_input(key="auth_password").set_value("wrong").run()
    assert at.error[0].value == "Wrong password." and not at.metric
    at.text_input(key="auth_password").set_value("meeting-room-7").run()
    assert not at.exception and at.metric


def test_oidc_user_of_the_wrong_domain_is_refused():
    auth = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x", "client_id": "c",
            "client_secret": "s", "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
            "allowed_domain": "bank-a.example"}  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = auth
    at.user = {"is_logged_in": False}
    at.run()
    assert at.button(key="auth_login") and not at.metric
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = auth
    at.user = {"is_logged_in": True, "email": "someone@gmail.example"}
    at.run()
    assert "Only accounts of bank-a.example" in at.error[0].value and not at.metric
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = auth
    at.user = {"is_logged_in": True, "email": "manager@bank-a.example"}
    at.run()
    assert not at.exception and at.metric
