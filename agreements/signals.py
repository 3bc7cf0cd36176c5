"""What the agreements app tells the rest of the site, inside the transaction of the change.

`agreements` imports nothing of ours; apps that must react (members re-check standing, news
writes an event) connect to these signals, so their writes commit or roll back with the change.
"""

from django.dispatch import Signal

# Sent with: agreement, edition, change ("created" | "new_version" | "repealed"), amendment.
agreement_changed = Signal()

# Sent with: member, when someone proposes, comments or votes (a public action for the roles).
member_acted = Signal()

# Sent with: amendment, change ("proposed" | "voting" | "adopted" | "rejected" | "withdrawn" |
# "needs_update" | "resolved" | "rebased"), when (the moment it happened, which for a deadline is
# the deadline itself, not the moment `advance` noticed it).
amendment_changed = Signal()

# Sent with: comment.
comment_posted = Signal()

# Sent with: community, user, field, before, after, reason — when the installer changes something
# the public sees about the community (its name) in the admin; receivers log it publicly.
community_changed = Signal()
# Sent with: community, when enough people have accepted its agreements for it to form (once).
community_formed = Signal()

# Sent with: amendment, other, collision, when; when an amendment starts to collide with another
# (both change the same paragraphs of their common base; agreements/amendments/collisions.py).
amendments_collided = Signal()
