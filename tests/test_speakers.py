from detente.model.segmenter import segment

TEXT = (
    "Russian Foreign Minister Sergei Lavrov met reporters on Monday. "
    "“The answer is negative. It cannot satisfy us,” Lavrov said. "
    "He added that Moscow would reply in writing.\n\n"
    "The talks will resume next week, according to Deputy Secretary Wendy Sherman. "
    "The weather in Geneva was cold."
)


def test_named_pronoun_and_quoted_speakers_are_attributed():
    speakers = [s.speaker for s in segment(TEXT, "t")]
    assert speakers == [None, "Sergei Lavrov", "Sergei Lavrov", "Sergei Lavrov", "Wendy Sherman", None]


def test_a_country_before_a_speech_verb_is_not_a_speaker():
    assert segment("Russia said the reply was late.", "t")[0].speaker is None


def test_names_with_initials_are_remembered_for_later_pronouns():
    text = (
        "Security analyst J. R. Whitcombe of the Lakeside Policy Forum said both sides had gained. "
        "In his view, the talks were a modest success. "
        "Deputy Secretary Ellen M. Hartley spoke next. Hartley said the door was open."
    )
    assert [s.speaker for s in segment(text, "t")] == [None, "J. R. Whitcombe", None, "Ellen M. Hartley"]
