"""Hearth's engines as Wyoming protocol services, so Home Assistant can use them."""
