from django.core.cache import cache

from .models import COMMUNITY_NAME_CACHE_KEY, Community


def community(request):
    """The community's name for the header and titles, and the language its agreements are
    written in (the `lang` of their texts, which may differ from the interface's), cached: both
    are set once, at founding."""
    cached = cache.get(COMMUNITY_NAME_CACHE_KEY)
    if cached is None:
        current = Community.current()
        cached = (current.name, current.language) if current else ("", "")
        if current:
            cache.set(COMMUNITY_NAME_CACHE_KEY, cached, 300)
    name, language = cached
    return {"community_name": name, "community_language": language}
