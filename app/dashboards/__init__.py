"""Dashboards that join domains: the territory impact dashboard for government viewers."""
