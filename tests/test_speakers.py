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
    assert [s.speaker for s in segment(text, "t")] == ["J. R. Whitcombe", "J. R. Whitcombe", None, "Ellen M. Hartley"]


def test_multi_sentence_quotation_before_a_title_gets_the_named_person():
    text = (
        "Estavian Secretary of State Daniel Okoro met Foreign Minister Hana Seidl in Vienna.\n\n"
        "“We have a text. The rest is hard,” the secretary of state said.\n\n"
        "Seidl was blunter. “You cannot negotiate with a moving target,” she told reporters."
    )
    assert [(s.speaker, s.speaker_kind) for s in segment(text, "t")] == [
        (None, None), ("Daniel Okoro", "person"), ("Daniel Okoro", "person"), (None, None), ("Hana Seidl", "person"),
    ]  # fmt: skip


def test_a_quotation_over_paragraphs_waits_for_its_attribution():
    text = (
        "“People ask me why this takes so long.\n\n"
        "“Both sides have lost people.\n\n"
        "“I am not a magician,” retired judge Patrick Odhiambo said.\n\n"
        "The judge said he would travel this week."
    )
    assert [s.speaker for s in segment(text, "t")] == ["Patrick Odhiambo"] * 4


def test_bodies_speak_and_are_kept_apart_from_people():
    text = (
        "The Kremlin said it was following the talks. Talks resumed on Thursday, officials said. "
        "According to the state news agency, the minister met families. "
        "The National Rail Union rejected the offer. The union said in a statement that members were angry."
    )
    got = [(s.speaker, s.speaker_kind) for s in segment(text, "t")]
    assert got == [
        ("Kremlin", "organisation"), ("officials", "organisation"), ("state news agency", "organisation"),
        ("National Rail Union", "organisation"), ("National Rail Union", "organisation"),
    ]  # fmt: skip


def test_verbs_other_than_said_and_one_canonical_name():
    text = (
        "Writing on Twitter, Transport Secretary Alan Whitby said he was disappointed. "
        "Union leader Marta Kowal lashed out at management. "
        "Kowal described the offer as an insult. Whitby told reporters he would meet both sides."
    )
    assert [s.speaker for s in segment(text, "t")] == ["Alan Whitby", "Marta Kowal", "Marta Kowal", "Alan Whitby"]


def test_speaker_set_accuracy_meets_the_bar():
    """The measured number the README reports, through the real CLI."""
    import json

    from .conftest import run_cli

    result = run_cli("eval-speakers", "--json")
    assert result.returncode == 0, result.stderr.decode()
    numbers = json.loads(result.stdout)
    assert numbers["documents"] >= 30 and numbers["statements"] >= 300
    assert numbers["accuracy"] >= 0.90 and numbers["named_accuracy"] >= 0.85
