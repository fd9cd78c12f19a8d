"""The numpy harmonizer computes what the torch model computes (encoder outputs and CRF likelihood)."""

import numpy as np
import pytest

from composer_app.model import harmony_crf as crf
from composer_app.model.harmony_net import NetConfig, encode
from composer_app.model.harmony_vocab import VOCAB_SIZE

torch = pytest.importorskip("torch")


def test_numpy_matches_torch():
    from composer_app.training.harmony.model_torch import HarmonyNet, export_arrays

    torch.manual_seed(0)
    model = HarmonyNet(NetConfig(24, 3, VOCAB_SIZE, 4))
    with torch.no_grad():
        for p in (model.trans, model.diag, model.start, model.end):
            p.normal_(0, 0.5)
    weights = export_arrays(model)
    rng = np.random.default_rng(1)
    t_len = 13
    x = rng.random((t_len, model.cfg.features)).astype(np.float32)
    y = rng.integers(0, VOCAB_SIZE, t_len)
    pos = rng.integers(0, 3, t_len)
    # torch on a padded batch of one
    xt = torch.zeros(1, t_len + 4, model.cfg.features)
    xt[0, :t_len] = torch.from_numpy(x)
    mask = torch.zeros(1, t_len + 4, dtype=torch.bool)
    mask[0, :t_len] = True
    yt = torch.zeros(1, t_len + 4, dtype=torch.int64)
    yt[0, :t_len] = torch.from_numpy(y)
    pt = torch.zeros(1, t_len + 4, dtype=torch.int64)
    pt[0, :t_len] = torch.from_numpy(pos)
    with torch.no_grad():
        chords_t, inv_t = model.encode(xt, mask)
        nll_t = float(model.crf_nll(chords_t, yt, pt, torch.tensor([2]), mask))
    chords_n, inv_n = encode(weights, x)
    np.testing.assert_allclose(chords_n, chords_t[0, :t_len].numpy(), atol=1e-4)
    np.testing.assert_allclose(inv_n, inv_t[0, :t_len].numpy(), atol=1e-4)
    chain = crf.Chain(chords_n.astype(np.float64), weights["crf.trans"][2].astype(np.float64),
                      weights["crf.diag"][2][pos].astype(np.float64), weights["crf.start"][2].astype(np.float64),
                      weights["crf.end"][2].astype(np.float64))
    _, log_z = crf.forward(chain)
    nll_n = log_z - crf.path_scores(chain, y[None, :])[0]
    assert abs(nll_n - nll_t) < 1e-3 * max(1.0, abs(nll_t))


def test_viterbi_and_sampling_agree_with_brute_force():
    rng = np.random.default_rng(0)
    v, t_len = 3, 4
    chain = crf.Chain(rng.normal(size=(t_len, v)), rng.normal(size=(v, v)), rng.normal(size=t_len),
                      rng.normal(size=v), rng.normal(size=v))
    paths = np.array(np.meshgrid(*[range(v)] * t_len, indexing="ij")).reshape(t_len, -1).T
    scores = crf.path_scores(chain, paths)
    _, log_z = crf.forward(chain)
    assert np.isclose(log_z, np.logaddexp.reduce(scores))
    assert tuple(crf.viterbi(chain)) == tuple(paths[np.argmax(scores)])
    draws = crf.sample(chain, 20000, np.random.default_rng(1))
    best = paths[np.argmax(scores)]
    freq = np.mean((draws == best).all(axis=1))
    assert abs(freq - np.exp(scores.max() - log_z)) < 0.02
