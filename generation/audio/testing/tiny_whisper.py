"""``tiny-whisper``: transformers' real ``WhisperForConditionalGeneration`` with a few thousand seeded random
weights, a byte-level BPE ``WhisperTokenizer`` and a ``WhisperFeatureExtractor`` built offline, saved in the
layout of ``openai/whisper-*`` so it loads through the same code path as the real models.

The vocabulary is Whisper's in shape, only smaller: the 256 byte-level base tokens, a few merges spelling
common English words (so the random model's output reads as words), then ``<|endoftext|>`` and the special
tokens in Whisper's order: ``<|startoftranscript|>``, one token per language, ``<|translate|>``,
``<|transcribe|>``, ``<|startoflm|>``, ``<|startofprev|>``, ``<|nospeech|>``, ``<|notimestamps|>`` and the
timestamps ``<|0.00|>`` .. ``<|30.00|>``. ``generation_config.json`` holds what ``generate()`` reads for
timestamps, word timings (``alignment_heads``) and language detection (``lang_to_id``). Its ``max_length``
is short, so a 30 s window decodes in a blink on a CPU; the words themselves are arbitrary.
"""

from __future__ import annotations

import json
from pathlib import Path

# Whole-word merges make the model's random picks read as English words rather than byte soup.
_WORDS = (
    "the", "harbour", "wakes", "up", "at", "dawn", "and", "a", "boat", "sea", "light", "morning", "we", "go",
    "to", "of", "in", "it", "is", "on", "quiet", "water", "gulls", "call", "over", "town", "ship", "bell",
)
D_MODEL = 32
HEADS = 2
MAX_NEW = 24  # tokens per 30 s window: random weights never stop on their own before this


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's printable stand-in for each byte (the byte-level BPE base alphabet Whisper's vocabulary uses)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return dict(zip(printable, (chr(c) for c in chars), strict=True))


def vocabulary() -> tuple[dict[str, int], list[tuple[str, str]], list[str], list[str]]:
    """(vocab with ``<|endoftext|>`` last, merges, special tokens after it, timestamp tokens after those)."""
    from transformers.models.whisper.tokenization_whisper import LANGUAGES

    alphabet = bytes_to_unicode()
    vocab = {alphabet[b]: b for b in range(256)}
    merges: list[tuple[str, str]] = []
    space = alphabet[ord(" ")]
    for word in _WORDS:
        left = space
        for ch in word:
            merged = left + ch
            if merged not in vocab:
                merges.append((left, ch))
                vocab[merged] = len(vocab)
            left = merged
    vocab["<|endoftext|>"] = len(vocab)
    specials = ["<|startoftranscript|>", *(f"<|{code}|>" for code in LANGUAGES), "<|translate|>",
                "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>"]
    timestamps = [f"<|{i * 0.02:.2f}|>" for i in range(1501)]
    return vocab, merges, specials, timestamps


def build(folder: Path) -> None:
    import torch
    from tokenizers import AddedToken
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
    )
    from transformers.models.whisper.tokenization_whisper import LANGUAGES

    folder.mkdir(parents=True, exist_ok=True)
    vocab, merges, specials, timestamps = vocabulary()
    # vocab.json and merges.txt written here are what the tokenizer is made from (and what save_pretrained
    # writes back beside tokenizer.json).
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges),
                                       encoding="utf-8")
    tokenizer = WhisperTokenizer(vocab=dict(vocab), merges=list(merges))
    # As in Whisper's own tokenizer: the specials are its additional special tokens, in order, so the last
    # special id + 1 is the first timestamp; timestamps are plain added tokens.
    tokenizer.add_special_tokens(
        {"additional_special_tokens": [AddedToken(t, special=True, normalized=False) for t in specials]})
    tokenizer.add_tokens([AddedToken(t, special=False, normalized=False) for t in timestamps])
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in ("<|endoftext|>", *specials, timestamps[0], timestamps[-1])}
    eot = ids["<|endoftext|>"]
    expected = list(range(eot, eot + 1 + len(specials))) + [eot + 1 + len(specials), len(tokenizer) - 1]
    if list(ids.values()) != expected:  # generate() counts on timestamps following <|notimestamps|>
        raise RuntimeError("the tiny Whisper vocabulary is not laid out in Whisper's order")
    vocab_size = len(tokenizer)
    sot, no_ts = ids["<|startoftranscript|>"], ids["<|notimestamps|>"]
    space_id = vocab[bytes_to_unicode()[ord(" ")]]
    suppress = [ids["<|translate|>"], ids["<|transcribe|>"], ids["<|startoflm|>"], ids["<|startofprev|>"],
                ids["<|nospeech|>"]]

    config = WhisperConfig(
        vocab_size=vocab_size, num_mel_bins=80, d_model=D_MODEL, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=HEADS, decoder_attention_heads=HEADS, encoder_ffn_dim=2 * D_MODEL,
        decoder_ffn_dim=2 * D_MODEL, max_source_positions=1500, max_target_positions=64,
        pad_token_id=eot, bos_token_id=eot, eos_token_id=eot, decoder_start_token_id=sot,
        suppress_tokens=None, begin_suppress_tokens=None,  # the generation config has them
    )
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration(config).eval()
    # Random logits favour whatever is most numerous (single bytes, which decode to broken UTF-8): shrink every
    # output embedding but the whole words, the end and the timestamps, and stretch the words, so the random
    # model says words. (The output projection is tied to these embeddings.)
    with torch.no_grad():
        embeddings = model.model.decoder.embed_tokens.weight
        words = [vocab[bytes_to_unicode()[ord(" ")] + w] for w in _WORDS]
        keep = torch.zeros(embeddings.shape[0], dtype=torch.bool)
        keep[words] = True
        keep[eot] = True
        keep[ids["<|0.00|>"]:] = True
        embeddings[~keep] *= 0.05
        embeddings[words] *= 3.0
    lang_to_id = {f"<|{code}|>": ids[f"<|{code}|>"] for code in LANGUAGES}
    model.generation_config = GenerationConfig(
        decoder_start_token_id=sot, bos_token_id=eot, eos_token_id=eot, pad_token_id=eot,
        max_length=MAX_NEW, is_multilingual=True, lang_to_id=lang_to_id,
        task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
        no_timestamps_token_id=no_ts, prev_sot_token_id=ids["<|startofprev|>"], max_initial_timestamp_index=50,
        alignment_heads=[[0, h] for h in range(HEADS)], suppress_tokens=suppress,
        begin_suppress_tokens=[space_id, eot], return_timestamps=False,
    )
    model.save_pretrained(folder, safe_serialization=True)
    features = WhisperFeatureExtractor(feature_size=80, sampling_rate=16000, hop_length=160, chunk_length=30,
                                       n_fft=400)
    WhisperProcessor(feature_extractor=features, tokenizer=tokenizer).save_pretrained(folder)


BUILDERS = {"tiny-whisper": build}
