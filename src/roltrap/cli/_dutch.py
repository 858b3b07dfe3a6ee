"""Click's and Typer's own messages in Dutch ("Ontbrekende optie", "geen geldig geheel getal").

Click words its messages through :func:`gettext.gettext`, bound as ``_`` in each of its modules,
and Typer computes its panel titles once at import. A gettext catalogue would depend on the
user's locale; here the same lookup is answered from one table, whatever the locale, so every
roltrap user reads Dutch. Unknown strings pass unchanged (English beats a crash).
"""

from __future__ import annotations

import importlib
from typing import Any

MESSAGES: dict[str, str] = {
    # usage errors (click.exceptions, click.core, click.parser)
    "Missing argument": "Ontbrekend argument",
    "Missing option": "Ontbrekende optie",
    "Missing parameter": "Ontbrekende parameter",
    "Missing parameter: {param_name}": "Ontbrekende parameter: {param_name}",
    "Missing {param_type}": "Ontbrekende {param_type}",
    "Missing command.": "Ontbrekend commando.",
    "No such command {name!r}.": "Onbekend commando {name!r}.",
    "No such option: {name}": "Onbekende optie: {name}",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Option {name!r} requires an argument.": "Optie {name!r} heeft een waarde nodig.",
    "Option {name!r} requires {nargs} arguments.": "Optie {name!r} heeft {nargs} waarden nodig.",
    "Got unexpected extra argument ({args})": "Onverwacht extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Onverwachte extra argumenten ({args})",
    "Did you mean {possibility}?": "Bedoelt u {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Bedoelt u een van: {possibilities}?)",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Error: {message}": "Fout: {message}",
    "Try '{command} {option}' for help.": "Hulp: '{command} {option}'.",
    "Argument {name!r} takes {nargs} values.": "Argument {name!r} neemt {nargs} waarden.",
    "Takes {nargs} values but 1 was given.": "Neemt {nargs} waarden, maar er is er 1 gegeven.",
    "Takes {nargs} values but {len} were given.": "Neemt {nargs} waarden, maar er zijn er {len} gegeven.",
    "Invalid start character for option ({option})": "Ongeldig beginteken voor een optie ({option})",
    "Value must be an iterable.": "De waarde moet een reeks zijn.",
    # parameter types (click.types)
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "{value!r} is not {choice}.": "{value!r} is niet {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} is niet een van {choices}.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "{value!r} is not a valid boolean.": "{value!r} is geen geldige ja/nee-waarde.",
    "{value!r} is not a valid UUID.": "{value!r} is geen geldige UUID.",
    "{value!r} does not match the format {format}.": "{value!r} heeft niet de vorm {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} heeft niet een van de vormen {formats}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} is niet uitvoerbaar.",
    "Could not open file {filename!r}: {message}": "Kan bestand {filename!r} niet openen: {message}",
    "{len_type} values are required, but {len_value} was given.":
        "{len_type} waarden nodig, maar {len_value} gegeven.",
    "{len_type} values are required, but {len_value} were given.":
        "{len_type} waarden nodig, maar {len_value} gegeven.",
    "file": "Bestand", "directory": "Map", "path": "Pad",
    "Choose from:\n\t{choices}": "Kies uit:\n\t{choices}",
    # help (click.core, click.formatting, click.decorators)
    "Usage:": "Gebruik:",
    "Options": "Opties",
    "Commands": "Commando's",
    "Positional arguments": "Argumenten",
    "Show this message and exit.": "Toon deze hulp en stop.",
    "Show the version and exit.": "Toon de versie en stop.",
    "default: {default}": "standaard: {default}",
    "env var: {var}": "omgevingsvariabele: {var}",
    "required": "verplicht",
    "deprecated": "verouderd",
    "(dynamic)": "(dynamisch)",
    "Aborted!": "Afgebroken.",
    "Error: invalid input": "Fout: ongeldige invoer",
    "Repeat for confirmation": "Herhaal ter bevestiging",
    "Error: The two entered values do not match.": "Fout: de twee waarden zijn niet gelijk.",
    "Do you want to continue?": "Wilt u doorgaan?",
    "Confirm the action without prompting.": "Bevestig zonder te vragen.",
    "unknown error": "onbekende fout",
    # Typer's panels (typer.rich_utils)
    "(deprecated) ": "(verouderd) ",
    "[default: {}]": "[standaard: {}]",
    "[env var: {}]": "[omgevingsvariabele: {}]",
    "[required]": "[verplicht]",
    "Arguments": "Argumenten",
    "Error": "Fout",
    "Aborted.": "Afgebroken.",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "Hulp: [blue]'{command_path} {help_option}'[/].",
}
# Click's type names, shown in "… is geen geldig {number_type}".
TYPE_NAMES = {"integer": "geheel getal", "float": "getal", "boolean": "ja/nee-waarde",
              "integer range": "geheel getal", "float range": "getal"}
# "Missing {param_type}": Click passes "option"/"argument"/"parameter".
PARAM_TYPES = {"option": "optie", "argument": "argument", "parameter": "parameter"}

_CLICK_MODULES = ("click.core", "click.exceptions", "click.parser", "click.types", "click.decorators",
                  "click.formatting", "click.termui", "click.utils")
_TYPER_CONSTANTS = ("DEPRECATED_STRING", "DEFAULT_STRING", "ENVVAR_STRING", "REQUIRED_LONG_STRING",
                    "ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE", "COMMANDS_PANEL_TITLE",
                    "ERRORS_PANEL_TITLE", "ABORTED_TEXT", "RICH_HELP")
_installed = False


class _Template(str):
    """A translated template whose ``format`` also translates the words Click fills in."""

    def format(self, *args: Any, **kwargs: Any) -> str:
        if "number_type" in kwargs:
            kwargs["number_type"] = TYPE_NAMES.get(str(kwargs["number_type"]), kwargs["number_type"])
        if "param_type" in kwargs:
            kwargs["param_type"] = PARAM_TYPES.get(str(kwargs["param_type"]), kwargs["param_type"])
        return str.format(self, *args, **kwargs)


def gettext(message: str) -> str:
    return _Template(MESSAGES.get(message, message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Answer Click's and Typer's message lookups in Dutch (idempotent)."""
    global _installed
    if _installed:
        return
    for name in _CLICK_MODULES:
        mod = importlib.import_module(name)
        if hasattr(mod, "_"):
            mod._ = gettext  # type: ignore[attr-defined]
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext  # type: ignore[attr-defined]
    rich_utils = importlib.import_module("typer.rich_utils")
    for const in _TYPER_CONSTANTS:
        english = getattr(rich_utils, const, None)
        if isinstance(english, str):
            setattr(rich_utils, const, MESSAGES.get(english, english))
    _installed = True
