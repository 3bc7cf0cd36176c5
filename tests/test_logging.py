"""The console shows each log record once."""

import logging


def _handlers_that_print(record):
    """The handlers (ours and Django's, not pytest's capture) that would emit `record`."""
    printing, logger = [], logging.getLogger(record.name)
    while logger is not None:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue
            if record.levelno >= handler.level and handler.filter(record):
                printing.append(handler)
        logger = logger.parent if logger.propagate else None
    return printing


def test_an_expected_403_prints_its_traceback_once_even_in_debug(settings):
    settings.DEBUG = True
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden (Permission denied)", None, None
    )

    assert len(_handlers_that_print(record)) == 1


def test_the_development_server_still_prints_each_request(settings):
    settings.DEBUG = True
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET / HTTP/1.1" 200', None, None
    )

    assert len(_handlers_that_print(record)) == 1
