"""A tiny Kokoro: Kokoro's own ``KModel`` (PL-BERT ``CustomAlbert``, ``bert_encoder``, ``ProsodyPredictor``,
``TextEncoder``, iSTFTNet ``Decoder``) with seeded random weights, saved in the hexgrad/Kokoro-82M layout
(``config.json`` with Kokoro's phoneme vocabulary, one ``.pth`` holding each submodule's state dict, and voice
packs ``voices/<voice>.pt`` of shape (510, 1, 256)), so it loads through the same code as the real model.

What is shrunk: PL-BERT is one narrow layer with 192 positions (so long-text chunking is exercised on short
texts), the prosody and text encoders are one layer deep, and the vocoder upsamples in two short steps (3 x 2,
iSTFT hop 50: still 300 samples an F0 frame, so timing at 24 kHz is Kokoro's, while its residual blocks run at a
fifth of the real frame rate). But the decoder's widths (1024 and 512 channels) and ``hidden_dim`` 512 are
written into Kokoro's classes, not its config, so the modules still hold ~58 M numbers: 230 MB saved plainly.
Instead every large tensor is saved as a strided view into a small shared pool of random numbers (its rows are
overlapping, shifted windows of the pool); ``torch.save`` stores each pool once and ``load_state_dict`` copies
the views into ordinary parameters. The folder is ~3.5 MB; the network is full width at run time.

The duration head's bias is set so a phoneme lasts about 60 ms, as in real speech (random weights would give
over half a second), the F0 head's so the voice hums near 150 Hz with some contour (random weights give ~0 Hz:
no voicing), and the voice packs' style vectors are drawn at the spread of real ones. It babbles, but like a
voice: in time, pitched, and different for each voice pack.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

WEIGHTS_NAME = "kokoro-v1_0.pth"
POOL_SIZE = 1 << 16  # random numbers per scale in the shared pools
KEEP_BELOW = 4096  # tensors this small are saved as they are (norms, biases, weight-norm gains)
CONTEXT = 192  # PL-BERT positions: phonemes per call + 2 (Kokoro's is 512; smaller keeps long-text tests fast)
VOICES = ("af_test", "bm_test")

def kokoro_vocab() -> dict[str, int]:
    """Kokoro-82M's phoneme vocabulary (its config.json), so real G2P output maps to the same token ids."""
    symbols = {
        ";": 1, ":": 2, ",": 3, ".": 4, "!": 5, "?": 6, "—": 9, "…": 10, '"': 11, "(": 12, ")": 13, "“": 14,
        "”": 15, " ": 16, "\u0303": 17, "ʣ": 18, "ʥ": 19, "ʦ": 20, "ʨ": 21, "ᵝ": 22, "\uab67": 23, "A": 24, "I": 25,
        "O": 31, "Q": 33, "S": 35, "T": 36, "W": 39, "Y": 41, "ᵊ": 42,
    }
    symbols.update({c: 43 + i for i, c in enumerate("abcdefghijklmnopqrstuvwxyz") if c != "g"})  # g is ɡ
    symbols.update({
        "ɑ": 69, "ɐ": 70, "ɒ": 71, "æ": 72, "β": 75, "ɔ": 76, "ɕ": 77, "ç": 78, "ɖ": 80, "ð": 81, "ʤ": 82, "ə": 83,
        "ɚ": 85, "ɛ": 86, "ɜ": 87, "ɟ": 90, "ɡ": 92, "ɥ": 99, "ɨ": 101, "ɪ": 102, "ʝ": 103, "ɯ": 110, "ɰ": 111,
        "ŋ": 112, "ɳ": 113, "ɲ": 114, "ɴ": 115, "ø": 116, "ɸ": 118, "θ": 119, "œ": 120, "ɹ": 123, "ɾ": 125,
        "ɻ": 126, "ʁ": 128, "ɽ": 129, "ʂ": 130, "ʃ": 131, "ʈ": 132, "ʧ": 133, "ʊ": 135, "ʋ": 136, "ʌ": 138,
        "ɣ": 139, "ɤ": 140, "χ": 142, "ʎ": 143, "ʒ": 147, "ʔ": 148, "ˈ": 156, "ˌ": 157, "ː": 158, "ʰ": 162,
        "ʲ": 164, "↓": 169, "→": 171, "↗": 172, "↘": 173, "ᵻ": 177,
    })
    return symbols


def tiny_config() -> dict:
    return {
        "dim_in": 64, "dropout": 0.2, "hidden_dim": 512, "max_conv_dim": 512, "max_dur": 50, "multispeaker": True,
        "n_layer": 1, "n_mels": 80, "n_token": 178, "style_dim": 128, "text_encoder_kernel_size": 5,
        "istftnet": {
            "upsample_kernel_sizes": [5, 4], "upsample_rates": [3, 2], "gen_istft_hop_size": 50,
            "gen_istft_n_fft": 200, "resblock_dilation_sizes": [[1, 3, 5]], "resblock_kernel_sizes": [3],
            "upsample_initial_channel": 512,
        },
        "plbert": {
            "hidden_size": 32, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": CONTEXT,
            "num_hidden_layers": 1, "dropout": 0.1, "embedding_size": 16,
        },
        "vocab": kokoro_vocab(),
    }


class _Pools:
    """Standard-normal pools scaled by powers of two, one per scale a tensor needs."""

    def __init__(self, generator) -> None:
        import torch

        self._torch = torch
        self._base = torch.randn(POOL_SIZE, generator=generator)
        self._by_scale: dict[int, object] = {}

    def view_like(self, tensor):
        """A strided view into the pool of ``tensor``'s scale, of ``tensor``'s shape."""
        std = float(tensor.float().std())
        exponent = round(math.log2(std)) if std > 0 else -20
        pool = self._by_scale.get(exponent)
        if pool is None:
            pool = self._by_scale[exponent] = (self._base * 2.0 ** exponent).contiguous()
        shape = tuple(tensor.shape)
        inner = math.prod(shape[1:])
        if math.prod(shape) <= POOL_SIZE:
            return pool[: math.prod(shape)].view(shape)
        if inner > POOL_SIZE:  # pragma: no cover - no such tensor in KModel at these widths
            return tensor.clone()
        row_step = max(1, (POOL_SIZE - inner) // max(1, shape[0] - 1))
        inner_strides = [math.prod(shape[i + 1:]) for i in range(1, len(shape))]
        return pool.as_strided(shape, (row_step, *inner_strides), 0)


def build(folder: Path) -> None:
    import torch
    from kokoro.model import KModel
    from loguru import logger

    from ..speech_kokoro import quiet_kokoro

    logger.disable("kokoro")
    folder = Path(folder)
    (folder / "voices").mkdir(parents=True, exist_ok=True)
    config = tiny_config()
    (folder / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    torch.save({}, folder / WEIGHTS_NAME)  # KModel loads what the file has: nothing yet, keeping its own init
    with quiet_kokoro():
        model = KModel(repo_id="hexgrad/Kokoro-82M", config=str(folder / "config.json"),
                       model=str(folder / WEIGHTS_NAME))
    with torch.no_grad():
        head = model.predictor.duration_proj.linear_layer
        head.weight.mul_(0.05)
        head.bias.fill_(-3.0)  # sigmoid(-3) x 50 bins ~ 2.4 frames of 25 ms a phoneme
        model.predictor.F0_proj.bias.fill_(150.0)  # Hz
        model.predictor.F0_proj.weight.mul_(20.0)  # +-10..20 Hz of contour from the text and the style
    generator = torch.Generator().manual_seed(0)
    pools = _Pools(generator)
    weights: dict[str, dict[str, torch.Tensor]] = {}
    for name in ("bert", "bert_encoder", "predictor", "text_encoder", "decoder"):
        state: dict[str, torch.Tensor] = {}
        for key, tensor in getattr(model, name).state_dict().items():
            small = tensor.numel() < KEEP_BELOW or not tensor.is_floating_point() or key.endswith("weight_g")
            state[key] = tensor.clone() if small else pools.view_like(tensor)
        weights[name] = state
    torch.save(weights, folder / WEIGHTS_NAME)
    for i, voice in enumerate(VOICES):
        g = torch.Generator().manual_seed(100 + i)
        pack = torch.randn(510, 1, 256, generator=g) * 0.15  # real packs: mean ~0, std ~0.15
        torch.save(pack, folder / "voices" / f"{voice}.pt")


BUILDERS = {"tiny-kokoro": build}
