"""People and how they sign in: the user model, two-factor enforcement, lockout."""
