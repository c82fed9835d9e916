"""The ODD submodels as pure numpy functions, one submodel per file (docs/ODD.md S*n* names it).

Nothing here holds state across months or draws randomness of its own: callers pass arrays
(and, where a draw is needed, the uniform numbers or the generator of their stream).
"""
