"""Channel settings: credentials.yml names environment variables, the environment holds the values.

A secret never sits in credentials.yml (the repo), and an unset variable switches a channel off
instead of crashing the server as Rasa's own ``${VAR}`` substitution would.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from rasa.shared.exceptions import RasaException

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class EnvSetting:
    """One setting: its key in credentials.yml (whose value is an env var NAME) and defaults."""

    key: str  # e.g. "access_token_env"
    env: str  # default variable name, e.g. "TELEGRAM_ACCESS_TOKEN"
    required: bool = False
    default: Optional[str] = None  # value when the variable is unset (e.g. the real API URL)


@dataclass(frozen=True)
class Settings:
    platform: str
    values: Dict[str, Optional[str]]  # key -> value (None when unset)
    names: Dict[str, str]  # key -> env var name
    missing: Tuple[str, ...]  # env var names of unset required settings
    partly_set: bool  # some required variables set, others not (a likely misconfiguration)

    @property
    def on(self) -> bool:
        return not self.missing

    def __getitem__(self, key: str) -> Optional[str]:
        return self.values[key]

    def value(self, key: str) -> str:
        """A required setting's value (read only while the channel is on, so it is set)."""
        value = self.values[key]
        if value is None:
            raise RasaException(f"{self.platform} channel: {self.names[key]} is not set")
        return value


def read_settings(
    platform: str,
    credentials: Optional[Mapping[str, Any]],
    specs: Sequence[EnvSetting],
    environ: Optional[Mapping[str, str]] = None,
) -> Settings:
    """Resolve a channel's settings. credentials.yml may rename variables, never hold values.

    An empty variable counts as unset. Unknown keys are refused (a secret pasted under a Rasa
    key such as ``access_token`` would otherwise sit in the repo unnoticed).
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    given = dict(credentials or {})
    known = {s.key for s in specs}
    unknown = sorted(set(given) - known)
    if unknown:
        raise RasaException(
            f"{platform} channel: unknown key(s) {unknown} in credentials.yml; allowed: {sorted(known)}. "
            "Each names an environment variable; secrets never go in credentials.yml."
        )
    values: Dict[str, Optional[str]] = {}
    names: Dict[str, str] = {}
    for spec in specs:
        name = given.get(spec.key) or spec.env
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            raise RasaException(
                f"{platform} channel: `{spec.key}` in credentials.yml must be the NAME of an environment "
                "variable (letters, digits, underscores), not a value."
            )
        names[spec.key] = name
        value = (env.get(name) or "").strip()
        values[spec.key] = value or spec.default
    required = [s for s in specs if s.required]
    missing = tuple(names[s.key] for s in required if not values[s.key])
    partly = bool(missing) and len(missing) < len(required)
    return Settings(platform, values, names, missing, partly)


def log_state(settings: Settings, webhook: str) -> None:
    """The one line per channel that says whether it is on."""
    logger = logging.getLogger(f"channels.platforms.{settings.platform}")
    if settings.on:
        logger.info("%s channel on: webhook /webhooks/%s", settings.platform, webhook)
    elif settings.partly_set:
        logger.warning(
            "%s channel off: %s not set (the channel's other variables are)",
            settings.platform,
            ", ".join(settings.missing),
        )
    else:
        logger.info("%s channel off: %s not set", settings.platform, ", ".join(settings.missing))


def api_base(settings: Settings, key: str) -> str:
    """A platform API base URL, refused unless http(s) (tests point it at local fakes)."""
    url = (settings[key] or "").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise RasaException(f"{settings.platform} channel: {settings.names[key]} must be an http(s) URL")
    return url
