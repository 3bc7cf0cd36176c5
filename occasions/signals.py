"""What occasions tell the rest of the site, inside the transaction of the change.

Sent with: occasion, change ("created" | "voting" | "chosen" | "no_speaker" | "account"),
when (the moment it happened: a deadline for the moves `advance` makes), and `account` for an
account. news/ connects to it and writes the events; occasions import nothing of news.
"""

from django.dispatch import Signal

occasion_changed = Signal()
