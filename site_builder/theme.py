"""Where templates and assets come from: the site's theme first, then the built-in one.

A site overrides any built-in template or asset by putting a file of the same name in
`SITE/themes/<theme>/templates/` or `SITE/themes/<theme>/assets/` (theme name from
site.yaml `theme`, default `default`). The built-in theme is `themes/default` of this
repository, installed inside the package as `site_builder/theme`.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import SiteConfig

_PACKAGE = Path(__file__).resolve().parent


def builtin_theme() -> Path:
    for candidate in (_PACKAGE / "theme", _PACKAGE.parent / "themes" / "default"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError("the built-in theme is missing from this installation")


def theme_dirs(config: SiteConfig) -> list[Path]:
    """Theme folders in search order: the site's own, then the built-in."""
    own = config.root / "themes" / config.theme
    dirs = [own] if own.is_dir() and own.resolve() != builtin_theme().resolve() else []
    return dirs + [builtin_theme()]


def template_dirs(config: SiteConfig) -> list[Path]:
    return [d / "templates" for d in theme_dirs(config) if (d / "templates").is_dir()]


def asset_files(config: SiteConfig) -> dict[str, Path]:
    """Asset name -> file, the site's theme overriding the built-in one."""
    found: dict[str, Path] = {}
    for d in reversed(theme_dirs(config)):
        assets = d / "assets"
        if assets.is_dir():
            for f in sorted(assets.rglob("*")):
                if f.is_file():
                    found[f.relative_to(assets).as_posix()] = f
    return found
