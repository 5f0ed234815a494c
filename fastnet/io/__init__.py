"""Files: MNIST's IDX files (``idx``), downloading them (``download``), the shifted
training set (``expand``), model files (``persist``), a user's digit pictures
(``images``), figures (``plots``), and the one atomic writer they all use (``atomic``).
"""
