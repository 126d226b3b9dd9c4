"""Password hashing (Argon2id) and signed, expiring API bearer tokens."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.settings import get_settings

_hasher = PasswordHasher()
# A real hash to verify against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="encuentro-api-token")


def issue_api_token(*, user_id: int, auth_version: int) -> str:
    return _serializer().dumps({"u": user_id, "v": auth_version})


def read_api_token(token: str) -> tuple[int, int] | None:
    """Return (user id, auth version) for a valid, unexpired token, else None."""
    max_age = get_settings().api_token_hours * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or "u" not in data or "v" not in data:
        return None
    return int(data["u"]), int(data["v"])
