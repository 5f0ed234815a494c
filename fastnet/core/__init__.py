"""The engine behind the book's API: the model (``Network``), its parameters, training
options and records, the one name table of activations/costs/inits, every argument and
data check, the sparse inputs, work buffers, threads and randomness. It prints only the
book's per-epoch lines of ``SGD`` and touches no files: ``Network.save`` and
``Network.read_number`` hand over to :mod:`fastnet.io` and :mod:`fastnet.vision`.
"""
