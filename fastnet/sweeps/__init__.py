"""Many training runs at once: on this machine's cores or a Dask cluster, with every
finished run kept.

- ``engine``: runs ``task(dataset, **config)`` for many configs, here or on Dask workers
  (an embedded ``LocalCluster`` or an existing cluster), cancelling on Ctrl-C
- ``data``: the data set, loaded once per process, and its fingerprint
- ``grid``: the combinations of option values a sweep trains, and one run of them
- ``runner``: a sweep from start to end, each finished run appended to a JSON-lines
  file, resumed when run again
- ``report``: the results as a Markdown table and a figure

Used by ``fastnet sweep`` and by the experiments (``fastnet experiment``).
"""
