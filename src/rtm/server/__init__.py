"""Local RTM server (offline emulator of the RTM service)."""
