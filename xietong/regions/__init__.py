"""Administrative divisions and the place-name resolver.

`from xietong.regions import resolve` works before Django's apps are ready: the names below are
loaded from `resolver` (which imports the models) on first use.
"""

__all__ = ["AmbiguousPlace", "PlaceError", "UnknownPlace", "resolve", "resolve_prefix"]


def __getattr__(name):
    if name in __all__:
        from . import resolver

        return getattr(resolver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
