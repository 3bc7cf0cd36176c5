"""Amendments: the only way an agreement changes, decided in the open under a published procedure.

`services` holds the acts of members (propose, revise, withdraw, vote, comment); `advancing` the
moves made by time (`manage.py advance`); `selectors` and `views` the pages. The models live with
the agreements' (`agreements/models/amendment.py`), since Django keeps an app's models together.
"""
