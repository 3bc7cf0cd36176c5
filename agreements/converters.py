"""`<id:…>` in addresses: a positive number the database can hold.

Django's `<int:…>` accepts any run of digits, and a twenty-digit id overflows PostgreSQL's bigint
(a server error instead of "not found"). Ids and version numbers are at most 18 digits here, so
anything longer simply matches no address (404).
"""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
