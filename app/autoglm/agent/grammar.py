"""A llama.cpp grammar that holds a model to the action protocol's taps and finish.

A model not trained on the protocol (the small starter model, a stand-in) answers in it
under this grammar: a short thought, then ``do(action="Tap", element=[x,y])`` or
``finish(message="…")`` with coordinates on the 0–999 grid.
"""

from __future__ import annotations

TAP_OR_FINISH_GBNF = r"""
root    ::= "<think>" thought "</think><answer>" action "</answer>"
thought ::= [^<\n]{0,120}
action  ::= tap | finish
tap     ::= "do(action=\"Tap\", element=[" coord "," coord "])"
finish  ::= "finish(message=\"" [^"\n]{1,60} "\")"
coord   ::= [0-9] | [1-9] [0-9] | [1-9] [0-9] [0-9]
"""

POINT_GBNF = TAP_OR_FINISH_GBNF.replace("action  ::= tap | finish", "action  ::= tap")
"""For "where is …?": the answer is always a place (a tap), never a finish that names none."""
