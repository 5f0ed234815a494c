"""Extensions of the Numba compiler the kernels are written with: explicit SIMD vectors
(``simd``), unchecked views of flat buffers (``views``), a spin barrier between threads
(``sync``), prefetch hints (``prefetch``) and reads by address (``address``). Nothing
here computes the network."""
