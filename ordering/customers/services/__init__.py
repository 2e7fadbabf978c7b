"""Every write to customers, levels, contacts, addresses, logins and applications."""
