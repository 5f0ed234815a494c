"""The seed's test script, unchanged but for its imports: Network([784, 30, 10]) trained
for 30 epochs, mini-batch 3, eta 3.0, printing the test accuracy after each epoch.

Run: FASTNET_DATA=path/to/mnist python examples/train_mnist.py
(the folder with the four MNIST IDX .gz files, or the book's mnist.pkl.gz).
"""
from fastnet.mnist_loader import *  # was: from src.mnist_loader import *
from fastnet.network import *  # was: from src.network import *

tr, va, te = load_data_wrapper()
tr = list(tr)
va = list(va)
te = list(te)
net = Network([784, 30, 10])
net.SGD(tr, 30, 3, 3.0, te)
