"""Share links: the plain share addresses of mail and the common networks. No third-party
script is loaded; each link only opens the network's own page with the address filled in."""

from urllib.parse import quote

from django.utils.translation import gettext as _


def share_links(url, title, summary=""):
    """(key, label, href) for each way to share `url`."""
    q = quote
    text = f"{title} — {summary}" if summary else title
    mail_body = f"{text}\n\n{url}"
    return [
        ("email", _("E-mail"), f"mailto:?subject={q(title)}&body={q(mail_body)}"),
        ("telegram", "Telegram", f"https://t.me/share/url?url={q(url)}&text={q(title)}"),
        ("vk", "VK", f"https://vk.com/share.php?url={q(url)}&title={q(title)}"),
        ("whatsapp", "WhatsApp", f"https://wa.me/?text={q(f'{title} {url}')}"),
        ("x", "X", f"https://twitter.com/intent/tweet?url={q(url)}&text={q(title)}"),
        ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={q(url)}"),
        ("linkedin", "LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={q(url)}"),
    ]
