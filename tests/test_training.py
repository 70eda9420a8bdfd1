"""Fine-tuning with the real base encoder on a small slice of the corpus."""

from __future__ import annotations

import json

import pytest

from detente.model.classifier import StanceClassifier
from detente.training.config import load_config
from detente.training.trainer import CHECKPOINT_DIR, train

from .conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    for name, n in (("train", 48), ("dev", 24)):
        lines = (ROOT / "data" / "splits" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[:n]
        (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _config(data, *extra):
    return load_config(
        ROOT / "configs" / "default.yaml",
        [
            f"data.train_files=[{data / 'train.jsonl'}]",
            f"data.dev_files=[{data / 'dev.jsonl'}]",
            "data.test_files=[]",
            "train.epochs=2",
            "train.batch_size=8",
            "model.max_length=48",
            "train.teacher=null",
            "data.unlabelled_files=[]",
            "train.check_int8=false",
            *extra,
        ],
    )


@pytest.fixture(scope="module")
def first_run(small_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "model"
    config = _config(small_data, f"data.test_files=[{small_data / 'dev.jsonl'}]", "train.check_int8=true")
    return out, train(config, out, log=lambda line: None)


def test_lora_training_writes_a_small_model_that_scores(first_run):
    out, trained = first_run
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "check.jsonl", "detente.json", "head.safetensors", "lora.safetensors", "tokenizer.json",
        "tokenizer_config.json",
    ]  # fmt: skip
    assert sum(p.stat().st_size for p in out.iterdir()) < 25 * 2**20
    spec = json.loads((out / "detente.json").read_text())
    assert spec["training"]["config"]["train"]["epochs"] == 2 and len(spec["training"]["data_fingerprint"]) == 64
    check = spec["training"]["onnx_int8"]
    assert check["n"] == 24 and check["passed"] == (check["agreement"] >= 0.99 and "passed" in check["reason"])
    assert len((out / "check.jsonl").read_text().splitlines()) == 24  # the test split, for every machine's check
    assert spec["temperature"] > 0
    loaded = StanceClassifier.from_pretrained(out, device="cpu")
    texts = ["The talks were useful.", "We reject this ultimatum."]
    assert loaded.predict_proba(texts) == pytest.approx(trained.predict_proba(texts), abs=1e-4)


def test_interrupted_training_resumes_from_its_last_epoch_and_runs_are_reproducible(first_run, small_data, tmp_path):
    """The resumed run is a second run of the same config: its metrics equal the first's."""
    whole = first_run[1]

    def stop_after_first_epoch(line):
        if line.startswith("epoch 1:"):
            raise KeyboardInterrupt

    out = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        train(_config(small_data), out, log=stop_after_first_epoch)
    assert (out / CHECKPOINT_DIR / "state.pt").is_file()
    lines = []
    resumed = train(_config(small_data), out, log=lines.append)
    assert "resuming after epoch 1" in lines
    assert resumed.spec.training["metrics"]["history"] == whole.spec.training["metrics"]["history"]
    assert not (out / CHECKPOINT_DIR).exists()


def test_full_finetuning_saves_the_encoder_as_safetensors(small_data, tmp_path):
    out = tmp_path / "full"
    train(_config(small_data, "model.finetune=full", "train.epochs=1"), out, log=lambda line: None)
    assert (out / "encoder" / "model.safetensors").is_file() and not (out / "lora.safetensors").exists()
    assert StanceClassifier.from_pretrained(out, device="cpu").predict(["We welcome the offer."])[0]


def test_cli_train_with_a_config_error_names_the_key(tmp_path):
    result = run_cli("train", "--config", ROOT / "configs" / "default.yaml", "--set", "train.epochs=many")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "detente: error: train.epochs: expected int, got 'many'"


def test_a_missing_teacher_is_reported_before_any_work(tmp_path):
    teacher = tmp_path / "no"
    result = run_cli("train", "--config", ROOT / "configs" / "default.yaml", "--set", f"train.teacher={teacher}",
                     "-o", tmp_path / "out")  # fmt: skip
    assert result.returncode == 2 and not (tmp_path / "out").exists()
    assert (
        result.stderr.decode().strip() == f"detente: error: train.teacher: no detente model at {teacher} "
        "(train the teacher first: see the config's notes)"
    )


def test_distillation_fits_a_teacher_on_labelled_and_unlabelled_statements(first_run, small_data, tmp_path):
    teacher_dir = first_run[0]
    unlabelled = tmp_path / "unlabelled.jsonl"
    unlabelled.write_text(
        "".join(json.dumps({"text": f"Round {i} of the talks ended without a date for the next one."}) + "\n"
                for i in range(10)),
        encoding="utf-8",
    )  # fmt: skip
    lines = []
    config = _config(small_data, f"train.teacher={teacher_dir}", f"data.unlabelled_files=[{unlabelled}]",
                     "train.epochs=1")  # fmt: skip
    student = train(config, tmp_path / "student", log=lines.append)
    assert f"distilling from {teacher_dir} on 58 statements" in lines
    assert student.spec.training["config"]["train"]["teacher"] == [str(teacher_dir)]
    assert len(student.predict(["We hope for a deal."])) == 1


def test_an_ensemble_of_teachers_gives_the_mean_of_their_distributions(first_run, small_data):
    import numpy as np

    from detente.training.data import labelled_dataset, with_soft_labels

    teacher = str(first_run[0])
    data = labelled_dataset([small_data / "dev.jsonl"])
    one = np.array(with_soft_labels(data, [teacher], 1.0)["soft"])
    both = np.array(with_soft_labels(data, [teacher, "default"], 1.0)["soft"])
    other = np.array(with_soft_labels(data, ["default"], 1.0)["soft"])
    np.testing.assert_allclose(both, (one + other) / 2, atol=1e-5)


def test_length_grouped_batches_cover_every_record_once_and_pad_less():
    import random

    import torch

    from detente.training.trainer import batch_order

    rng = random.Random(0)
    lengths = [len("w " * rng.randint(3, 60)) for _ in range(400)]
    first = batch_order(lengths, 16, True, torch.Generator().manual_seed(7))
    assert first == batch_order(lengths, 16, True, torch.Generator().manual_seed(7))
    assert sorted(i for batch in first for i in batch) == list(range(400))

    def padding(batches):
        return sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b)
                   for b in batches)  # fmt: skip

    plain = torch.randperm(400, generator=torch.Generator().manual_seed(7)).tolist()
    assert padding(first) < padding([plain[i : i + 16] for i in range(0, 400, 16)]) / 3


def test_temperature_fitting_softens_an_overconfident_model_and_keeps_a_calibrated_one():
    import numpy as np

    from detente.training.trainer import fit_temperature

    rng = np.random.default_rng(0)
    # Calibrated logits: sample labels from softmax(logits), so the best temperature is about 1.
    logits = rng.normal(0, 2, (3000, 3))
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    sampled = np.array([rng.choice(3, p=p) for p in probs])
    assert 0.85 < fit_temperature(logits, sampled.tolist()) < 1.2
    # The same logits blown up 4x are overconfident: the fit brings them back down.
    assert 3.2 < fit_temperature(logits * 4, sampled.tolist()) < 4.8


def test_train_on_ones_own_csv_from_an_empty_folder_outside_the_repository(small_data, tmp_path):
    """`detente train --train mine.csv`: no config, no repository paths, dev cut from the file."""
    import csv

    rows = [json.loads(line) for line in (small_data / "train.jsonl").read_text().splitlines()]
    rows += [json.loads(line) for line in (small_data / "dev.jsonl").read_text().splitlines()]
    work = tmp_path / "empty"
    work.mkdir()
    with (work / "mine.csv").open("w", newline="", encoding="utf-8-sig") as handle:  # as a spreadsheet saves it
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["id", "text", "label", "source"])
        for r in rows:
            writer.writerow([r["id"], r["text"], r["label"].title(), r["source"]])
    done = run_cli("train", "--train", "mine.csv", "-o", "runs/mine", "--set", "train.epochs=1",
                   "--set", "train.check_int8=false", "--set", "model.max_length=48", cwd=work)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    summary = done.stdout.decode().strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith("saved detente-stance@0.1.0 to runs/mine, trained on")
    assert "dev macro-F1" in summary[0] and "{" not in summary[0]
    assert "Warning" not in done.stderr.decode() and "deprecat" not in done.stderr.decode().lower()
    spec = json.loads((work / "runs" / "mine" / "detente.json").read_text())
    assert spec["training"]["sizes"]["train"] + spec["training"]["sizes"]["dev"] == len(rows)


def test_origin_weights_of_one_give_the_plain_class_weighted_loss():
    import torch

    from detente.training.config import TrainConfig
    from detente.training.trainer import make_loss

    torch.manual_seed(0)
    logits, labels = torch.randn(6, 3), torch.tensor([0, 1, 2, 2, 1, 0])
    weights = torch.tensor([0.5, 1.0, 2.0])
    loss = make_loss(TrainConfig(), weights)
    plain = loss(logits, labels)
    assert torch.allclose(loss(logits, {"labels": labels, "weights": torch.ones(6)}), plain)
    half = loss(logits, {"labels": labels, "weights": torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])})
    assert torch.allclose(half, make_loss(TrainConfig(), weights)(logits[:3], labels[:3]))


def test_training_from_a_trained_model_starts_from_its_weights(first_run, small_data, tmp_path):
    """With learning rates of zero, a run that starts from a model must give back that model's logits."""
    out, trained = first_run
    config = _config(small_data, f"model.init_from={out}", "model.base=nonexistent-base", "model.lora_r=4",
                     "train.epochs=1", "train.learning_rate=0", "train.head_learning_rate=0")  # fmt: skip
    again = train(config, tmp_path / "again", log=lambda line: None)
    texts = ["We are ready to keep talking.", "The proposal is unacceptable and we reject it."]
    assert again.logits(texts) == pytest.approx(trained.logits(texts), abs=1e-5)
    recorded = again.spec.training["config"]["model"]
    assert recorded["init_from"] == str(out) and recorded["lora_r"] == trained.spec.lora.r
    assert recorded["base"] == trained.spec.base_model


def test_training_from_a_trained_model_moves_it_towards_the_new_labels(first_run, small_data, tmp_path):
    out, trained = first_run
    texts = [json.loads(line)["text"] for line in (small_data / "dev.jsonl").read_text().splitlines()]
    config = _config(small_data, f"model.init_from={out}", "train.epochs=1", "train.head_learning_rate=0.01")
    config.data.train_files = [str(small_data / "dev.jsonl")]
    again = train(config, tmp_path / "again", log=lambda line: None)
    assert abs(again.logits(texts) - trained.logits(texts)).max() > 1e-3


def test_cli_train_init_from_a_missing_model_is_one_line(tmp_path):
    done = run_cli("train", "--init-from", str(tmp_path / "nope"), "--train", str(ROOT / "data/splits/dev.jsonl"),
                   "-o", str(tmp_path / "out"))  # fmt: skip
    assert done.returncode == 2 and "model directory not found" in done.stderr.decode()
    assert len(done.stderr.decode().strip().splitlines()) == 1 and not (tmp_path / "out").exists()
