"""Organizations, territories, staff accounts, roles and data-sharing agreements."""
