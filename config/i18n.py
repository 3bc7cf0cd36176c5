"""The language switch in every page's header.

Choosing a language only sets the visitor's language cookie, so it is no privileged act and
needs no CSRF token: a token in the header would set a cookie on every anonymous page (and make
every response `Vary: Cookie`), and no shared cache could then keep a public page. Django's own
`set_language` does the work: it refuses a `next` address on another site, falling back to the
page the visitor came from or the home page.
"""

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language


@csrf_exempt
@require_POST
def switch_language(request):
    return set_language(request)
