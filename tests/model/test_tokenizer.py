"""Exact, offline token counts (issue 13): ftroi_helpers.count_tokens and friends.

The known counts below were NOT produced by the code under test. They come from OpenAI's own
``tiktoken`` 0.14.0 (``Encoding.encode_ordinary``), built with OpenAI's published vocabulary
files ``o200k_base.tiktoken`` and ``cl100k_base.tiktoken``, whose SHA-256 equals the
``expected_hash`` tiktoken itself checks (446a9538... and 223921b7...). The token ids of
"hello world" ([24912, 2375] and [15339, 1917]) are the ones in tiktoken's own tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import ftroi_helpers
from ftroi_helpers.tokenizer import (
    CHARS_PER_TOKEN,
    _count_or_estimate,
    count_tokens,
    encoding_for_model,
    estimate_tokens,
)

TEXTS = [
    "hello world",
    "You are a support assistant. Classify the customer's message as billing, technical or "
    "other.",
    "Grüße aus Köln 🙂 — 東京で会いましょう",
    "def f(x):\n    return x * 2\n\n\n",
    "Input: My invoice for March shows USD 1,234.56 twice!!\nLabel: billing\n",
    "<|endoftext|> is plain text here",
    "",
]
# tiktoken 0.14.0 with the official vocabularies (see the module docstring), text by text.
KNOWN_O200K = [2, 18, 13, 11, 20, 11, 0]
KNOWN_CL100K = [2, 19, 19, 11, 20, 11, 0]


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4o-mini-2024-07-18", "gpt-4o",
                                   "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3-mini"])
def test_o200k_models_count_exactly_like_openais_tokenizer(model):
    assert [count_tokens(t, model=model) for t in TEXTS] == KNOWN_O200K


@pytest.mark.parametrize("model", ["gpt-4", "gpt-4-turbo", "gpt-3.5-turbo",
                                   "gpt-3.5-turbo-0125", "text-embedding-3-small"])
def test_older_models_count_exactly_with_cl100k(model):
    assert [count_tokens(t, model=model) for t in TEXTS] == KNOWN_CL100K


def test_the_default_model_is_gpt_4o_mini():
    assert count_tokens(TEXTS[1]) == KNOWN_O200K[1]
    assert isinstance(count_tokens(TEXTS[1]), int)


def test_the_package_exports_count_tokens():
    assert ftroi_helpers.count_tokens("hello world", model="gpt-4o-mini") == 2


def test_a_long_text_is_counted_whole():
    # 70,000 characters; tiktoken (as above) counts 20,000 tokens with either encoding.
    long = TEXTS[4] * 1_000
    assert count_tokens(long) == 20_000
    assert count_tokens(long, model="gpt-4") == 20_000


def test_other_providers_get_an_estimate_that_says_so():
    c = _count_or_estimate("x" * 10, model="Claude (via AWS Bedrock)")
    assert c.exact is False and c.method == "estimate"
    assert c.tokens == 3  # ceil(10 / 4)
    assert "estimate" in c.label and "≈" in c.label and "4 per token" in c.label


def test_an_exact_count_says_which_encoding():
    c = _count_or_estimate(TEXTS[1], model="gpt-3.5-turbo")
    assert c == (KNOWN_CL100K[1], True, "cl100k_base", f"{KNOWN_CL100K[1]} tokens (exact, cl100k_base)")


def test_count_tokens_never_passes_off_an_estimate_as_exact():
    with pytest.raises(ValueError, match="no exact tokenizer.*estimate"):
        count_tokens("hello", model="Llama 3.1 8B (full)")


def test_estimate_is_characters_over_the_stated_ratio_rounded_up():
    assert CHARS_PER_TOKEN == 4.0
    assert estimate_tokens("abcd" * 25) == 25
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens("abcdef", chars_per_token=3) == 2
    assert estimate_tokens("") == 0


@pytest.mark.parametrize("model, encoding", [
    ("gpt-4o-mini", "o200k_base"), ("GPT-4o-mini", "o200k_base"),
    ("gpt-4.1-2025-04-14", "o200k_base"), ("o1", "o200k_base"), ("gpt-5-mini", "o200k_base"),
    ("ft:gpt-4o-mini-2024-07-18:org::abc", "o200k_base"), ("gpt-4-0613", "cl100k_base"),
    ("gpt-4", "cl100k_base"), ("claude-3-5-sonnet", None), ("gemini-1.5-flash", None),
])
def test_models_map_to_their_encodings(model, encoding):
    assert encoding_for_model(model) == encoding


@pytest.mark.parametrize("call, error, match", [
    (lambda: count_tokens(b"bytes"), TypeError, "text must be text"),
    (lambda: count_tokens("x", model=None), TypeError, "model must be a model name"),
    (lambda: count_tokens("x", model=""), TypeError, "model must be a model name"),
    (lambda: estimate_tokens("x", chars_per_token=-1), ValueError, "chars_per_token must be > 0"),
    (lambda: estimate_tokens("x", chars_per_token="4"), TypeError, "chars_per_token"),
])
def test_bad_arguments_name_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _fresh_env(tmp_path) -> dict[str, str]:
    """An environment whose every cache a tokenizer could use is a new, empty directory."""
    env = {k: v for k, v in os.environ.items()
           if not k.endswith(("_PROXY", "_proxy")) and k not in ("COV_CORE_SOURCE",)}
    for name in ("HOME", "XDG_CACHE_HOME", "TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR",
                 "QUICKTOK_DATA", "HF_HOME"):
        d = tmp_path / name.lower()
        d.mkdir()
        env[name] = str(d)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


NO_NETWORK_PROBE = textwrap.dedent("""
    import json, socket
    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")
    # no name lookups, no connections, whatever the namespace allows
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    from ftroi_helpers import count_tokens
    texts = json.loads({texts!r})
    print(json.dumps({{
        "o200k": [count_tokens(t, model="gpt-4o-mini") for t in texts],
        "cl100k": [count_tokens(t, model="gpt-3.5-turbo") for t in texts],
    }}))
""")


def test_counts_with_the_network_disabled_and_every_cache_empty(tmp_path):
    """No download on first use: no network (a new network namespace when root) and no cache."""
    env = _fresh_env(tmp_path)
    code = NO_NETWORK_PROBE.format(texts=json.dumps(TEXTS))
    cmd = [sys.executable, "-c", code]
    unshare = shutil.which("unshare")
    if os.geteuid() == 0 and unshare:
        # a new network namespace: only a loopback that is down, so nothing can be reached
        cmd = [unshare, "-n", *cmd]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts == {"o200k": KNOWN_O200K, "cl100k": KNOWN_CL100K}
    for name in ("home", "xdg_cache_home", "tiktoken_cache_dir", "quicktok_data"):
        assert not any((tmp_path / name).iterdir()), f"{name} was written to"


def test_neither_the_package_nor_the_tokenizer_module_loads_the_tokenizer_on_import():
    code = ("import ftroi_helpers, ftroi_helpers.tokenizer, sys; "
            "from ftroi_helpers import count_tokens; "
            "print('quicktok' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
