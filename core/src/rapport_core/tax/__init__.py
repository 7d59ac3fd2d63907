"""Tax reporting: W-9 collection, the firm's payer profile, 1099-NEC forms and FIRE files."""
