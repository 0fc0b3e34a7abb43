"""The one registry of Scenario fields: everything that lists the fields derives from it."""

from __future__ import annotations

import dataclasses

import pytest
import tomllib

from ftroi_helpers.cli import build_parser
from ftroi_helpers.report import _value
from ftroi_helpers.scenario import KINDS, SCENARIO_FIELDS, Scenario
from ftroi_helpers.scenario_file import dumps, from_dict
from ftroi_helpers.sensitivity import ASSUMPTION_LABELS


def test_every_scenario_field_has_its_facts_declared_once_beside_it():
    assert list(SCENARIO_FIELDS) == [f.name for f in dataclasses.fields(Scenario)]
    for name, spec in SCENARIO_FIELDS.items():
        assert spec.kind in KINDS, name
        assert spec.label and spec.help and spec.source, name
        assert spec.metavar or spec.kind == "flag", name  # a flag takes no value
        assert spec.section in {"workload", "prices", "one_time", "recurring", "plan"}, name


def test_the_tco_command_takes_one_flag_per_field_with_the_registrys_help():
    tco = build_parser()._subparsers._group_actions[0].choices["tco"]
    helps = {a.dest: a.help for a in tco._actions}
    for name, spec in SCENARIO_FIELDS.items():
        assert helps[name].startswith(spec.help), name


def test_a_saved_file_puts_each_field_in_its_registry_section():
    given = {f.name: getattr(Scenario(), f.name) for f in dataclasses.fields(Scenario)}
    data = tomllib.loads(dumps(from_dict(given)))
    for name, spec in SCENARIO_FIELDS.items():
        assert name in data[spec.section], (name, spec.section)


def test_a_file_checks_whole_fields_as_whole_numbers_by_the_registry():
    whole = [name for name, spec in SCENARIO_FIELDS.items() if spec.whole]
    assert {"replicas", "horizon_months", "retrain_every_months"} <= set(whole)
    for name in whole:
        with pytest.raises(TypeError, match=f"{name} must be a whole number"):
            from_dict({SCENARIO_FIELDS[name].section: {name: 2.5}})


def test_sensitivity_labels_are_the_registrys_labels():
    for name, spec in SCENARIO_FIELDS.items():
        assert ASSUMPTION_LABELS[name] == spec.label


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("training_usd", 50.0, "$50.00"),
    ("hosting_usd_per_month", 1469.16, "$1,469"),
    ("hosted_price_decline_per_year", 0.5, "50%"),
    ("model_switch_price_cut", 0.25, "25%"),
    ("replicas", 2, "2"),
    ("requests_per_month", 200_000.0, "200,000"),
    ("retrain_every_months", 3.0, "3"),
])
def test_the_report_formats_each_field_by_its_registry_kind(name, value, shown):
    assert _value(name, value) == shown


def test_a_scenario_stores_whole_fields_as_ints_and_others_as_floats():
    s = Scenario(replicas=2.0, horizon_months=24.0, training_usd=75)
    assert type(s.replicas) is int and type(s.horizon_months) is int
    assert type(s.training_usd) is float


def test_every_calculator_control_named_after_a_field_shows_the_registrys_label():
    from ftroi_helpers import calculators

    seen = 0
    for name in calculators._index():
        if name.endswith("_outcome"):
            continue
        calc = getattr(calculators, name)()
        for control, widget in getattr(calc, "controls", {}).items():
            if control in SCENARIO_FIELDS:
                label = SCENARIO_FIELDS[control].label
                assert widget.description == label[0].upper() + label[1:], (name, control)
                seen += 1
    assert seen >= 20


@pytest.mark.parametrize("digits", ["9" * 400, "-" + "9" * 400, "1" + "0" * 308])
@pytest.mark.parametrize("name", [n for n, spec in SCENARIO_FIELDS.items() if spec.kind != "flag"])
def test_a_huge_integer_flag_answers_or_names_the_field_never_an_internal_error(name, digits,
                                                                                capsys):
    from ftroi_helpers.cli import main

    code = main(["tco", f"--{name.replace('_', '-')}={digits}"])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        assert f"--{name.replace('_', '-')}" in err and "internal error" not in err, err
    if code == 2 and SCENARIO_FIELDS[name].whole and not digits.startswith("-"):
        # a whole number of any size is a whole number: refused only for its size
        assert "too large" in err or "must be <=" in err, err
