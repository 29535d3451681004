"""The REST API for case records, mounted under /api/v1/ (namespace ``records-api``)."""
