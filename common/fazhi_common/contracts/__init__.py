"""Layer 1, the contracts: what every part of the platform agrees on, and nothing else.

RPC schemas (``api``), event schemas (``events``), roles and the ``Identity`` value
(``roles``), the errors a caller may be told (``errors``), the vocabulary of every
enumeration with its Chinese label (``vocabulary``). These modules import only the standard
library, marshmallow and ``fazhi_common.division``, so a portal, the console or a test can
load them without the bus or a database (``tests/common/test_layers.py`` holds them to it).
The machinery (messaging, outbox, jobs, database, identity's entrypoints, audit) imports
them, never the reverse.
"""
