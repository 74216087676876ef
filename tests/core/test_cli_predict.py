"""``python -m core predict --model FILE IMAGE...``: scores pictures with an exported model file.

Most tests call :func:`core.cli.main` in-process with a detector trained on the small fallback
digits; one runs the real command in a subprocess, and one uses the real MNIST 5-detector.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from core.cli import EXIT_ERROR, EXIT_SOME_IMAGES_FAILED, main
from core.data import load_fallback_dataset
from core.detector import train_detector
from core.digit_image import digit_features, prepare_digit_image
from core.export import export_model, load_model
from harness.commands import run_python


def picture(pixels: np.ndarray, path, *, scale: int, format="PNG") -> str:
    """Save a dataset digit (ink bright on black) as dark ink on white paper, enlarged."""
    height, width = pixels.shape
    large = Image.fromarray(pixels.astype(np.uint8)).resize(
        (width * scale, height * scale), Image.Resampling.BILINEAR
    )
    paper = np.full((height * scale + 60, width * scale + 80), 255, np.uint8)
    paper[20 : 20 + height * scale, 50 : 50 + width * scale] = 255 - np.asarray(large)
    Image.fromarray(paper).save(path, format)
    return str(path)


@pytest.fixture(scope="module")
def digits():
    return load_fallback_dataset()


@pytest.fixture(scope="module")
def model_path(digits, tmp_path_factory):
    directory = tmp_path_factory.mktemp("predict")
    result = train_detector(digits, digit=5, cache_dir=directory / "cache")
    threshold = float(np.sort(result.cv_scores)[-200])
    path = directory / "detector.zip"
    path.write_bytes(export_model(result, threshold=threshold, dataset=digits))
    return str(path)


@pytest.fixture(scope="module")
def images(digits, tmp_path_factory):
    """Pictures of three fives and three other digits from the fallback test set."""
    directory = tmp_path_factory.mktemp("images")
    test_rows = np.arange(digits.n_train, digits.n_samples)
    labels = digits.labels[test_rows]
    rows = np.concatenate([test_rows[labels == 5][:3], test_rows[labels != 5][:3]])
    return [
        picture(
            digits.images[row].reshape(digits.image_shape),
            directory / f"digit{i}.{'jpg' if i % 2 else 'png'}",
            scale=20,
            format="JPEG" if i % 2 else "PNG",
        )
        for i, row in enumerate(rows)
    ]


def expected(model_path: str, image: str) -> tuple[float, bool]:
    """The score and decision computed without the CLI."""
    model = load_model(model_path)
    with open(image, "rb") as file:
        prepared = prepare_digit_image(file.read())
    features = digit_features(prepared, image_shape=model.image_shape)
    score = float(model.decision_function(features[None, :])[0])
    return score, score >= model.threshold


def test_prints_each_images_score_and_decision(model_path, images, capsys):
    assert main(["predict", "--model", model_path, *images]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    model = load_model(model_path)
    assert lines[0] == (
        f"{model_path}: detector of the digit 5, threshold {model.threshold!r} "
        "(is a 5 when score >= threshold)"
    )
    assert len(lines) == 1 + len(images)
    answers = []
    for line, image in zip(lines[1:], images, strict=True):
        score, is_five = expected(model_path, image)
        answer = "is a 5" if is_five else "not a 5"
        assert line == f"{image}: score {score:.2f}, {answer}"
        answers.append(is_five)
    assert any(answers) and not all(answers)  # the images tell fives from the others


def test_json_output(model_path, images, capsys):
    assert main(["predict", "--model", model_path, "--json", *images[:2]]) == 0
    out, _ = capsys.readouterr()
    summary = json.loads(out)
    model = load_model(model_path)
    assert summary["model"] == {"file": model_path, "digit": 5, "threshold": model.threshold}
    for entry, image in zip(summary["images"], images[:2], strict=True):
        score, is_five = expected(model_path, image)
        assert entry == {
            "file": image,
            "score": score,
            "is_digit": is_five,
            "answer": "is a 5" if is_five else "not a 5",
        }


def test_a_bad_image_is_reported_and_the_others_still_scored(model_path, images, tmp_path, capsys):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    missing = tmp_path / "missing.jpg"
    argv = [images[0], str(text), images[1], str(blank), str(missing)]
    status = main(["predict", "--model", model_path, *argv])
    assert status == EXIT_SOME_IMAGES_FAILED == 1
    out, err = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()[1:]] == [images[0], images[1]]
    assert err.splitlines() == [
        f"{text}: error: not a PNG or JPEG image",
        f"{blank}: error: the image is blank: no digit found (it is nearly one shade; "
        "ink and background differ by 0 grey levels of 255)",
        f"{missing}: error: cannot read it (No such file or directory)",
    ]
    assert "Traceback" not in out + err


def test_bad_images_in_json_are_entries_with_an_error(model_path, images, tmp_path, capsys):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    assert main(["predict", "--model", model_path, "--json", str(text), images[0]]) == 1
    out, err = capsys.readouterr()
    entries = json.loads(out)["images"]
    assert entries[0] == {"file": str(text), "error": "not a PNG or JPEG image"}
    assert "score" in entries[1] and err == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text", "not a Threshold Explorer model file: not a zip archive"),
        (None, "not a Threshold Explorer model file: it has no model_card.json"),
    ],
    ids=["text", "other-zip"],
)
def test_a_file_that_is_not_a_model_file(content, message, images, tmp_path, capsys):
    path = tmp_path / "model.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("holiday.jpg", b"...")
    else:
        path.write_bytes(content)
    assert main(["predict", "--model", str(path), images[0]]) == EXIT_ERROR == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"error: {path}: {message}\n"


def test_a_damaged_model_file(model_path, images, tmp_path, capsys):
    with zipfile.ZipFile(model_path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["intercept.npy"] = members["intercept.npy"][:-8] + b"\0" * 8
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert main(["predict", "--model", str(damaged), images[0]]) == 2
    out, err = capsys.readouterr()
    assert (
        out == ""
        and err == f"error: {damaged}: damaged: checksum of intercept.npy does not match\n"
    )


def test_missing_model_file_and_usage_errors(images, tmp_path, capsys):
    assert main(["predict", "--model", str(tmp_path / "nope.zip"), images[0]]) == 2
    assert "No such file or directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["predict", images[0]])  # no --model
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["predict", "--model", str(tmp_path / "nope.zip")])  # no image
    assert exit_info.value.code == 2


def test_python_dash_m_core_predict(model_path, images, tmp_path):
    """The real command in a subprocess: exit status, stdout and stderr as a user sees them."""
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    process = run_python(
        ["-m", "core", "predict", "--model", model_path, images[0], str(bad)], timeout=120
    )
    assert process.returncode == 1
    assert process.stdout.splitlines()[1].startswith(f"{images[0]}: score ")
    assert process.stderr == f"{bad}: error: the PNG file is damaged: its header cannot be read\n"


@pytest.mark.mnist
def test_mnist_detector_on_pictures_of_test_digits(mnist_dir, shared_cache_dir, tmp_path, capsys):
    """The exported 5-detector says 'is a 5' for clear fives and 'not a 5' for clear others."""
    from core.data import load_dataset

    mnist = load_dataset(data_dir=mnist_dir)
    result = train_detector(mnist, digit=5, cache_dir=shared_cache_dir)
    model = tmp_path / "five.zip"
    model.write_bytes(export_model(result, threshold=0.0, dataset=mnist))
    order = np.argsort(result.test_scores)
    clear_fives = [i for i in order[::-1] if result.y_test[i]][:3]
    clear_others = [i for i in order if not result.y_test[i]][:3]
    paths = [
        picture(mnist.images[mnist.n_train + i].reshape(28, 28), tmp_path / f"{i}.png", scale=10)
        for i in clear_fives + clear_others
    ]
    assert main(["predict", "--model", str(model), "--json", *paths]) == 0
    answers = [entry["answer"] for entry in json.loads(capsys.readouterr().out)["images"]]
    assert answers == ["is a 5"] * 3 + ["not a 5"] * 3
