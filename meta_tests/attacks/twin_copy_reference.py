from _stubs import *  # noqa: F403
