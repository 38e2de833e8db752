"""English date formats with minutes always (Django's "P" shows "2 p.m." on the hour): a
factory reads times on a 24-hour clock (issue #16). Everything else is Django's."""

DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
TIME_FORMAT = "H:i"
