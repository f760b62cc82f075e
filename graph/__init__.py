"""The skills graph store: connection, embedded server, schema and one module per aggregate."""
