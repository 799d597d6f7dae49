"""Conversation stories (tests/stories/*.yaml), one test each, played on the real conversation
(and, for those marked `pipe: true`, the real prompt-toolkit shell through a pipe)."""

from pathlib import Path

import pytest

from assistant import stories

FOLDER = Path(__file__).parent / "stories"
PATHS = sorted(FOLDER.glob("*.yaml"))


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_story(path, router):
    result = stories.run(stories.load(path), router, str(path))
    assert result.ok, "\n".join(result.failures)


def test_there_are_at_least_forty_stories_and_some_drive_the_real_shell():
    loaded = [stories.load(p) for p in PATHS]
    assert len(loaded) >= 40
    assert sum(bool(s.get("pipe")) for s in loaded) >= 3


def test_a_story_that_does_not_hold_fails_with_the_turn_and_the_reply(router):
    story = {"story": "wrong on purpose", "setup": "fresh",
             "turns": [{"say": "how long does signature review take", "expect": ["3 business days"],
                        "absent": ["7–10"], "waiting": "Template code"}],
             "end": {"enabled": True}}
    result = stories.run(story, router)
    assert not result.ok
    text = "\n".join(result.failures)
    assert "missing '3 business days'" in text and "should not say '7–10'" in text
    assert "should wait for 'Template code'" in text and "end: enabled is False, should be True" in text


def test_eval_stories_runs_a_folder_and_exits_non_zero_on_a_failure(run, tmp_path):
    (tmp_path / "good.yaml").write_text("story: good\nturns:\n  - say: /help\n    expect: [Commands]\n")
    assert run("eval", "--stories", str(tmp_path)).out.strip().endswith("1 stories: 1 passed, 0 failed")
    (tmp_path / "bad.yaml").write_text("story: bad\nturns:\n  - say: /help\n    expect: [Nope]\n")
    result = run("eval", "--stories", str(tmp_path))
    assert result.code == 1 and "FAIL bad" in result.out and "2 stories: 1 passed, 1 failed" in result.out


def test_eval_stories_of_a_missing_folder_is_one_clear_error(run, tmp_path):
    result = run("eval", "--stories", str(tmp_path / "none"))
    assert result.code == 1 and result.err.startswith("error: no directory")


def test_a_reply_that_ends_a_sentence_twice_fails_its_turn():
    """Every reply of every story is checked for a Chinese sentence closed twice ("。。", "。."): a catalogue
    sentence that ends in 。 put in a frame that adds its own (messages.filled joins them)."""
    from assistant.conversation import Line

    problems = stories._check_turn(3, {"say": "AcmeShop"}, [Line("warn", "签名已经提交过。。请重试。")], None)
    assert problems[0].startswith("turn 3 ('AcmeShop'): a sentence ends twice ('。。')") and len(problems) == 2
    assert stories._check_turn(3, {"say": "x"}, [Line("warn", "英文句号结尾.")], None) == []
    assert stories._check_turn(3, {"say": "x"}, [Line("info", "提交了。Done... 好的！")], None) == []
