"""Test helpers: a tiny random-weight Gemma 3 folder (own small tokenizer) and a few samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.data.prompts import render
from harness.data.samples import Sample

SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"]


def samples(n: int = 8) -> list[Sample]:
    """`n` short text-to-SQL samples over one small table."""
    out = []
    for i in range(n):
        table = f"t{i % 3}"
        out.append(
            Sample(
                id=f"s{i}",
                sql_prompt=f"How many rows of {table} have x above {i}?",
                sql_context=f"CREATE TABLE {table} (x INT, name TEXT); INSERT INTO {table} VALUES ({i}, 'a'), ({i + 2}, 'b');",
                sql=f"SELECT COUNT(*) FROM {table} WHERE x > {i};",
                sql_complexity="basic SQL",
            )
        )
    return out


@dataclass
class Task:
    """The slice of `harness.data.tasks.Task` that training reads."""

    name: str = "tiny"
    version: str = "1"
    train: list[Sample] = field(default_factory=samples)
    test: list[Sample] = field(default_factory=lambda: samples(3))


def build(folder: Path) -> Path:
    """Save a tiny random Gemma 3 (2 layers, 64 wide) with a BPE tokenizer trained on the samples."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig, PreTrainedTokenizerFast

    from harness.models import sanity
    from harness.data.prompts import apply_template

    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    corpus = [render(s, for_training=True) for s in samples(30)] + [sanity.TEXT]
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=600, special_tokens=SPECIALS))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>", unk_token="<unk>",
        additional_special_tokens=["<start_of_turn>", "<end_of_turn>"],
    )
    apply_template(tokenizer)
    torch.manual_seed(0)
    config = Gemma3TextConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=32, max_position_embeddings=1024,
        sliding_window=64, layer_types=["sliding_attention", "full_attention"], tie_word_embeddings=True,
        pad_token_id=0, eos_token_id=[1, 5], bos_token_id=2,
    )
    model = Gemma3ForCausalLM(config).to(torch.bfloat16)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    sanity.record(folder, model, tokenizer)
    return folder
