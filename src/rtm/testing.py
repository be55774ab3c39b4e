"""pytest plugin (entry point ``rtm``): fixtures for testing against a local RTM server."""
