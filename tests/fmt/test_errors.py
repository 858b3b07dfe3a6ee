"""Errors carry which parameter and which value; each shell names the parameter its own way."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from roltrap.errors import ConfigError, InputError, NotFoundError, Problem, from_validation, render_params
from roltrap.settings import Settings


def test_old_raises_keep_working() -> None:
    exc = NotFoundError("Onbekende regio 'X'.", hint="Bekijk de regio's.")
    assert exc.message == "Onbekende regio 'X'." and exc.hint == "Bekijk de regio's."
    assert exc.param is None and exc.value is None and exc.http_status == 404 and exc.exit_code == 2
    assert str(exc) == "Onbekende regio 'X'.\nTip: Bekijk de regio's."
    err = InputError("Fout in bestand.", problems=[Problem("geen getal", row=3, column="a_inw")])
    assert "rij 3" in err.message and err.param is None


def test_shells_word_the_parameter() -> None:
    exc = ConfigError("WK054608 ligt niet in GM0363.",
                      hint="Laat {gemeente} weg: de gemeente volgt uit {wijk}.", param="gemeente",
                      value="GM0363")
    assert exc.param == "gemeente" and exc.value == "GM0363"
    assert exc.hint == "Laat de gemeente weg: de gemeente volgt uit de wijk."  # library, JSON
    assert exc.hint_for({"gemeente": "--gemeente", "wijk": "--wijk"}) == \
        "Laat --gemeente weg: de gemeente volgt uit --wijk."  # CLI
    assert exc.hint_for({"gemeente": "het veld ‘Gemeente’"}).startswith("Laat het veld ‘Gemeente’ weg")
    assert "--" not in exc.hint and "--" not in str(exc)


def test_unknown_tokens_and_user_braces_are_left_alone() -> None:
    assert render_params("bestand {x}.csv, {wijk}", {}) == "bestand {x}.csv, de wijk"
    assert render_params("{ }{}{0}") == "{ }{}{0}"


def test_pydantic_errors_in_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLTRAP_PORT", "abc")
    with pytest.raises(ValidationError) as info:
        Settings()
    err = from_validation(info.value, names={"port": "ROLTRAP_PORT"})
    assert err.message == ("De instellingen kloppen niet: ROLTRAP_PORT: moet een geheel getal zijn, "
                           "niet 'abc'.")
    assert err.param == "port" and err.value == "abc"
    assert "Input should" not in err.message
    monkeypatch.setenv("ROLTRAP_PORT", "0")
    with pytest.raises(ValidationError) as info:
        Settings()
    assert "moet minstens 1 zijn" in from_validation(info.value).message
