"""A tiny random-weight Gemma 3 and a byte-level tokenizer with Gemma's special tokens (seconds to build)."""

from pathlib import Path

SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"]


def tiny_tokenizer():
    """Byte-level tokenizer: ids 0-5 as in Gemma order where it matters (<end_of_turn> mapped below)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from harness.data.prompts import apply_template

    byte_tokens = list(pre_tokenizers.ByteLevel.alphabet())
    vocab = {tok: i for i, tok in enumerate(SPECIALS[:5])}
    # <end_of_turn> must be id 106, as in Gemma: fill 5..105 with byte tokens first.
    for tok in byte_tokens[:101]:
        vocab[tok] = len(vocab)
    vocab["<end_of_turn>"] = len(vocab)
    assert vocab["<end_of_turn>"] == 106
    for tok in byte_tokens[101:]:
        vocab[tok] = len(vocab)
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    backend.decoder = decoders.ByteLevel()
    backend.add_special_tokens(SPECIALS)
    tok = PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>", unk_token="<unk>",
        additional_special_tokens=["<start_of_turn>", "<end_of_turn>"],
    )
    apply_template(tok)
    tok.padding_side = "left"
    return tok


def tiny_gemma(vocab_size: int, seed: int = 0):
    """A 2-layer Gemma 3 causal LM with random weights."""
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    torch.manual_seed(seed)
    config = Gemma3TextConfig(
        vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=16, max_position_embeddings=2048,
        sliding_window=64, pad_token_id=0, eos_token_id=1, bos_token_id=2,
    )
    return Gemma3ForCausalLM(config).eval()


def save_tiny(folder: Path, seed: int = 0) -> Path:
    """A tiny model folder that `harness.models.loader.load_model(folder, check=False)` loads."""
    tok = tiny_tokenizer()
    model = tiny_gemma(len(tok), seed=seed)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder
