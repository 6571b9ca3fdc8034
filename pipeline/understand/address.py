"""Resolve an address as written to official administrative units.

The text the citizen wrote is kept untouched (it is what the officer compares
with the paper); the resolution adds the official province and commune, both as
they were before the reorganisation of 1 July 2025 (63 provinces, districts)
and after it (34 provinces, communes directly under the province). Most papers
in circulation still carry the old units, so both are needed to compare a card
with a new form.

The units come from the maintained ``vietnamadminunits`` package (its parser
is tolerant of missing diacritics and its converter maps old communes to new
ones), not from a hand-typed list.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.understand.normalise import clean_text

__all__ = ["AddressMatch", "Units", "resolve_address"]


@dataclass(frozen=True, slots=True)
class Units:
    """Official units of one era; any part may be None when it could not be told."""

    province: str | None
    district: str | None
    commune: str | None
    street: str | None
    province_code: str | None
    commune_code: str | None


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """An address as written, and its units before and after July 2025."""

    text: str
    before_2025: Units | None
    after_2025: Units | None

    @property
    def province(self) -> str | None:
        """The current (post-2025) province, falling back to the old one."""
        for units in (self.after_2025, self.before_2025):
            if units and units.province:
                return units.province
        return None


def _units(unit: object) -> Units | None:
    province = getattr(unit, "province", None)
    if not province:
        return None
    return Units(
        province=province,
        district=getattr(unit, "district", None) or None,
        commune=getattr(unit, "ward", None) or None,
        street=getattr(unit, "street", None) or None,
        province_code=getattr(unit, "province_code", None) or None,
        commune_code=getattr(unit, "ward_code", None) or None,
    )


def _safe(fn: object, *args: object, **kwargs: object) -> object | None:
    try:
        return fn(*args, **kwargs)  # type: ignore[operator]
    except Exception:  # the dataset's parser raises on odd input; that is "not resolved"
        return None


def resolve_address(text: str) -> AddressMatch | None:
    """Official units for ``text``; None when not even a province can be recognised."""
    from vietnamadminunits import convert_address, parse_address

    written = clean_text(text)
    if not written:
        return None
    legacy = _units(_safe(parse_address, written, mode="LEGACY"))
    current = _units(_safe(parse_address, written, mode="FROM_2025"))
    if legacy and legacy.commune and (current is None or current.commune is None):
        # an old commune (with its district) converts to the new commune exactly
        converted = _units(_safe(convert_address, written))
        if converted and converted.commune:
            current = converted
    if legacy is None and current is None:
        return None
    return AddressMatch(text=written, before_2025=legacy, after_2025=current)
