"""The one typed reader of the environment. Every setting comes from the environment through it,
and a value it cannot read fails loudly, naming the variable: ``DEBUG=ture`` stops the process
instead of quietly meaning False, ``PRM_X=lots`` for a number does not become a traceback without
the variable's name."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class Env(environ.Env):
    """``environ.Env`` with strict casts: a boolean is one of true/false/1/0/yes/no/on/off (any
    case), a number must parse, and any failure raises ImproperlyConfigured with the name."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        name = f"{self.prefix}{var}"
        raw = self.ENVIRON.get(name)
        if cast is None and self.smart_cast and isinstance(default, bool):
            cast = bool
        if cast is float and raw is not None:
            # django-environ's float drops every character that is not a digit ("12abc" is 12.0).
            try:
                return float(raw.strip())
            except ValueError as exc:
                raise ImproperlyConfigured(f"{name} must be a number; it is {raw!r}.") from exc
        if cast is bool and raw is not None:
            word = raw.strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ImproperlyConfigured(
                    f"{name} must be one of true/false, 1/0, yes/no, on/off; it is {raw!r}."
                )
            return word in TRUE_WORDS
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except (ValueError, TypeError) as exc:
            kind = getattr(cast, "__name__", None) or repr(cast)
            raise ImproperlyConfigured(f"{name} must be a valid {kind}; it is {raw!r}.") from exc

    def float_dict(self, var, default=environ.Env.NOTSET) -> dict[str, float]:
        """``KEY=number,KEY2=number`` as a dict of floats (the default's values may be strings)."""
        values = self.dict(var, default=default)
        try:
            return {key: float(value) for key, value in values.items()}
        except (TypeError, ValueError) as exc:
            raw = self.ENVIRON.get(f"{self.prefix}{var}")
            raise ImproperlyConfigured(
                f"{self.prefix}{var} must be KEY=number pairs separated by commas; it is {raw!r}."
            ) from exc


env = Env()
# A local .env (never committed) may hold a developer's overrides; see .env.example.
Env.read_env(BASE_DIR / ".env", overwrite=False)
