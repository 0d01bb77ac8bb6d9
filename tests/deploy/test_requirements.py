"""requirements.txt (what Heroku-style buildpacks install) agrees with pyproject.toml."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pinned() -> dict[NormalizedName, Version]:
    """``name==version`` lines; anything else but comments and the final ``.`` fails."""
    pins: dict[NormalizedName, Version] = {}
    for number, raw in enumerate((ROOT / "requirements.txt").read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line or line == ".":
            continue
        name, sep, version = line.partition("==")
        assert sep and version.strip(), f"requirements.txt:{number}: pin it with ==, got {line!r}"
        pins[canonicalize_name(name.strip())] = Version(version.strip())
    return pins


def runtime_requirements() -> list[Requirement]:
    return [Requirement(text) for text in PYPROJECT["dependencies"]]


def closure(roots: list[Requirement]) -> set[NormalizedName]:
    """Every distribution the runtime dependencies need here, extras and markers applied."""
    seen: set[NormalizedName] = set()
    todo = [(r, frozenset(r.extras)) for r in roots]
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            needs = requires(requirement.name) or []
        except PackageNotFoundError:
            continue  # reported by the pin test, which names it
        for text in needs:
            need = Requirement(text)
            wanted = [{"extra": e} for e in extras] or [{"extra": ""}]
            if need.marker is None or any(need.marker.evaluate(env) for env in wanted):
                todo.append((need, frozenset(need.extras)))
    return seen


def test_every_runtime_dependency_is_pinned_within_its_range() -> None:
    pins = pinned()
    for requirement in runtime_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, (
            f"{requirement} is in pyproject.toml but not pinned in requirements.txt"
        )
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.txt pins {name}=={pins[name]}, outside pyproject's {requirement}"
        )


def test_requirements_pin_nothing_the_runtime_does_not_need() -> None:
    needed = closure(runtime_requirements())
    extra = sorted(set(pinned()) - needed)
    assert not extra, f"requirements.txt pins {extra}, which no runtime dependency needs"
    missing = sorted(needed - set(pinned()))
    assert not missing, f"requirements.txt does not pin {missing}, which the runtime needs"


def test_requirements_install_the_app_itself_last() -> None:
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert [line for line in lines if line and not line.startswith("#")][-1] == "."


def test_the_pinned_python_satisfies_requires_python() -> None:
    version = (ROOT / ".python-version").read_text().strip()
    assert SpecifierSet(PYPROJECT["requires-python"]).contains(version), (
        f".python-version says {version}, outside requires-python {PYPROJECT['requires-python']}"
    )
