"""Pure matching algorithms over NetworkX graphs; nothing here knows Cypher or HTTP."""
