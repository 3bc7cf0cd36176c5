"""Borrowing agreements from other communities of the same kind, and following their sources:
`fetching` (the safe HTTP client), `sources` (reading another site's API or an export),
`services` (proposing, checking, updating), `forms`, `views`, `urls`."""
