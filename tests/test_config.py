import pytest

from detente.errors import DetenteError
from detente.training.config import Config, load_config

from .conftest import ROOT


def test_shipped_configs_load():
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        assert isinstance(load_config(path), Config)


def test_overrides_are_typed_and_applied(tmp_path):
    config = load_config(ROOT / "configs" / "default.yaml", ["train.epochs=3", "model.lora_alpha=8", "model.base=/x"])
    assert config.train.epochs == 3 and config.model.lora_alpha == 8.0 and config.model.base == "/x"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("train:\n  epochz: 3\n", "train.epochz"),
        ("train:\n  epochs: three\n", "train.epochs"),
        ("model:\n  lora_target_modules: {query: 1}\n", "model.lora_target_modules"),
        ("trian: {}\n", "trian"),
        ("train:\n  class_weighted_loss: 1\n", "train.class_weighted_loss"),
    ],
)
def test_unknown_keys_and_wrong_types_name_the_key(tmp_path, text, key):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(DetenteError) as err:
        load_config(path)
    assert err.value.where == key


def test_a_bad_override_names_the_key():
    with pytest.raises(DetenteError) as err:
        load_config(None, ["train.batch_size=big"])
    assert err.value.where == "train.batch_size"


def test_origin_weights_are_a_typed_mapping_and_a_single_file_is_a_list():
    config = load_config(None, ["data.origin_weights={written: 0.3}", "data.train_files=mine.csv"])
    assert config.data.origin_weights == {"written": 0.3} and config.data.train_files == ["mine.csv"]
    with pytest.raises(DetenteError, match="data.origin_weights.written"):
        load_config(None, ["data.origin_weights={written: heavy}"])
