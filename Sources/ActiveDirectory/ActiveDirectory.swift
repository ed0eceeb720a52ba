// ActiveDirectory: see ../../shared/STYLE.md for this module's role.
