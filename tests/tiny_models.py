"""Tiny random-weight models of several families, and a few text-to-SQL samples, for tests.

Each family's model is built from its transformers config (2 layers, 64 wide), with a small BPE
tokenizer trained here on the samples; the tokenizer carries the family's special tokens and
its real chat template (`tests/models/chat_templates/`, the text the model repos ship). A folder
from `build` loads with `harness.models.loader.load_model` and passes its sanity check (the
perplexity of the random weights is recorded). Building one takes about a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.data.prompts import messages
from harness.data.samples import Sample

TEMPLATES = Path(__file__).parent / "models" / "chat_templates"


@dataclass(frozen=True)
class Family:
    """What a family's tokenizer and config need: special tokens, the end-of-turn token, the config class."""

    config: str  # transformers config class
    model: str  # transformers causal-LM class
    template: str  # file in tests/models/chat_templates/
    end_of_turn: str
    bos: str | None
    eos: str
    pad: str | None
    extra: tuple[str, ...]  # further special tokens of the family
    plain: tuple[str, ...] = ()  # added tokens that are not special (Qwen3's think tags)
    config_args: dict = field(default_factory=dict)


FAMILIES = {
    "gemma3": Family("Gemma3TextConfig", "Gemma3ForCausalLM", "gemma3.jinja", "<end_of_turn>", "<bos>", "<eos>", "<pad>",
                     ("<unk>", "<start_of_turn>", "<end_of_turn>"),
                     config_args={"head_dim": 32, "sliding_window": 64, "layer_types": ["sliding_attention", "full_attention"],
                                  "tie_word_embeddings": True}),
    "llama3": Family("LlamaConfig", "LlamaForCausalLM", "llama3.jinja", "<|eot_id|>", "<|begin_of_text|>", "<|end_of_text|>",
                     None, ("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
                     config_args={"tie_word_embeddings": False}),
    "qwen3": Family("Qwen3Config", "Qwen3ForCausalLM", "qwen3.jinja", "<|im_end|>", None, "<|im_end|>", "<|endoftext|>",
                    ("<|im_start|>",), plain=("<think>", "</think>"),
                    config_args={"head_dim": 32, "tie_word_embeddings": True}),
    "phi3": Family("Phi3Config", "Phi3ForCausalLM", "phi3.jinja", "<|end|>", "<s>", "<|endoftext|>", "<|endoftext|>",
                   ("<unk>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"),
                   config_args={"tie_word_embeddings": False}),
}


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


def chat_template(family: str) -> str:
    """The family's real chat template text."""
    return (TEMPLATES / FAMILIES[family].template).read_text()


def tokenizer(family: str = "gemma3", template: bool = True):
    """A byte-level BPE tokenizer trained on the samples, with the family's special tokens (and chat template)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from harness.models import sanity

    spec = FAMILIES[family]
    named = [t for t in (spec.pad, spec.eos, spec.bos) if t]
    specials = list(dict.fromkeys([*named, *spec.extra]))
    bpe = Tokenizer(models.BPE(unk_token="<unk>" if "<unk>" in specials else None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    corpus = [turn["content"] for s in samples(30) for turn in messages(s, with_answer=True)] + [sanity.TEXT]
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=600, special_tokens=specials,
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    bpe.add_tokens([AddedToken(t, special=False, normalized=False) for t in spec.plain])
    tok = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token=spec.bos, eos_token=spec.eos, pad_token=spec.pad,
        unk_token="<unk>" if "<unk>" in specials else None,
        additional_special_tokens=[t for t in spec.extra if t not in named and t != "<unk>"],
    )
    if template:
        tok.chat_template = chat_template(family)
    return tok


def model(family: str, tok, seed: int = 0):
    """The family's causal LM, 2 layers and 64 wide, random weights seeded by `seed`; stops only at the tokenizer's eos."""
    import torch
    import transformers

    spec = FAMILIES[family]
    config = getattr(transformers, spec.config)(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, max_position_embeddings=1024, pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, **spec.config_args,
    )
    torch.manual_seed(seed)
    lm = getattr(transformers, spec.model)(config).eval()
    lm.generation_config.eos_token_id = tok.eos_token_id  # the end of turn must come from the chat template
    return lm


def build(folder: Path, family: str = "gemma3", template: bool = True, seed: int = 0) -> Path:
    """Save a tiny model of `family` (bf16) with its tokenizer and a sanity record; `template=False` leaves the template out."""
    import torch

    from harness.models import sanity

    tok = tokenizer(family, template)
    lm = model(family, tok, seed).to(torch.bfloat16)
    folder.mkdir(parents=True, exist_ok=True)
    lm.save_pretrained(folder)
    tok.save_pretrained(folder)
    sanity.record(folder, lm, tok)
    return folder
