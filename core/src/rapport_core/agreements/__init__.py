"""Agreement documents: fee-sharing agreements, client consents, solicitation agreements and
disclosures, with their versions, files, expiry and the facts compliance reads (docs/agreements.md)."""
