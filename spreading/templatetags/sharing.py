from django import template

from ..sharing import share_links

register = template.Library()


@register.inclusion_tag("includes/share.html", takes_context=True)
def share(context, path, title, summary="", key="page"):
    """Share links for the page at `path` (its permanent address), computed without queries."""
    request = context["request"]
    url = request.build_absolute_uri(path)
    return {
        "url": url,
        "links": share_links(url, str(title), str(summary or "")),
        "key": key,
    }
