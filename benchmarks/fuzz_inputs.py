"""Throw bad and extreme inputs at every public function, calculator control and CLI flag.

Prints how the calls went, by category, and the share of errors whose message names the
parameter the caller passed (the target is at least 99 %). Exhaustive over the registry in
``tests/contract_cases.py`` (no randomness), so two runs print the same figures.

    .venv/bin/python benchmarks/fuzz_inputs.py            # summary
    .venv/bin/python benchmarks/fuzz_inputs.py -v         # and every problem found

Categories: ``ok`` (valid input, right answer), ``error_named`` (bad input, ValueError or
TypeError naming the parameter), ``error_unnamed`` (an error that does not name it),
``silent_accept`` (bad input, an answer anyway), ``wrong`` (valid input, a wrong or non-finite
answer, or refused), ``crash`` (any other exception, or a warning that reached the user).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import math
import os
import sys
import time
import warnings
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
os.environ.setdefault("MPLBACKEND", "Agg")

import contract_cases as cc  # noqa: E402

import ftroi_helpers  # noqa: E402


def _big(value: Any) -> bool:
    try:
        import numpy as np

        arr = np.abs(np.asarray(value, dtype=float))
        return bool(arr.size) and (float(np.max(arr)) >= 1e15
                                   or 0 < float(np.min(arr[arr > 0], initial=1)) < 1e-15)
    except Exception:  # noqa: BLE001
        return False


def functions(results: list) -> None:
    for case in cc.cases().values():
        func = case.func
        for param, domain in case.domains.items():
            trials = [(v, False) for v in cc.bad_values(domain)]
            trials += [(v, True) for v in cc.good_values(domain)]
            for value, valid in trials:
                kwargs = dict(case.valid)
                kwargs[param] = value

                def call(kwargs=kwargs, func=func):
                    return func(**kwargs)

                oracle = array_oracle = None
                if case.oracle is not None and valid and not _is_array(value):

                    def oracle(kwargs=kwargs, formula=case.oracle):
                        return formula(*kwargs.values())
                elif case.oracle is not None and valid:

                    def array_oracle(kwargs=kwargs, formula=case.oracle):
                        # each element's exact answer: where a masked result must say never
                        import numpy as np

                        cols = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                     for v in kwargs.values()))
                        return [formula(*row) for row in zip(*(c.ravel() for c in cols),
                                                             strict=True)]

                v = cc.judge(case.name, param, value, valid, call, oracle=oracle,
                             cross_checked=case.cross_checked, array_oracle=array_oracle)
                if (v.category == "ok" and valid and "too large" in v.detail and not _big(value)
                        and not any(_big(x) for x in kwargs.values())):
                    v = cc.Verdict("wrong", f"'too large' for an ordinary value: {v.detail}")
                results.append((f"{case.name}({param}={cc.short(value)})", v))


def _is_array(value: Any) -> bool:
    import numpy as np

    return np.ndim(value) != 0 if not isinstance(value, (str, bytes)) else False


def scenario_fields(results: list) -> None:
    import numpy as np

    for name, default in cc.scenario_fields().items():
        domain = cc.scenario_domain(name, default)
        trials = [(v, False) for v in cc.bad_values(domain) + cc.scalar_only_bad()]
        trials += [(v, True) for v in cc.good_values(domain) if not _is_array(v)]
        for value, valid in trials:
            def call(value=value, name=name):
                s = ftroi_helpers.Scenario(**{name: value})
                r = ftroi_helpers.tco(s)
                return r
            v = cc.judge("Scenario", name, value, valid, call)
            results.append((f"Scenario({name}={cc.short(value)}) + tco", v))
        # arrays through simulate
        arr_trials = [(np.array([default, default]), True), ([default], True),
                      (np.array([1 + 1j]), False), (["a"], False), ([math.nan], False),
                      (np.array([[1.0, 2.0], [3.0, 4.0]]), False), ([-1.0], False)]
        if name == "horizon_months":
            continue
        for value, valid in arr_trials:
            def call(value=value, name=name):
                return ftroi_helpers.simulate(None, **{name: value})
            v = cc.judge("simulate", name, value, valid, call)
            results.append((f"simulate({name}={cc.short(value)})", v))


def calculators(results: list) -> None:
    from ftroi_helpers import calculators as calcs

    for cname in sorted(calcs._index()):
        factory = getattr(calcs, cname)
        if not cname.endswith("_outcome") and callable(factory):
            try:
                calc = factory()
            except Exception as exc:  # noqa: BLE001
                results.append((f"calculators.{cname}()", cc.Verdict("crash", repr(exc))))
                continue
            if not hasattr(calc, "controls"):
                continue
            defaults = calc.values()
            for control, default in defaults.items():
                if isinstance(default, (bool, str)) or default is None:
                    tries = [None, 3, "nope", ["x"]] if not isinstance(default, bool) else [
                        "yes", None, 2]
                else:
                    tries = [math.nan, math.inf, -math.inf, -1, -1e308, 1e308, 10**400, "abc",
                             None, True, 1j, [1, 2], 1e15, default * 1000 + 1000, 2.5]
                for value in tries:
                    v = _calc_trial(calc, control, value, default)
                    results.append((f"calculators.{cname}: set({control}={cc.short(value)})", v))
                    # construction with the value
                    v = _calc_build(factory, control, value)
                    results.append((f"calculators.{cname}({control}={cc.short(value)})", v))


def _calc_trial(calc: Any, control: str, value: Any, default: Any) -> cc.Verdict:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            calc.set(**{control: value})
        except (ValueError, TypeError) as exc:
            verdict = cc.Verdict("error_named" if control in str(exc) else "error_unnamed",
                                 str(exc)[:300])
        except Exception as exc:  # noqa: BLE001
            verdict = cc.Verdict("crash", f"{type(exc).__name__}: {exc}"[:300])
        else:
            held = calc.controls[control].value
            if calc.error is not None:
                named = control in calc.error or "too large" in calc.error
                verdict = cc.Verdict("error_named" if named else "error_unnamed", calc.error)
                if calc.image.value and calc.image.layout.display != "none":
                    verdict = cc.Verdict("wrong", f"stale figure shown beside: {calc.error}")
            elif not _same(held, value):
                verdict = cc.Verdict("wrong", f"clamped: set {cc.short(value)}, control holds "
                                              f"{cc.short(held)}: {calc.result_text[:150]}")
            elif not cc.text_is_sane(calc.result_text):
                verdict = cc.Verdict("wrong", f"nonsense sentence: {calc.result_text[:200]}")
            else:
                verdict = cc.Verdict("ok")
    leaked = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    if leaked and verdict.category != "crash":
        verdict = cc.Verdict("crash", f"warning: {leaked[0].message}"[:300])
    # recovery
    try:
        calc.set(**{control: default})
        if calc.error is not None:
            return cc.Verdict("wrong", f"did not recover: {calc.error}")
    except Exception as exc:  # noqa: BLE001
        return cc.Verdict("crash", f"recovery failed: {exc!r}"[:300])
    return verdict


def _same(held: Any, value: Any) -> bool:
    try:
        return held == value or (isinstance(value, float) and math.isnan(value)
                                 and math.isnan(held))
    except Exception:  # noqa: BLE001
        return False


def _default_is_none(factory: Any, control: str) -> bool:
    import inspect

    try:
        param = inspect.signature(factory).parameters.get(control)
    except (TypeError, ValueError):
        return False
    return param is not None and (param.default is None or "None" in str(param.annotation))


def _calc_build(factory: Any, control: str, value: Any) -> cc.Verdict:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            calc = factory(**{control: value})
        except (ValueError, TypeError) as exc:
            return cc.Verdict("error_named" if control in str(exc) else "error_unnamed",
                              str(exc)[:300])
        except Exception as exc:  # noqa: BLE001
            return cc.Verdict("crash", f"{type(exc).__name__}: {exc}"[:300])
    leaked = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    if leaked:
        return cc.Verdict("crash", f"warning: {leaked[0].message}"[:300])
    if calc.error is not None:
        return cc.Verdict("error_named" if control in calc.error or "too large" in calc.error
                          else "error_unnamed", calc.error)
    held = calc.controls[control].value if control in calc.controls else value
    if not _same(held, value) and not (value is None and _default_is_none(factory, control)):
        return cc.Verdict("wrong", f"clamped: built with {cc.short(value)}, control holds "
                                   f"{cc.short(held)}: {calc.result_text[:150]}")
    if not cc.text_is_sane(calc.result_text):
        return cc.Verdict("wrong", f"nonsense sentence: {calc.result_text[:200]}")
    return cc.Verdict("ok")


#: The flags each command's valid call (cc.CLI_VALID_ARGV) has a bad value put into.
CLI_SPOILED = {
    "breakeven": ["--hosted", "--self-hosted", "--one-time", "--requests-per-day"],
    "days": ["--prompt-cost", "--calls-per-day", "--training-cost", "--savings"],
    "tokens": ["--requests-per-day", "--prompted-input-tokens", "--finetuned-input-tokens",
               "--output-tokens", "--days-per-month", "--model", "--ft-model",
               "--base-usd-per-1m-input"],
    "tco": ["--requests-per-month", "--hosted-cost-per-1k-req", "--data-prep-usd",
            "--retrain-every-months", "--horizon-months", "--hosted-price-decline-per-year",
            "--scenario", "--csv"],
    "prices": ["--model"],
}
CLI_COMMANDS = {command: (cc.CLI_VALID_ARGV[command], flags)
                for command, flags in CLI_SPOILED.items()}
CLI_BAD = ["nan", "inf", "-inf", "-1", "1e400", "abc", "", "1e308", "9" * 400, "1j", "0x10",
           "-1e308", "2.5", "1e15", "1e30", "x" * 500]


def cli(results: list) -> None:
    """Every flag of every command with bad values, run in a scratch folder (``--csv VALUE``
    writes a file named VALUE)."""
    import tempfile

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            _cli(results)
        finally:
            os.chdir(here)


def _cli(results: list) -> None:
    from ftroi_helpers.cli import main

    for command, (base, flags) in CLI_COMMANDS.items():
        for flag in flags:
            for value in CLI_BAD:
                argv = [command, *base]
                if flag in argv:
                    i = argv.index(flag)
                    argv = argv[:i] + argv[i + 2:]
                argv += [flag, value]
                out, err = io.StringIO(), io.StringIO()
                with warnings.catch_warnings(record=True) as caught, \
                        contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    warnings.simplefilter("always")
                    try:
                        code = main(argv)
                    except BaseException as exc:  # noqa: BLE001
                        code = f"raised {type(exc).__name__}: {exc}"
                label = f"ftroi {command} {flag} {cc.short(value, ) if len(value) < 30 else value[:10] + '...'}"
                text = err.getvalue()
                if caught:
                    text += f"\n(warning {caught[0].message})"
                if isinstance(code, str) or "Traceback" in text or caught:
                    results.append((label, cc.Verdict("crash", (str(code) + text)[:300])))
                elif code == 0:
                    if flag != "--csv" and not cc.text_is_sane(out.getvalue()):
                        results.append((label, cc.Verdict("wrong", out.getvalue()[:300])))
                    else:
                        results.append((label, cc.Verdict("ok")))
                else:
                    lines = text.strip().splitlines()
                    named = flag in text or flag[2:].replace("-", "_") in text or (
                        "too large" in text)
                    if len(lines) != 1 or len(text) > 700:
                        results.append((label, cc.Verdict("error_unnamed",
                                                          f"{len(lines)} lines: {text[:300]}")))
                    else:
                        results.append((label, cc.Verdict(
                            "error_named" if named else "error_unnamed", f"[{code}] {text[:300]}")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every problem")
    parser.add_argument("--only", choices=["functions", "scenario", "calculators", "cli"])
    args = parser.parse_args()
    results: list = []
    start = time.perf_counter()
    parts = {"functions": functions, "scenario": scenario_fields, "calculators": calculators,
             "cli": cli}
    for name, part in parts.items():
        if args.only in (None, name):
            part(results)
    elapsed = time.perf_counter() - start
    counts = collections.Counter(v.category for _, v in results)
    print(f"{len(results):,} calls in {elapsed:.1f} s")
    for category in ("ok", "error_named", "error_unnamed", "silent_accept", "wrong", "crash"):
        print(f"  {category:14s} {counts.get(category, 0):6,}")
    errors = counts["error_named"] + counts["error_unnamed"]
    if errors:
        print(f"errors naming the parameter: {counts['error_named'] / errors:.1%} "
              f"({counts['error_named']:,} of {errors:,}; target >= 99%)")
    problems = [(label, v) for label, v in results if not v.fine]
    if args.verbose:
        for label, v in problems:
            print(f"[{v.category}] {label}: {v.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
