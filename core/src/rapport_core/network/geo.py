"""Where partners and the firm are, and how far apart.

A place comes from its coordinates when it has them; otherwise from the centroid of its US
ZIP code; otherwise from the centre of its city and state (the mean of that city's ZIP
centroids). ZIP data comes from the ``zipcodes`` package, which bundles it: no network calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    #: How the place was found, for explanations: "coordinates", "ZIP 33602", "Tampa, FL".
    source: str


def haversine_miles(a: Place, b: Place) -> float:
    """Great-circle distance between two places, in miles."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, h)))


@cache
def _centroids() -> tuple[
    dict[str, tuple[float, float]], dict[tuple[str, str], tuple[float, float]]
]:
    """ZIP → centroid and (city, state) → mean of its ZIP centroids, built once."""
    import zipcodes

    by_zip: dict[str, tuple[float, float]] = {}
    sums: dict[tuple[str, str], list[float]] = {}
    for row in zipcodes.list_all():
        try:
            point = (float(row["lat"]), float(row["long"]))
        except (TypeError, ValueError, KeyError):
            continue
        by_zip[row["zip_code"]] = point
        total = sums.setdefault((row["city"].lower(), row["state"]), [0.0, 0.0, 0])
        total[0] += point[0]
        total[1] += point[1]
        total[2] += 1
    by_city = {key: (s[0] / s[2], s[1] / s[2]) for key, s in sums.items()}
    return by_zip, by_city


def locate(
    latitude: float | None,
    longitude: float | None,
    postal_code: str | None = None,
    city: str | None = None,
    state: str | None = None,
) -> Place | None:
    """The best place known for these facts, or None."""
    if latitude is not None and longitude is not None:
        return Place(latitude, longitude, "coordinates")
    by_zip, by_city = _centroids()
    zip5 = (postal_code or "").strip()[:5]
    if zip5 in by_zip:
        return Place(*by_zip[zip5], f"ZIP {zip5}")
    if city and state:
        point = by_city.get((city.strip().lower(), state.strip().upper()))
        if point:
            return Place(*point, f"{city.strip()}, {state.strip().upper()}")
    return None


def nearness(home: Place | None, there: Place | None, max_miles: float) -> tuple[float, str]:
    """1 at the same spot, falling linearly to 0 at ``max_miles``; 0 when either place is
    unknown. With an explanation."""
    if home is None:
        return 0.0, "the firm's location is unknown"
    if there is None:
        return 0.0, "location unknown"
    miles = haversine_miles(home, there)
    score = max(0.0, 1 - miles / max_miles)
    how = "" if there.source == "coordinates" else f" (from {there.source})"
    return score, f"{miles:.1f} mi away{how}; zero at {max_miles:g} mi"
