"""English date formats: Django's own, with a 24-hour clock (config/formats/ru/ does the same for
Russian).

Django's "4:14 a.m." ends in a period, so every sentence that ends with a time ended in two
("since your last visit, Oct. 28, 2025, 4:14 a.m.."); "4:14" reads as well and ends cleanly.
"""

DATETIME_FORMAT = "N j, Y, G:i"
TIME_FORMAT = "G:i"
