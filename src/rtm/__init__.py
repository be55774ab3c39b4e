"""rtm: Python server-side SDK for the RTM real-time messaging service."""

from rtm._version import __version__

__all__ = ["__version__"]
