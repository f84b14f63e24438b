"""Typed environment helpers: every setting comes from the environment and a bad value fails loudly."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (never committed) may hold a developer's overrides; see .env.example.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
