from django.dispatch import Signal

# Sent inside the joining transaction with: member, count (members after this one joined).
member_joined = Signal()
