"""Who acts and what they may reach: accounts and roles (coming), scopes (here now)."""
