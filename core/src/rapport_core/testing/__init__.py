"""Testing tools for connector authors: a fake-CRM server toolkit and the conformance kit.

- :mod:`rapport_core.testing.fakes`: :class:`FakeCRM`, a real HTTP server on loopback that a
  plugin subclasses to speak its CRM's wire format, with fault injection.
- :mod:`rapport_core.testing.conformance`: :class:`ConnectorConformance`, the pytest suite
  every connector passes (subclass it, or call :func:`conformance_suite`).
"""

from rapport_core.testing.fakes import FakeCRM, FakeRequest, FakeResponse

__all__ = ["FakeCRM", "FakeRequest", "FakeResponse"]
