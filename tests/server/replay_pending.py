"""Commands (and forms) the local server does not answer yet: none. The replay, fuzz and
security tests check that these lists stay exact, so a command that loses its handler shows.
"""

#: Commands answered with 20004 "unknown method".
PENDING: set[str] = set()

#: Current forms of known commands the server does not accept: method -> (code, what).
PENDING_FORMS: dict[str, tuple[int, str]] = {}
