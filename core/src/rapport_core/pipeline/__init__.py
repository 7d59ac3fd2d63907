"""The referral pipeline: intake (duplicate check, assignment), SLAs, and closed-loop updates
to referring partners through an approval queue."""
