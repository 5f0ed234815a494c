"""The benchmark's implementations by name. Each peer family is one module, importing
its framework only when one of its peers is made (a missing framework is
:class:`NotInstalled`, a "not installed" row)."""
import importlib
from typing import Dict, Tuple

from .base import Impl, NotInstalled

#: run by default, in this order
IMPLEMENTATIONS = ("fastnet", "seed", "numpy-batch", "torch", "torch-nn", "jax")
#: measurable with --only, not run by default
OPTIONAL = ("torch-autograd", "fastnet-1thread", "jax-unpinned", "jax-xla-flags",
            "jax-unpinned-xla-flags", "torch-pinned", "torch-nn-pinned")
#: the row of ``--baseline``: fastnet from another checkout
BASELINE = "fastnet-baseline"
ALL_IMPLEMENTATIONS = IMPLEMENTATIONS + OPTIONAL

#: name -> (module in this package, class)
PEERS: Dict[str, Tuple[str, str]] = {
    "fastnet": ("fastnet", "FastnetImpl"),
    "fastnet-1thread": ("fastnet", "FastnetOneThreadImpl"),
    "seed": ("seed", "SeedImpl"),
    "numpy-batch": ("numpy_batch", "NumpyBatchImpl"),
    "torch": ("torch", "TorchImpl"),
    "torch-autograd": ("torch", "TorchAutogradImpl"),
    "torch-nn": ("torch", "TorchNNImpl"),
    "jax": ("jax", "JaxImpl"),
    "jax-unpinned": ("jax", "JaxUnpinnedImpl"),
    "jax-xla-flags": ("jax", "JaxFlagsImpl"),
    "jax-unpinned-xla-flags": ("jax", "JaxUnpinnedFlagsImpl"),
    "torch-pinned": ("torch", "TorchPinnedImpl"),
    "torch-nn-pinned": ("torch", "TorchNNPinnedImpl"),
}

__all__ = ["ALL_IMPLEMENTATIONS", "BASELINE", "IMPLEMENTATIONS", "OPTIONAL", "PEERS", "Impl",
           "NotInstalled", "make_impl", "peer_class"]


def peer_class(name: str) -> type:
    """The :class:`Impl` subclass called ``name``."""
    if name not in PEERS:
        raise ValueError(f"unknown implementation {name!r}; choose from "
                         f"{', '.join(ALL_IMPLEMENTATIONS)}")
    module, cls = PEERS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def make_impl(name: str, sizes, X, y, config) -> Impl:
    """The implementation ``name`` for the network ``sizes`` on X (n, n_in) float32,
    y (n,) int64, with the run's ``Config``: a peer with ``own_process`` in a process of
    its own (``remote``), and ``BASELINE`` the fastnet of the checkout ``config.baseline``."""
    from .remote import RemoteImpl
    if name == BASELINE:
        return RemoteImpl("fastnet", sizes, X, y, config, root=config.baseline, name=BASELINE,
                          label=f"fastnet (baseline: {config.baseline})")
    cls = peer_class(name)
    if cls.own_process:
        return RemoteImpl.pinned(cls, sizes, X, y, config)
    return cls.from_config(sizes, X, y, config)
