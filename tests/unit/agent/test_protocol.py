"""The action protocol read from replies written as the model writes them."""

from __future__ import annotations

import pytest

from autoglm.agent.protocol import (
    Back,
    CallApi,
    DoubleTap,
    Finish,
    GridPoint,
    Home,
    Interact,
    Launch,
    LongPress,
    Note,
    Swipe,
    TakeOver,
    Tap,
    Type,
    TypeName,
    Wait,
    parse_reply,
    points_in_reply,
)

EVERY_ACTION = [
    ('do(action="Launch", app="微信")', Launch(app="微信")),
    ('do(action="Tap", element=[500,120])', Tap(element=GridPoint(500, 120))),
    (
        'do(action="Tap", element=[812, 930], message="确认支付")',
        Tap(element=GridPoint(812, 930), message="确认支付"),
    ),
    ('do(action="Type", text="北京天气")', Type(text="北京天气")),
    ('do(action="Type_Name", text="张三")', TypeName(text="张三")),
    ('do(action="Interact")', Interact()),
    (
        'do(action="Swipe", start=[500,800], end=[500,200])',
        Swipe(start=GridPoint(500, 800), end=GridPoint(500, 200)),
    ),
    ('do(action="Note", message="True")', Note(message="True")),
    ('do(action="Call_API", instruction="总结这篇笔记")', CallApi(instruction="总结这篇笔记")),
    ('do(action="Long Press", element=[300,400])', LongPress(element=GridPoint(300, 400))),
    ('do(action="Double Tap", element=[10,999])', DoubleTap(element=GridPoint(10, 999))),
    ('do(action="Take_over", message="请完成登录验证")', TakeOver(message="请完成登录验证")),
    ('do(action="Back")', Back()),
    ('do(action="Home")', Home()),
    ('do(action="Wait", duration="2 seconds")', Wait(seconds=2.0)),
    ('finish(message="已完成")', Finish(message="已完成")),
]


@pytest.mark.parametrize(("call", "expected"), EVERY_ACTION, ids=[c for c, _ in EVERY_ACTION])
def test_every_action_in_the_full_format(call: str, expected: object) -> None:
    reply = parse_reply(f"<think>先看一下屏幕。</think><answer>{call}</answer>")
    assert reply.error == ""
    assert reply.action == expected
    assert reply.thinking == "先看一下屏幕。"
    assert reply.action_text == call


@pytest.mark.parametrize(("call", "expected"), EVERY_ACTION, ids=[c for c, _ in EVERY_ACTION])
def test_every_action_in_single_quotes_without_answer_tags(call: str, expected: object) -> None:
    reply = parse_reply(f"<think>thinking</think>\n{call.replace(chr(34), chr(39))}")
    assert reply.action == expected
    assert "no <answer> tag" in reply.notes


def test_reference_output_without_closing_answer() -> None:
    reply = parse_reply(
        '<think>我需要启动京东app。</think>\n<answer>do(action="Launch", app="京东")'
    )
    assert reply.action == Launch(app="京东")
    assert reply.thinking == "我需要启动京东app。"


def test_stray_text_after_the_call_is_ignored() -> None:
    reply = parse_reply(
        '<think>t</think><answer>do(action="Tap", element=[1,2]) 好的</answer>\n<|user|>'
    )
    assert reply.action == Tap(element=GridPoint(1, 2))
    assert any("ignored text" in note for note in reply.notes)


def test_no_think_and_no_answer() -> None:
    reply = parse_reply('I will tap the button. do(action="Tap", element=[640,360])')
    assert reply.action == Tap(element=GridPoint(640, 360))
    assert reply.thinking == "I will tap the button."


def test_thinking_that_names_do_does_not_confuse_the_action() -> None:
    reply = parse_reply(
        '<think>maybe do(action="Back")? no.</think><answer>do(action="Home")</answer>'
    )
    assert reply.action == Home()


def test_newlines_and_unescaped_quotes_in_typed_text() -> None:
    multi = parse_reply('<answer>do(action="Type", text="第一行\n第二行")</answer>')
    assert multi.action == Type(text="第一行\n第二行")
    quoted = parse_reply('<answer>do(action="Type", text="He said "hi" to me")</answer>')
    assert quoted.action == Type(text='He said "hi" to me')
    finished = parse_reply('finish(message="搜索"咖啡"完成")')
    assert finished.action == Finish(message='搜索"咖啡"完成')


def test_tolerated_spellings_of_action_names() -> None:
    assert parse_reply('do(action="long press", element=[1,1])').action == LongPress(
        element=GridPoint(1, 1)
    )
    assert parse_reply('do(action="Double_Tap", element=[1,1])').action == DoubleTap(
        element=GridPoint(1, 1)
    )
    assert parse_reply('do(action="Wait", duration="3")').action == Wait(seconds=3.0)
    assert parse_reply('do(action="Tap", element=[12.6, 40])').action == Tap(
        element=GridPoint(13, 40)
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("I cannot help with that.", "no do(…) or finish(…) action"),
        ('do(action="Fly", element=[1,2])', "unknown action 'Fly'"),
        ('do(action="Tap")', "Tap needs element="),
        ('do(action="Tap", element=[1200, 5])', "off the 0–1000 grid"),
        ('do(action="Tap", element=[5])', "element must be two numbers"),
        ('do(action="Tap", element=[1,2]', "cut off"),
        ('do("Tap", [1,2])', "must be named"),
        ('do(action="Tap", element=__import__("os").system("x"))', "is not a plain value"),
        ('do(action="Swipe", start=[1,2])', "Swipe needs end="),
        ('do(action="Wait", duration="a while")', "duration must be like"),
    ],
)
def test_refusals_carry_a_reason(reply: str, reason: str) -> None:
    parsed = parse_reply(reply)
    assert parsed.action is None and not parsed.ok
    assert reason in parsed.error


def test_history_text_is_the_reference_form() -> None:
    reply = parse_reply('<think>a</think>\n<answer>do(action="Back")</answer>')
    assert reply.history_text() == '<think>a</think><answer>do(action="Back")</answer>'


def test_points_for_pointing() -> None:
    assert points_in_reply('<answer>do(action="Tap", element=[10,20])</answer>') == [
        GridPoint(10, 20)
    ]
    assert points_in_reply('do(action="Swipe", start=[1,2], end=[3,4])') == [
        GridPoint(1, 2),
        GridPoint(3, 4),
    ]
    assert points_in_reply("<answer>The icons are at [100, 200] and [300,400].</answer>") == [
        GridPoint(100, 200),
        GridPoint(300, 400),
    ]


def test_to_dict_is_plain_data() -> None:
    assert Tap(element=GridPoint(1, 2), message="pay").to_dict() == {
        "action": "Tap",
        "element": {"x": 1, "y": 2},
        "message": "pay",
    }


def test_the_action_grammar_compiles_and_its_answers_parse() -> None:
    from llama_cpp import LlamaGrammar

    from autoglm.agent.grammar import TAP_OR_FINISH_GBNF

    assert LlamaGrammar.from_string(TAP_OR_FINISH_GBNF, verbose=False) is not None
    for answer in (
        '<think>the red one</think><answer>do(action="Tap", element=[999,0])</answer>',
        '<think></think><answer>finish(message="nothing here")</answer>',
    ):
        assert parse_reply(answer).ok
