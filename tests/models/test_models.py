"""Model loading, the sanity check, adapters' base check, and fingerprints (tiny random Gemma 3)."""

import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from harness.errors import HarnessInputError
from harness.models import chat_format, loader, sanity

pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture(scope="module")
def tiny(tiny_model):
    return tiny_model("gemma3", template=False)  # like the embedded GGUF: no chat template of its own


def corrupted_copy(folder, dest):
    shutil.copytree(folder, dest)
    weights = load_file(dest / "model.safetensors")
    weights = {k: v * 30 if v.dim() == 2 else v for k, v in weights.items()}
    save_file(weights, dest / "model.safetensors", metadata={"format": "pt"})
    return dest


def test_load_local_folder(tiny):
    model, tokenizer = loader.load_model(str(tiny))
    assert not model.training and model.dtype == torch.bfloat16
    assert tokenizer.padding_side == "left"
    assert tokenizer.chat_template == chat_format.shipped("gemma")
    assert model.generation_config.eos_token_id == [tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("<end_of_turn>")]


def test_sanity_check_refuses_corrupted_weights(tiny, tmp_path):
    bad = corrupted_copy(tiny, tmp_path / "bad")
    with pytest.raises(HarnessInputError, match="sanity check"):
        loader.load_model(str(bad))


def test_sanity_band_without_record_is_generic(tiny, tmp_path):
    assert sanity.band(tmp_path) == (0.0, sanity.GENERIC_MAX)
    low, high = sanity.band(tiny)
    assert low < high < sanity.GENERIC_MAX


@pytest.mark.parametrize("name", ["gemma-9000", "no/such/dir/here"])
def test_unknown_model(name):
    with pytest.raises(HarnessInputError, match="unknown model.*openai:NAME --base-url URL"):
        loader.resolve(name)


def test_served_model_has_no_weights_to_load():
    with pytest.raises(HarnessInputError, match="served model has no local weights.*harness eval --model openai:x"):
        loader.resolve("openai:x")


def test_hub_id_goes_through_snapshot_download(tiny, monkeypatch):
    import huggingface_hub

    asked = []

    def fake_snapshot_download(repo_id, **kwargs):  # the network boundary
        asked.append(repo_id)
        return str(tiny)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    model, _ = loader.load_model("google/gemma-3-1b-pt")
    assert asked == ["google/gemma-3-1b-pt"] and model.config.model_type == "gemma3_text"


def test_unreachable_hub_id_is_an_input_error(monkeypatch):
    import huggingface_hub
    from huggingface_hub.errors import LocalEntryNotFoundError

    def offline(repo_id, **kwargs):
        raise LocalEntryNotFoundError("offline")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(HarnessInputError, match="google/gemma-3-1b-pt"):
        loader.resolve("google/gemma-3-1b-pt")


def test_multimodal_checkpoints_load_as_image_text_to_text():
    from transformers import AutoModelForCausalLM, AutoModelForImageTextToText, Gemma3Config, Gemma3TextConfig

    assert loader.model_class(Gemma3Config()) is AutoModelForImageTextToText
    assert loader.model_class(Gemma3TextConfig()) is AutoModelForCausalLM


def make_adapter(tiny, dest, base_name, seed=0):
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    model, _ = loader.load_model(str(tiny), check=False)
    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False))
    peft_model.peft_config["default"].base_model_name_or_path = base_name
    peft_model.save_pretrained(dest)
    return dest


def test_adapter_loads_onto_its_base(tiny, tmp_path):
    adapter = make_adapter(tiny, tmp_path / "a", loader.canonical_name(str(tiny)))
    base, tokenizer = loader.load_model(str(tiny))
    ids = tokenizer("SELECT COUNT(*) FROM t0", return_tensors="pt").input_ids
    base_logits = base(ids).logits
    model, _ = loader.load_model(str(tiny), adapter=str(adapter))
    assert not torch.allclose(model(input_ids=ids).logits, base_logits)


def test_lm_head_gets_a_contiguous_input_when_generating_from_a_padded_batch(tiny, tmp_path):
    adapter = make_adapter(tiny, tmp_path / "a", loader.canonical_name(str(tiny)))
    model, tokenizer = loader.load_model(str(tiny), adapter=str(adapter))
    seen = []
    model.get_output_embeddings().register_forward_hook(lambda m, args, out: seen.append(args[0].is_contiguous()))
    batch = tokenizer(["SELECT 1", "SELECT COUNT(*) FROM t0 WHERE x > 2"], return_tensors="pt", padding=True)
    with torch.no_grad():
        sliced = model(**batch, logits_to_keep=1).logits
        full = model(**batch).logits
    assert seen == [True, True]  # the slice of the last position arrives contiguous
    torch.testing.assert_close(sliced[:, -1], full[:, -1])


def test_adapter_of_another_base_is_refused(tiny, tmp_path):
    adapter = make_adapter(tiny, tmp_path / "a", "google/gemma-3-1b-pt")
    with pytest.raises(HarnessInputError, match="trained on 'google/gemma-3-1b-pt'"):
        loader.load_model(str(tiny), adapter=str(adapter))


def test_checkpoint_without_weights_is_refused(tiny, tmp_path):
    (tmp_path / "epoch_1").mkdir()
    with pytest.raises(HarnessInputError, match="no adapter weights"):
        loader.load_model(str(tiny), adapter=str(tmp_path / "epoch_1"))


def test_fingerprint_tells_models_and_adapters_apart(tiny, tmp_path):
    bad = corrupted_copy(tiny, tmp_path / "bad")
    a = make_adapter(tiny, tmp_path / "a", str(tiny), seed=1)
    b = make_adapter(tiny, tmp_path / "b", str(tiny), seed=2)
    prints = {loader.fingerprint(str(tiny)), loader.fingerprint(str(bad)),
              loader.fingerprint(str(tiny), str(a)), loader.fingerprint(str(tiny), str(b))}
    assert len(prints) == 4
    assert loader.fingerprint(str(tiny), str(a)) == loader.fingerprint(str(tiny), str(a))


def test_fingerprint_repeats_from_the_memo(tiny, monkeypatch):
    from harness.models import filehash

    first = loader.fingerprint(str(tiny))
    monkeypatch.setattr(filehash, "_file_sha256", lambda path: pytest.fail(f"re-hashed {path}"))
    assert loader.fingerprint(str(tiny)) == first


def test_embedded_fingerprint_needs_no_build(tmp_path):
    assert len(loader.fingerprint("gemma-3-270m")) == 16
    assert not (tmp_path / "cache" / "models").exists()


@pytest.mark.slow
def test_embedded_model_loads_and_passes_its_check(monkeypatch):
    monkeypatch.delenv("HARNESS_CACHE")  # share the real cache: the first build takes about a minute
    model, tokenizer = loader.load_model("gemma-3-270m")
    folder = loader.resolve("gemma-3-270m")
    low, high = sanity.band(folder)
    assert low <= sanity.EMBEDDED_PERPLEXITY["gemma-3-270m"] <= high
    assert tokenizer.chat_template == chat_format.shipped("gemma")
    assert model.generation_config.eos_token_id == [tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("<end_of_turn>")]
    assert (folder / "model.safetensors").exists() and (folder / "tokenizer.json").exists()
    ids = tokenizer("The capital of France is", return_tensors="pt")
    text = tokenizer.decode(model.generate(**ids, max_new_tokens=8, do_sample=False)[0], skip_special_tokens=True)
    assert "France" in text[len("The capital of France is"):]
