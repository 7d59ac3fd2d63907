"""The Clio plugin passes the whole conformance kit against its fake Clio."""

from rapport_core.testing.conformance import ConnectorConformance
from rapport_crm_clio.connector import ClioConnector
from rapport_crm_clio.fake import FakeClio


class TestClioConformance(ConnectorConformance):
    connector = ClioConnector
    fake = FakeClio
