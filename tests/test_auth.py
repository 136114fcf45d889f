"""Sign-in: off without secrets, a shared password when configured, OIDC users checked by domain;
password guesses braked per session and per address; the password stored as a salted slow hash."""

import getpass
import hashlib
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import auth
from ui.auth import BrakeRules, Refusal, SignInBrake, hash_password, verify_legacy_sha256, verify_password

APP = str(Path(__file__).resolve().parents[1] / "app.py")
CHEAP = {"n": 2**10}  # scrypt parameters for speed; the stored string carries them
SESSION, OTHER_SESSION, ADDRESS = "session:a", "session:b", "address:10.0.0.7"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def fresh_brake(monkeypatch):
    """Each test starts with an empty server-wide brake and a clock it moves by hand."""
    auth.sign_in_brake.clear()
    clock = FakeClock()
    monkeypatch.setattr(auth, "_now", clock)
    yield clock
    auth.sign_in_brake.clear()


# --- the brake: pure logic, time passed in ---


def test_waits_grow_after_each_failure_and_attempts_inside_them_are_refused():
    brake = SignInBrake(BrakeRules(session_lockout=50, address_lockout=50, first_wait_seconds=1, max_wait_seconds=8))
    keys, now, waits = (SESSION, ADDRESS), 0.0, []
    for _ in range(6):
        assert brake.admit(keys, now) is None
        brake.record_failure(keys, now)
        waits.append(brake.admit(keys, now).wait_seconds)
        early = brake.admit(keys, now + waits[-1] - 0.25)
        assert early == Refusal(0.25, locked=False), "an attempt inside the wait is refused"
        now += waits[-1]
    assert waits == [1, 2, 4, 8, 8, 8]


def test_lockout_after_n_failures_refuses_even_the_right_attempt_until_it_ends():
    rules = BrakeRules(session_lockout=5, lockout_seconds=600, window_seconds=600, first_wait_seconds=0)
    brake, keys = SignInBrake(rules), (SESSION, ADDRESS)
    for second in range(4):
        brake.record_failure(keys, float(second))
    assert brake.admit(keys, 4.0) is None, "four failures: not yet locked"
    brake.record_failure(keys, 4.0)
    assert brake.admit(keys, 5.0) == Refusal(599.0, locked=True)
    assert brake.admit(keys, 603.9).locked
    assert brake.admit(keys, 604.0) is None, "the lockout ends lockout_seconds after the last failure"


def test_failures_older_than_the_window_are_forgotten():
    rules = BrakeRules(session_lockout=3, window_seconds=100, lockout_seconds=100, first_wait_seconds=0)
    brake = SignInBrake(rules)
    brake.record_failure((SESSION,), 0.0)
    brake.record_failure((SESSION,), 50.0)
    brake.record_failure((SESSION,), 120.0)  # the first has left the window: two failures count
    assert brake.admit((SESSION,), 121.0) is None
    assert brake.tracked_keys() == 1
    assert brake.admit((SESSION,), 500.0) is None and brake.tracked_keys() == 0, "stale keys are dropped"


def test_the_address_brakes_new_sessions_and_other_addresses_are_unaffected():
    rules = BrakeRules(session_lockout=5, address_lockout=8, first_wait_seconds=0)
    brake = SignInBrake(rules)
    for attempt in range(8):  # a fresh session for every guess, as a scripted client would open
        assert brake.admit((f"session:{attempt}", ADDRESS), float(attempt)) is None
        brake.record_failure((f"session:{attempt}", ADDRESS), float(attempt))
    assert brake.admit(("session:new", ADDRESS), 9.0).locked
    assert brake.admit(("session:new", "address:10.0.0.8"), 9.0) is None


def test_the_session_locks_before_its_address_and_a_sign_in_clears_only_the_session():
    rules = BrakeRules(session_lockout=3, address_lockout=10, first_wait_seconds=0)
    brake = SignInBrake(rules)
    for second in range(3):
        brake.record_failure((SESSION, ADDRESS), float(second))
    assert brake.admit((SESSION, ADDRESS), 3.0).locked
    assert brake.admit((OTHER_SESSION, ADDRESS), 3.0) is None, "three failures do not lock the address"
    brake.forget(SESSION)
    assert brake.admit((SESSION, ADDRESS), 3.0) is None


def test_the_brake_keeps_a_bounded_number_of_keys():
    brake = SignInBrake(BrakeRules(max_tracked_keys=100))
    for number in range(1000):
        brake.record_failure((f"session:{number}", f"address:{number}"), 0.0)
    assert brake.tracked_keys() == 100


# --- the stored password ---


def test_scrypt_hash_is_salted_and_verifies_only_its_password():
    first, second = hash_password("meeting-room-7", **CHEAP), hash_password("meeting-room-7", **CHEAP)
    assert first != second, "a random salt per hash"
    assert first.startswith("scrypt:1024:8:1$") and len(first.split("$")[2]) == 64
    assert verify_password("meeting-room-7", first) and verify_password("meeting-room-7", second)
    assert not verify_password("meeting-room-8", first) and not verify_password("", first)


def test_default_hash_uses_the_documented_cost():
    stored = hash_password("x")
    assert stored.startswith(f"scrypt:{2**15}:8:1$") and verify_password("x", stored)


@pytest.mark.parametrize(
    "stored",
    ["", "not-a-hash", "bcrypt:10:8:1$00$00", "scrypt:1024:8:1$zz$00", f"scrypt:{2**30}:8:1$00$00"],
)
def test_malformed_or_oversized_hashes_match_nothing(stored):
    assert not verify_password("anything", stored)


def test_legacy_sha256_is_still_accepted():
    stored = hashlib.sha256(b"meeting-room-7").hexdigest().upper()
    assert verify_legacy_sha256("meeting-room-7", stored) and not verify_legacy_sha256("meeting-room", stored)


def test_hash_command_prints_a_line_to_paste_into_secrets(monkeypatch, capsys):
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "meeting-room-7")
    auth._print_hash_line()
    line = capsys.readouterr().out.strip()
    assert line.startswith('app_password_hash = "scrypt:') and line.endswith('"')
    assert verify_password("meeting-room-7", line.split('"')[1])
    assert "meeting-room-7" not in line


# --- the app ---


def _app(**secrets) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in secrets.items():
        at.secrets[name] = value
    return at.run()


def _type(at: AppTest, password: str) -> AppTest:
    return at.text_input(key="auth_password").set_value(password).run()


def test_no_secrets_means_no_sign_in():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.metric, "the Overview should open directly"


def test_shared_password_gates_the_app(fresh_brake):
    at = _app(app_password_hash=hash_password("meeting-room-7", **CHEAP))
    assert not at.metric and at.text_input(key="auth_password")
    _type(at, "wrong")
    assert at.error[0].value == "Wrong password. Wait 1 s before trying again." and not at.metric
    fresh_brake.now += 1
    _type(at, "meeting-room-7")
    assert not at.exception and at.metric


def test_legacy_sha256_secret_still_signs_in_and_logs_a_warning(caplog):
    at = _app(app_password_sha256=hashlib.sha256(b"meeting-room-7").hexdigest())
    with caplog.at_level(logging.WARNING, logger="ui.auth"):
        _type(at, "meeting-room-7")
    assert not at.exception and at.metric
    assert "unsalted SHA-256" in caplog.text and "meeting-room-7" not in caplog.text


def test_typing_too_soon_is_refused_unchecked(fresh_brake):
    at = _app(app_password_hash=hash_password("meeting-room-7", **CHEAP))
    _type(at, "wrong")
    fresh_brake.now += 0.5
    _type(at, "meeting-room-7")
    assert not at.metric
    assert at.error[0].value == "Too soon: that attempt was not checked. Wait 2 s before trying again."


def test_after_repeated_wrong_passwords_the_right_one_is_refused_for_minutes(fresh_brake, caplog):
    at = _app(app_password_hash=hash_password("meeting-room-7", **CHEAP))
    with caplog.at_level(logging.WARNING, logger="ui.auth"):
        for attempt in range(auth.BrakeRules().session_lockout):
            _type(at, f"guess-{attempt}")
            fresh_brake.now += 60  # past every growing wait: only the count locks
        _type(at, "meeting-room-7")
    assert not at.metric
    assert at.error[0].value == "Too many attempts. Try again in 14 minutes."
    assert caplog.text.count("Password sign-in refused") == 6 and "locked" in caplog.text
    assert "guess-" not in caplog.text and "meeting-room-7" not in caplog.text, "no password in the log"
    at.session_state["lang"] = "中文"
    _type(at, "meeting-room-7")
    assert at.error[0].value == "尝试次数过多。请 14 分钟后再试。"
    fresh_brake.now += 15 * 60
    _type(at, "meeting-room-7")
    assert not at.exception and at.metric, "the lockout ends"


def test_a_new_session_from_the_same_address_is_still_braked(fresh_brake):
    stored = hash_password("meeting-room-7", **CHEAP)
    for attempt in range(auth.BrakeRules().address_lockout):
        _type(_app(app_password_hash=stored), f"guess-{attempt}")  # AppTest sessions share address "local"
        fresh_brake.now += auth.BrakeRules().max_wait_seconds + 1  # 20 guesses within the window
    at = _type(_app(app_password_hash=stored), "meeting-room-7")
    assert not at.metric and at.error[0].value.startswith("Too many attempts.")


def test_oidc_user_of_the_wrong_domain_is_refused():
    auth_secrets = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x", "client_id": "c",
            "client_secret": "s", "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
            "allowed_domain": "bank-a.example"}  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = auth_secrets
    at.user = {"is_logged_in": False}
    at.run()
    assert at.button(key="auth_login") and not at.metric
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = auth_secrets
    at.user = {"is_logged_in": True, "email": "someone@gmail.example"}
    at.run()
    assert "Only accounts of bank-a.example" in at.error[0].value and not at.metric
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = auth_secrets
    at.user = {"is_logged_in": True, "email": "manager@bank-a.example"}
    at.run()
    assert not at.exception and at.metric
