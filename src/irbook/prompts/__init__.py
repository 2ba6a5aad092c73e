"""Prompts are a port: the walker asks through a ``Prompter``; questionary is one adapter (the only
home of questionary and prompt_toolkit), a scripted list of responses is another (tests)."""

from irbook.prompts.base import Prompter, ScriptedPrompter

__all__ = ["Prompter", "ScriptedPrompter"]
