"""Russian date formats: Django's own without the trailing «г.», which doubled the period of every
sentence ending with a date («Участник с 28 октября 2025 г..»)."""

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, G:i"
