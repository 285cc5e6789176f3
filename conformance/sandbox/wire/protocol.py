"""The words of the grader ↔ worker protocol, each defined once.

Both sides, and the rest of the wire, name frames, requests and their fields through these
constants instead of repeating the strings. The values are the bytes on the wire: changing one
changes the format. (The fields inside one encoded value, such as an array's ``dtype`` and
``shape``, are spelled where that value is encoded and decoded, side by side.)
"""

from __future__ import annotations

# -- the two sides: the owner part of every handle -------------------------------------------------
GRADER = "g"
WORKER = "w"
SIDES = (GRADER, WORKER)

# -- frame header keys -----------------------------------------------------------------------------
#: The frame's kind: REQ, REP, or TICK (the worker's note, during a LOOP, that one more call of
#: the submission returned: it restarts the grader's wait, at most once per call of the loop).
KIND = "k"
REQ = "req"
REP = "rep"
TICK = "tick"
#: The worker ticks only where this many seconds have passed since its last frame, and the
#: grader waits that much longer than the call time limit for each tick: every call of a loop
#: then gets at least the limit (and at most this much more), at a few ticks per second.
TICK_INTERVAL = 0.05
#: A request's operation (one of the requests below).
OP = "op"
#: A reply's value, or the error its request raised (an error-info object).
OK = "ok"
ERR = "err"
#: Memory bookkeeping every frame carries (see codec.Endpoint.pack): regions sent whole,
#: regions whose bytes changed, lists whose items changed, handles and regions released.
NEW = "new"
UPDATES = "upd"
LISTS = "lst"
RELEASES = "rel"
#: The worker's notes of refused imports, added to each of its frames.
FORBIDDEN = "fb"
#: Bytes the submission wrote to sys.stdout and sys.stderr past what the worker passes on (its
#: own count, added to each of its frames: the grader only reports it).
DROPPED = "dr"
#: What the worker passes on of each of sys.stdout and sys.stderr, in bytes.
OUTPUT_PASSED = 1 << 20

# -- requests: the grader's to the worker, except CALL, which the worker also sends to call back
LOAD = "load"  # import the submission: CONFIG; replies with its module
CALL = "call"  # TARGET(*ARGS, **KWARGS)
CALLATTR = "callattr"  # getattr(TARGET, NAME)(*ARGS, **KWARGS)
GETATTR = "getattr"  # getattr(TARGET, NAME)
SETATTR = "setattr"  # setattr(TARGET, NAME, VALUE)
LISTOP = "listop"  # a mutation of a list the worker owns: TARGET.NAME(*ARGS) (LIST_METHODS)
SIGNATURE = "signature"  # inspect.signature(TARGET) as (name, kind, has default, default)
LOOP = "loop"  # loops.LOOPS[NAME](TARGET, *ARGS): (values, error-info or None, the call's name)
EXIT = "exit"  # end the worker; never answered

#: LISTOP's NAME for ``lst[start:stop:step] = values`` (ARGS: (start, stop, step), values).
SETSLICE = "__setslice__"
#: The NAMEs a LISTOP may have: the mutations of a list the worker owns that the grader's
#: mirror of it forwards.
LIST_METHODS = frozenset(
    {
        "__setitem__",
        SETSLICE,
        "__delitem__",
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "reverse",
        "sort",
        "__iadd__",
    }
)

# -- request fields --------------------------------------------------------------------------------
TARGET = "target"
ARGS = "args"
KWARGS = "kwargs"
NAME = "name"
VALUE = "value"
CONFIG = "config"

# -- the LOAD request's config ---------------------------------------------------------------------
CONFIG_PATH = "path"  # a .py file to import, or None
CONFIG_MODULE = "module"  # ... else the module's name
CONFIG_SYS_PATH = "sys_path"
CONFIG_FORBID = "forbid"  # top-level packages whose import is refused
CONFIG_MEMORY = "memory_bytes"  # address-space limit (0: none)
CONFIG_FILES = "file_bytes"  # file-size limit (0: none)
CONFIG_UID = "uid"  # the uid to drop to before importing (None: keep)
CONFIG_PROCESSES = "processes"  # RLIMIT_NPROC (0: none)
CONFIG_ADAPTER = "adapter"  # a shipped adapter to build the contract with, there (None: none)

# -- an error-info object (channel.error_info) -----------------------------------------------------
ERR_TYPE = "type"
ERR_MSG = "msg"
ERR_TB = "tb"  # the submission's own frames; only the worker sends it

# -- a note of a refused import (in FORBIDDEN) -----------------------------------------------------
NOTE_MODULE = "module"
NOTE_WHERE = "where"

# -- releases (in RELEASES): [owner, number, kind] -------------------------------------------------
RELEASE_OBJECT = "o"  # the sender dropped its handle to one of the receiver's objects
RELEASE_REGION = "r"  # the sender no longer holds a copy of this region

# -- values: JSON objects tagged {TAG: ..., ...}; plain JSON data travels as itself ----------------
TAG = "$"
TAG_ARRAY = "array"  # a view into a region
TAG_SCALAR = "scalar"  # a NumPy scalar
TAG_LIST = "list"  # a list; with a handle when the worker owns it (mirrored by the grader)
TAG_TUPLE = "tuple"
TAG_DICT = "dict"  # a dict with str keys
TAG_REF = "ref"  # one of the receiver's own objects or lists, coming back
TAG_OBJ = "obj"  # anything else: a handle to an object the sender keeps
