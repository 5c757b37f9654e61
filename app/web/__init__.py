"""Glue above the domains: what every router shares that needs more than one domain."""
