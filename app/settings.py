"""One settings object, read from the environment (and `.env`) through a cached getter."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


def _development_secret() -> str:
    """Generate a secret once per checkout and keep it in ./data, so restarts keep sessions."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    encuentro_env: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{DATA_DIR / 'encuentro.db'}"
    secret_key: str = ""
    k_min: int = Field(default=5, ge=2, description="small-cell threshold for government views")
    minor_age: int = Field(default=18, ge=10, le=21)
    child_mode_age: int = Field(default=13, ge=6, le=18)
    default_language: Literal["en", "es"] = "en"
    login_max_failures: int = 5
    login_window_minutes: int = 15
    api_token_hours: int = 12
    sqlite_pool_size: int = 1

    @model_validator(mode="after")
    def _require_secret_in_production(self) -> "Settings":
        if not self.secret_key:
            if self.encuentro_env == "production":
                raise ValueError("SECRET_KEY must be set when ENCUENTRO_ENV=production")
            self.secret_key = _development_secret()
        return self

    @property
    def is_production(self) -> bool:
        return self.encuentro_env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
