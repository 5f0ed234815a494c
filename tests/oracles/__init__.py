"""The numpy oracles the compiled code is tested against, written from the seed's
equations: ``reference`` (network.py: sigmoid, quadratic cost, BP1-BP4), ``reference2``
(network2.py and the options: costs, activations, L2/L1, momentum), ``equations`` (one
function per equation, in batch form, for the kernels one by one) and ``checks`` (how
close is close enough)."""
