"""The Caldicott guardian's API under /api/v1/audit/."""
