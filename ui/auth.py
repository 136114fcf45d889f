"""Optional sign-in: Streamlit's OIDC login, or one shared password for a meeting room. Off for local use.

Configured through secrets (``.streamlit/secrets.toml``, never committed):

* ``[auth]`` with ``redirect_uri``, ``cookie_secret``, ``client_id``, ``client_secret`` and
  ``server_metadata_url``: users sign in with the bank's identity provider (``st.login``);
  ``allowed_domain = "bank-a.example"`` optionally limits who may enter.
* ``app_password_hash = "scrypt:32768:8:1$<salt>$<hash>"``: a shared password, stored only as a
  salted scrypt hash; ``python -m ui.auth hash`` prints the line. The older unsalted
  ``app_password_sha256 = "<hex>"`` is still accepted, with a warning in the log.

With neither, the app opens without sign-in. Password guesses are braked per browser session and per
client address (``SignInBrake``): a growing wait after each wrong password, then a lockout.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from ui.i18n import t

LOG = logging.getLogger(__name__)
SIGNED_IN_KEY = "_signed_in_with_password"
REFUSAL_KEY = "_auth_refusal"
SESSION_ID_KEY = "_auth_session_id"

# scrypt cost: 2**15 * 8 * 128 bytes = 32 MiB and 0.1-0.25 s a check (OWASP's scrypt floor). Stored
# hashes carry their own parameters, which are bounded so a mistyped secret cannot exhaust memory.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SCRYPT_MAX_N, SCRYPT_MAX_R, SCRYPT_MAX_P = 2**20, 32, 16


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A salted scrypt hash of ``password`` as ``scrypt:n:r:p$<salt hex>$<hash hex>``.

    Examples
    --------
    >>> stored = hash_password("meeting-room-7", n=2**10)
    >>> stored.startswith("scrypt:1024:8:1$"), verify_password("meeting-room-7", stored)
    (True, True)
    """
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, r, p)
    return f"scrypt:{n}:{r}:{p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a ``hash_password`` string; malformed hashes match nothing."""
    try:
        scheme, salt_hex, digest_hex = stored.strip().split("$")
        name, n, r, p = scheme.split(":")
        n, r, p = int(n), int(r), int(p)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        LOG.error("app_password_hash in secrets is malformed: expected scrypt:n:r:p$salt$hash")
        return False
    if name != "scrypt" or not (1 < n <= SCRYPT_MAX_N and 0 < r <= SCRYPT_MAX_R and 0 < p <= SCRYPT_MAX_P):
        LOG.error("app_password_hash in secrets has an unknown scheme or out-of-range scrypt parameters")
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, size=len(expected)), expected)


def verify_legacy_sha256(password: str, stored_hex: str) -> bool:
    """The old unsalted SHA-256 form, still accepted; constant-time comparison."""
    digest = hashlib.sha256(password.encode()).hexdigest()
    return hmac.compare_digest(digest, stored_hex.strip().lower())


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, size: int = 32) -> bytes:
    memory = 128 * r * (n + p + 2)
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=memory + 2**20, dklen=size)


@dataclass(frozen=True)
class BrakeRules:
    """How hard wrong passwords brake further guesses (counted per session and per client address).

    After the k-th failure of a key in ``window_seconds``, its next attempt must wait
    ``min(first_wait_seconds * 2 ** (k - 1), max_wait_seconds)``; an attempt inside the wait is
    refused unchecked and counts as a failure. ``session_lockout`` (one browser session) or
    ``address_lockout`` (one client address, which an office behind one NAT shares) failures within
    the window lock the key for ``lockout_seconds`` after its last failure, the right password included.
    """

    window_seconds: float = 15 * 60
    lockout_seconds: float = 15 * 60
    session_lockout: int = 5
    address_lockout: int = 20
    first_wait_seconds: float = 1.0
    max_wait_seconds: float = 30.0
    max_tracked_keys: int = 10_000


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was refused unchecked: still locked (``locked``) or inside the growing wait."""

    wait_seconds: float
    locked: bool


class SignInBrake:
    """Failure counts per key (``session:…``, ``address:…``), thread-safe and bounded.

    Process-wide (one per server, held by ``st.cache_resource``), so opening new sessions does not
    reset an address. At most ``rules.max_tracked_keys`` keys are kept, least recently failed dropped
    first; keys whose failures are older than the window and lockout are dropped as they are seen.
    Time is passed in (``now``, seconds on a monotonic clock), so tests need no sleeping.

    Examples
    --------
    >>> brake = SignInBrake(BrakeRules(session_lockout=2, address_lockout=9))
    >>> keys = ("session:a", "address:10.0.0.7")
    >>> brake.admit(keys, now=0.0) is None
    True
    >>> brake.record_failure(keys, now=0.0)
    >>> brake.admit(keys, now=0.5)
    Refusal(wait_seconds=0.5, locked=False)
    >>> brake.record_failure(keys, now=5.0)
    >>> brake.admit(keys, now=6.0)
    Refusal(wait_seconds=899.0, locked=True)
    """

    def __init__(self, rules: BrakeRules = BrakeRules()) -> None:
        self.rules = rules
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, keys: tuple[str, ...], now: float) -> Refusal | None:
        """``None`` when the password may be checked now; else the longest refusal among ``keys``."""
        with self._lock:
            refusals = [refusal for key in keys if (refusal := self._refusal(key, now))]
        return max(refusals, key=lambda refusal: (refusal.locked, refusal.wait_seconds), default=None)

    def record_failure(self, keys: tuple[str, ...], now: float) -> None:
        with self._lock:
            for key in keys:
                failures = self._failures.pop(key, None) or deque(maxlen=self._limit(key))
                while failures and now - failures[0] >= self.rules.window_seconds:
                    failures.popleft()  # only failures within the window count towards a lockout
                failures.append(now)
                self._failures[key] = failures  # most recently failed last
            while len(self._failures) > self.rules.max_tracked_keys:
                self._failures.popitem(last=False)

    def forget(self, key: str) -> None:
        """A session that signed in starts clean (its address keeps its count until the window ends)."""
        with self._lock:
            self._failures.pop(key, None)

    def tracked_keys(self) -> int:
        with self._lock:
            return len(self._failures)

    def _limit(self, key: str) -> int:
        return self.rules.session_lockout if key.startswith("session:") else self.rules.address_lockout

    def _refusal(self, key: str, now: float) -> Refusal | None:
        failures = self._failures.get(key)
        if not failures:
            return None
        rules = self.rules
        if len(failures) >= self._limit(key) and now - failures[-1] < rules.lockout_seconds:
            return Refusal(failures[-1] + rules.lockout_seconds - now, locked=True)
        while failures and now - failures[0] >= rules.window_seconds:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        wait = min(rules.first_wait_seconds * 2 ** (len(failures) - 1), rules.max_wait_seconds)
        if now - failures[-1] < wait:
            return Refusal(failures[-1] + wait - now, locked=False)
        return None


@st.cache_resource(max_entries=1)
def sign_in_brake() -> SignInBrake:
    """The server's one brake (``sign_in_brake.clear()`` resets it, as tests do)."""
    return SignInBrake()


def _now() -> float:
    return time.monotonic()


def _secret(name: str):
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets file at all means no sign-in configured
        return None


def _brake_keys() -> tuple[str, ...]:
    """This session and its client address (``local`` on loopback, where Streamlit reports none)."""
    session = st.session_state.setdefault(SESSION_ID_KEY, uuid.uuid4().hex)
    address = st.context.ip_address
    return f"session:{session}", f"address:{address if isinstance(address, str) and address else 'local'}"


def _password_matches(typed: str) -> bool:
    stored = _secret("app_password_hash")
    if stored:
        return verify_password(typed, str(stored))
    LOG.warning("Shared password stored as unsalted SHA-256: replace app_password_sha256 (python -m ui.auth hash)")
    return verify_legacy_sha256(typed, str(_secret("app_password_sha256") or ""))


def _check_password() -> None:
    """Form callback: refuse while braked, else check the typed password in constant time."""
    typed = str(st.session_state.pop("auth_password", "") or "")
    keys, now, brake = _brake_keys(), _now(), sign_in_brake()
    refusal = brake.admit(keys, now)
    matched = refusal is None and bool(typed) and _password_matches(typed)
    st.session_state[SIGNED_IN_KEY] = matched
    st.session_state["_auth_failed"] = not matched
    if matched:
        brake.forget(keys[0])
        LOG.info("Password sign-in succeeded (%s, %s)", *keys)
        return
    if typed and not (refusal and refusal.locked):  # an empty field is no guess; a lockout is not extended
        brake.record_failure(keys, now)
    outcome = "wrong password" if refusal is None else ("locked" if refusal.locked else "too soon, not checked")
    LOG.warning("Password sign-in refused (%s, %s): %s", *keys, outcome)
    # What the user sees: why this attempt failed, and the wait now in force for the next one.
    st.session_state[REFUSAL_KEY] = (refusal is None, brake.admit(keys, now))


def _refusal_message(checked: bool, wait: Refusal | None) -> str:
    if wait is None:
        return t("password_wrong")
    if wait.locked:
        return t("password_locked", minutes=max(1, math.ceil(wait.wait_seconds / 60)))
    seconds = max(1, math.ceil(wait.wait_seconds))
    return t("password_wrong_wait", seconds=seconds) if checked else t("password_too_soon", seconds=seconds)


def _hide_navigation(url_paths: Sequence[str]) -> None:
    """Before sign-in, no page list: a hidden navigation replaces Streamlit's legacy ``pages/`` one.

    It holds the router's URL paths (the first is the default), never run, so a deep link such as
    ``/visits`` keeps its page through the sign-in instead of meeting "Page not found".
    """
    pages = [
        st.Page(_never_run, title=t("app_title"), url_path=path, default=index == 0)
        for index, path in enumerate(url_paths or ["sign_in"])
    ]
    st.navigation(pages, position="hidden")


def _never_run() -> None:  # the gate stops the script before any page runs
    pass


def require_sign_in(url_paths: Sequence[str] = ()) -> None:
    """Stop the run until the user is signed in, when sign-in is configured; otherwise do nothing.

    ``url_paths``: the router's pages, default first, so deep links survive the sign-in.
    """
    if _secret("auth"):
        if not st.user.is_logged_in:
            _hide_navigation(url_paths)
            st.title(t("app_title"))
            st.button(t("sign_in_provider"), key="auth_login", type="primary", on_click=st.login)
            st.stop()
        domain = (_secret("auth") or {}).get("allowed_domain")
        email = str(st.user.get("email") or "")
        if domain and not email.lower().endswith("@" + str(domain).lower()):
            _hide_navigation(url_paths)
            st.error(t("sign_in_wrong_domain", domain=domain))
            st.button(t("sign_out"), key="auth_logout", on_click=st.logout)
            st.stop()
        return
    configured = _secret("app_password_hash") or _secret("app_password_sha256")
    if configured and not st.session_state.get(SIGNED_IN_KEY):
        _hide_navigation(url_paths)
        st.title(t("app_title"))
        st.text_input(t("password"), type="password", key="auth_password", on_change=_check_password)
        if st.session_state.get("_auth_failed"):
            st.error(_refusal_message(*st.session_state.get(REFUSAL_KEY, (True, None))))
        st.stop()


def _print_hash_line() -> None:
    """``python -m ui.auth hash``: ask for the password twice, print the line for secrets.toml."""
    import getpass

    password = getpass.getpass("Shared password: ")
    if not password or password != getpass.getpass("Again: "):
        raise SystemExit("The two entries differ (or are empty); nothing printed.")
    print(f'app_password_hash = "{hash_password(password)}"')


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["hash"]:
        raise SystemExit("usage: python -m ui.auth hash")
    _print_hash_line()
