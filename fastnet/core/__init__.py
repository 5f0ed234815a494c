"""The engine behind the book's API: the model (``Network``), its parameters, training
options and records, the one name table of activations/costs/inits, every argument and
data check, the sparse inputs, work buffers, threads and randomness. No printing, no
files: the layers above (``fastnet.network``, ``fastnet.io``, the applications) do that.
"""
