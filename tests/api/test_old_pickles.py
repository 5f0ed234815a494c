"""Networks pickled by earlier fastnet versions load: their pickles name
``fastnet.network.Network`` and ``fastnet.network._rebuild``."""
import base64
import pickle

import numpy as np

#: ``pickle.dumps(fastnet.Network([2, 3, 1]))`` after ``np.random.seed(1); random.seed(1)``,
#: made by fastnet 0.x before the engine moved to ``fastnet.core.model``
OLD_PICKLE = (
    "gASV6gEAAAAAAACMD2Zhc3RuZXQubmV0d29ya5SMCF9yZWJ1aWxklJOUKGgAjAdOZXR3b3JrlJOUXZQoSwJLA0sBZV2UKIwW"
    "bnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKU"
    "KEsBSwNLAoaUaAqMBWR0eXBllJOUjAJmNJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiEMYW4tdP/5V3z8YWaM+"
    "aUwTwHXeQr/zWn++lHSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLA4aUaBaJQwxaJrs/WNkDwN4Tpb6UdJRiZV2UKGgJaAxLAIWU"
    "aA6HlFKUKEsBSwNLAYaUaBaJQwyN6s8/EZwcv0Q2B7+UdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsBhpRoFolDBAlXib+UdJRi"
    "ZWgKjAdmbG9hdDMylJOUjAl0aHJlc2hvbGSUfZQojAphY3RpdmF0aW9ulIwHc2lnbW9pZJSMBm91dHB1dJRoM4wEY29zdJSM"
    "CXF1YWRyYXRpY5SMB3RocmVhZHOUTnV9lCiMB2hpc3RvcnmUXZSMCG1ldGFkYXRhlH2UjAh2ZWxvY2l0eZROdXSUUpQu"
)


def test_a_network_pickled_by_an_earlier_version_loads():
    raw = base64.b64decode(OLD_PICKLE)
    assert b"fastnet.network" in raw and b"_rebuild" in raw
    net = pickle.loads(raw)
    assert net.sizes == [2, 3, 1] and net.dtype == np.float32
    np.testing.assert_array_equal(net.weights[0], np.array(
        [[0.8654076457023621, -2.3015387058258057], [1.744811773300171, -0.7612069249153137],
         [0.31903910636901855, -0.24937038123607635]], np.float32))
    np.testing.assert_array_equal(net.biases[1], np.array([[-1.072968602180481]], np.float32))
    assert net.feedforward(np.ones((2, 1), np.float32)).shape == (1, 1)
    assert pickle.loads(pickle.dumps(net)).weights[0].tolist() == net.weights[0].tolist()
