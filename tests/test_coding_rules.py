"""The coding standard's article-level rules (shared/gold/CONVENTIONS.md), one test each."""

from __future__ import annotations

from datetime import date

import pytest

from dotterel.pipeline import Pipeline
from dotterel.records import Event

PUBLISHED = date(2025, 3, 11)  # a Tuesday


def code(pipeline: Pipeline, text: str, published: date = PUBLISHED) -> list[Event]:
    return pipeline.extract(text, published)


def flat(event: Event) -> tuple[object, ...]:
    return (
        event.type,
        event.source.country if event.source else None,
        event.target.country if event.target else None,
        event.modality,
    )


def test_a_franchise_group_takes_the_story_country(pipeline: Pipeline) -> None:
    text = (
        "MAPUTO, March 11 — Islamic State fighters attacked the town of Mocimboa da Praia "
        "on Sunday, killing 12 soldiers, the army said."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "MOZ", "MOZ", "asserted")
    assert event.fatalities is not None and event.fatalities.best == 12
    assert event.date is not None and event.date.start == date(2025, 3, 9)


def test_a_franchise_group_keeps_its_code_without_a_dateline(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "Al-Shabaab fighters attacked an army base on Sunday.")
    assert event.source is not None and event.source.country == "SOM"


def test_an_attack_on_a_named_town_targets_its_country(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "Russian forces shelled Kherson on Sunday, killing four civilians.")
    assert flat(event) == ("ASSAULT", "RUS", "UKR", "asserted")
    assert event.place is not None and event.place.name == "Kherson"
    assert event.fatalities is not None and event.fatalities.best == 4


def test_a_strike_on_foreign_ground_targets_that_country(pipeline: Pipeline) -> None:
    text = (
        "Russian forces struck a shopping centre in Dnipro on Sunday. "
        "The strike killed nine people, regional officials said."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "RUS", "UKR", "asserted")
    assert event.place is not None and event.place.name == "Dnipro"
    assert event.fatalities is not None and event.fatalities.best == 9


def test_unnamed_victims_belong_to_the_other_party(pipeline: Pipeline) -> None:
    text = "Kyiv's air force said Russian missiles killed 14 people on Saturday."
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "RUS", "UKR", "asserted")
    assert event.date is not None and event.date.start == date(2025, 3, 8)


def test_counts_joined_by_and_add_up(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "Two soldiers and a policeman were killed in the attack on Monday.")
    assert event.fatalities is not None
    assert (event.fatalities.best, event.fatalities.high) == (3, 3)


def test_a_name_is_never_a_trigger(pipeline: Pipeline) -> None:
    events = code(pipeline, "Downing Street said it would send air defence systems to Ukraine.")
    assert "ASSAULT" not in [e.type for e in events]


def test_a_headline_line_is_its_own_sentence(pipeline: Pipeline) -> None:
    events = code(pipeline, "Drone attack on Moscow\n\nUkraine launched 91 drones overnight.")
    assert [flat(e) for e in events] == [("ASSAULT", "UKR", "RUS", "asserted")]
    assert events[0].evidence.sentence == "Drone attack on Moscow"


def test_an_office_of_a_country_is_that_country(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "US President Joe Biden spoke with the emir of Qatar on Monday.")
    assert flat(event) == ("CONSULT", "USA", "QAT", "asserted")


def test_a_prisoner_exchange_is_two_releases(pipeline: Pipeline) -> None:
    text = "Russia and Ukraine agreed to swap 150 prisoners of war on Monday."
    swaps = [flat(e) for e in code(pipeline, text) if e.type == "CONCEDE"]
    assert sorted(swaps) == [
        ("CONCEDE", "RUS", "UKR", "future"),
        ("CONCEDE", "UKR", "RUS", "future"),
    ]


def test_a_denied_detail_of_a_reported_attack_is_not_a_second_event(pipeline: Pipeline) -> None:
    text = (
        "Russian missiles struck Odesa overnight, killing two people, Ukrainian officials said. "
        "Russia's Defence Ministry denied hitting the port."
    )
    assaults = [flat(e) for e in code(pipeline, text) if e.type == "ASSAULT"]
    assert assaults == [("ASSAULT", "RUS", "UKR", "asserted")]


def test_a_running_total_is_not_an_event(pipeline: Pipeline) -> None:
    text = "Militias have claimed more than 100 attacks on US troops in Syria since October."
    assert [e for e in code(pipeline, text) if e.type == "ASSAULT"] == []


def test_a_long_past_event_is_background(pipeline: Pipeline) -> None:
    text = "A truck bomb at the same junction killed more than 500 people in 2017."
    assert code(pipeline, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qatar condemned the attack on Monday.", ("ACCUSE", "QAT", "IRN", "asserted")),
        (
            "The leaders of Italy and Greece condemned the strike.",
            ("ACCUSE", "ITA", "IRN", "asserted"),
        ),
    ],
)
def test_condemning_an_attack_targets_the_attacker(
    pipeline: Pipeline, text: str, expected: tuple[object, ...]
) -> None:
    article = "Iran fired missiles at the US-run Al Udeid air base in Qatar on Monday. " + text
    accusations = [flat(e) for e in code(pipeline, article) if e.type == "ACCUSE"]
    assert accusations == [expected]


def test_a_truce_between_two_parties_is_theirs(pipeline: Pipeline) -> None:
    text = "US President Donald Trump announced a truce between Israel and Iran on Monday."
    agreements = [flat(e) for e in code(pipeline, text) if e.type == "AGREE"]
    assert agreements == [("AGREE", "ISR", "IRN", "asserted")]


def test_a_curfew_is_imposed_on_the_own_country(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "Bangladesh imposed a nationwide curfew on Saturday.")
    assert flat(event) == ("COERCE", "BGD", "BGD", "asserted")
    assert event.mode == "curfew"


def test_an_act_a_verb_threatens_keeps_its_own_target(pipeline: Pipeline) -> None:
    text = (
        "Hamas fighters attacked an Israeli post on Monday. "
        "Israel threatened to strike Lebanon if Hezbollah fires again."
    )
    events = code(pipeline, text)
    assert [flat(e) for e in events] == [
        ("ASSAULT", "PSE", "ISR", "asserted"),
        ("THREATEN", "ISR", "LBN", "asserted"),
    ]


def test_condemning_an_earlier_attack_targets_its_attacker(pipeline: Pipeline) -> None:
    text = "Russian drones hit Kharkiv on Monday. Qatar condemned the attack."
    assert [flat(e) for e in code(pipeline, text)] == [
        ("ASSAULT", "RUS", "UKR", "asserted"),
        ("ACCUSE", "QAT", "RUS", "asserted"),
    ]


def test_killed_in_someones_firing_names_who_fired(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "Two men were killed in police firing in Godhra on Friday.")
    assert event.type == "ASSAULT"
    assert event.source is not None and event.source.sector == "POL"
    assert event.fatalities is not None and event.fatalities.best == 2
    assert event.date is not None and event.date.start == date(2025, 3, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police and protesters clashed in Nairobi on Monday.", ("POL", "OPP")),
        ("Clashes between the army and RSF fighters killed 12 people in Khartoum.", ("MIL", "REB")),
    ],
)
def test_a_clash_has_both_sides(pipeline: Pipeline, text: str, expected: tuple[str, str]) -> None:
    [event] = code(pipeline, text)
    assert event.source is not None and event.target is not None
    assert (event.type, event.source.sector, event.target.sector) == ("ASSAULT", *expected)


def test_a_sports_report_codes_no_events(pipeline: Pipeline) -> None:
    text = (
        "Jasprit Bumrah took three wickets as India beat Pakistan by six runs in their "
        "World Cup match on Sunday. Pakistan's pace attack had bowled India out in 19 overs, "
        "and Bumrah struck again to bowl Mohammad Rizwan."
    )
    assert code(pipeline, text) == []


def test_a_clause_restating_the_event_is_no_second_event(pipeline: Pipeline) -> None:
    text = (
        "Polish warplanes shot down Russian drones over eastern Poland on Monday, the first "
        "time a NATO member has fired on Russian military assets."
    )
    assert [flat(e) for e in code(pipeline, text)] == [("ASSAULT", "RUS", "POL", "asserted")]


def test_an_interception_phrase_in_the_passive_swaps_the_sides(pipeline: Pipeline) -> None:
    text = "Iran launched 300 drones at Israel on Sunday; most were shot down by Israel."
    assert [flat(e) for e in code(pipeline, text)] == [("ASSAULT", "IRN", "ISR", "asserted")]


@pytest.mark.parametrize(
    "text",
    [
        "Iraq condemned the strike on Monday as a 'blatant attack' on its sovereignty.",
        "Bangladesh imposed a curfew after clashes between police and students protesting.",
    ],
)
def test_characterisations_and_context_phrases_are_not_new_events(
    pipeline: Pipeline, text: str
) -> None:
    assert [e.type for e in code(pipeline, text) if e.type in {"ASSAULT", "PROTEST"}] == []


def test_a_generic_speaker_takes_the_story_country_not_the_place_it_speaks_of(
    pipeline: Pipeline,
) -> None:
    text = (
        "NIAMEY, Sept 25 — Niger's junta ordered French troops to leave on Monday. "
        "The junta also accused France of massing troops in neighbouring Benin."
    )
    accusations = [flat(e) for e in code(pipeline, text) if e.type == "ACCUSE"]
    assert accusations == [("ACCUSE", "NER", "FRA", "asserted")]


def test_a_joint_act_has_the_first_named_party_as_source(pipeline: Pipeline) -> None:
    text = "US and Guyanese forces held joint flight exercises over Guyana on Thursday."
    assert [flat(e) for e in code(pipeline, text)] == [("COOPERATE", "USA", "GUY", "asserted")]


def test_its_forces_belong_to_the_actor_before(pipeline: Pipeline) -> None:
    text = (
        "Russia's defence ministry said on Monday that its forces struck a Ukrainian "
        "command post near Kupiansk."
    )
    [event] = code(pipeline, text)
    assert event.source is not None
    assert (event.type, event.source.country, event.source.sector) == ("ASSAULT", "RUS", "MIL")


@pytest.mark.parametrize(
    "text",
    [
        "Ukraine called the strike on Monday a war crime.",
        "Poland called the incursion on Wednesday a large-scale provocation.",
    ],
)
def test_calling_an_act_a_crime_is_an_accusation(pipeline: Pipeline, text: str) -> None:
    assert [e.type for e in code(pipeline, text)] == ["ACCUSE"]


def test_the_acts_a_request_asks_for_are_not_coded(pipeline: Pipeline) -> None:
    text = (
        "The African Union on Monday called on the warring parties in Sudan to lay down "
        "their arms, open corridors for relief and to settle their differences through "
        "negotiations."
    )
    events = code(pipeline, text)
    assert [e.type for e in events] == ["REQUEST"]
    assert events[0].source is not None and events[0].source.country == "AU"


def test_an_event_noun_describing_an_actor_is_context(pipeline: Pipeline) -> None:
    text = (
        "On Monday, Nigerian President Bola Tinubu vowed to crush the insurgents, who have "
        "been weakened by a months-long army offensive in the north-east."
    )
    assert [e.type for e in code(pipeline, text)] == ["THREATEN"]


def test_the_two_sides_are_the_last_two_named_parties(pipeline: Pipeline) -> None:
    text = (
        "Armenian Prime Minister Nikol Pashinyan and Azerbaijan's President Ilham Aliyev "
        "met in Brussels on Monday. The two leaders failed to agree on a peace treaty."
    )
    events = code(pipeline, text)
    assert [flat(e) for e in events] == [
        ("CONSULT", "ARM", "AZE", "asserted"),
        ("AGREE", "ARM", "AZE", "negated"),
    ]


def test_a_pronoun_after_a_verb_of_saying_is_its_speaker(pipeline: Pipeline) -> None:
    text = (
        "On Monday, French and German jets flew joint patrols over Estonia, and Poland's army "
        "said that it had sent tanks to Bialystok."
    )
    mobilize = [e for e in code(pipeline, text) if e.type == "MOBILIZE"]
    assert [e.source.country if e.source else None for e in mobilize] == ["POL"]


def test_an_interception_is_part_of_the_attack_just_told(pipeline: Pipeline) -> None:
    text = (
        "Houthi rebels fired missiles at a US destroyer in the Red Sea on Monday, but "
        "Saudi air defences intercepted them, the Pentagon said."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "YEM", "USA", "asserted")


def test_a_denied_accusation_is_a_negated_act_against_the_accuser(pipeline: Pipeline) -> None:
    text = (
        "Russian shelling killed three people in Kherson on Sunday, officials said. "
        "On Monday, Armenia accused Azerbaijan of shelling a village near the border. "
        "Azerbaijan's defence ministry denied firing any shells."
    )
    negated = [flat(e) for e in code(pipeline, text) if e.modality == "negated"]
    assert negated == [("ASSAULT", "AZE", "ARM", "negated")]


def test_deal_terms_do_not_take_the_deal_s_day(pipeline: Pipeline) -> None:
    text = (
        "On Monday, Armenian and Azerbaijani negotiators met in Geneva and agreed to "
        "exchange all prisoners of war."
    )
    events = code(pipeline, text)
    releases = [e for e in events if e.type == "CONCEDE"]
    assert sorted(flat(e) for e in releases) == [
        ("CONCEDE", "ARM", "AZE", "future"),
        ("CONCEDE", "AZE", "ARM", "future"),
    ]
    assert [e.date for e in releases] == [None, None]
    agree = next(e for e in events if e.type == "AGREE")
    assert agree.date is not None and agree.date.start == date(2025, 3, 10)


def test_unnamed_victims_in_held_ground_are_the_holder_s(pipeline: Pipeline) -> None:
    text = (
        "In the Russian-held part of the Kherson region, Ukrainian drones killed two "
        "workers on Sunday, the Russian-installed governor said."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "UKR", "RUS", "asserted")
    assert event.place is not None and event.place.country == "UKR"
    assert event.fatalities is not None and event.fatalities.best == 2


def test_a_threat_naming_no_one_is_aimed_at_the_other_side(pipeline: Pipeline) -> None:
    text = (
        "Indian and Pakistani troops exchanged fire across the Line of Control on Sunday. "
        "On Monday, Pakistan's army chief warned that any aggression would meet a swift "
        "response."
    )
    threats = [flat(e) for e in code(pipeline, text) if e.type == "THREATEN"]
    assert threats == [("THREATEN", "PAK", "IND", "asserted")]


def test_an_organisation_s_demand_is_aimed_at_the_parties_to_the_fighting(
    pipeline: Pipeline,
) -> None:
    text = (
        "Rival militias clashed in Tripoli on Sunday, killing 12 people. "
        "The African Union urged all sides to exercise restraint."
    )
    requests = [flat(e) for e in code(pipeline, text) if e.type == "REQUEST"]
    assert requests == [("REQUEST", "AU", "LBY", "asserted")]


def test_weapons_fired_into_the_sea_are_a_show_of_force(pipeline: Pipeline) -> None:
    text = "North Korea fired two ballistic missiles into the sea off its east coast on Sunday."
    [event] = code(pipeline, text)
    assert (event.type, event.source.country if event.source else None) == ("MOBILIZE", "PRK")
    assert event.fatalities is None


def test_a_named_state_force_is_its_state_s(pipeline: Pipeline) -> None:
    text = "The Israel Defense Forces struck a Hezbollah weapons depot in southern Lebanon."
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "ISR", "LBN", "asserted")
    assert event.source is not None and event.source.sector == "MIL"


def test_a_titled_person_takes_the_country_before_the_title(pipeline: Pipeline) -> None:
    text = "Beijing on Friday imposed sanctions on US Senator Marsha Blackburn."
    [event] = code(pipeline, text)
    assert flat(event) == ("SANCTION", "CHN", "USA", "asserted")


def test_an_alias_names_the_same_actor_later(pipeline: Pipeline) -> None:
    text = (
        "TRIPOLI, March 11 — Fighters of the Radaa Special Force, known as Radaa, "
        "detained two journalists on Monday. On Tuesday, Radaa released the journalists."
    )
    events = code(pipeline, text)
    assert [flat(e)[:3] for e in events] == [("COERCE", "LBY", "LBY"), ("CONCEDE", "LBY", "LBY")]
    assert [e.source.name if e.source else None for e in events] == ["Radaa", "Radaa"]


def test_a_capitalised_trigger_word_inside_a_name_is_no_event(pipeline: Pipeline) -> None:
    text = "The Rapid Support Forces shelled El Fasher on Sunday, killing nine civilians."
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "SDN", "SDN", "asserted")
    assert event.fatalities is not None and event.fatalities.best == 9


def test_an_actor_in_a_time_phrase_is_not_the_subject(pipeline: Pipeline) -> None:
    text = (
        "NIAMEY, March 11 — Hours before Macron's speech, the junta expelled the French ambassador."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("SANCTION", "NER", "FRA", "asserted")


def test_a_shutdown_no_one_is_named_for_is_the_state_s(pipeline: Pipeline) -> None:
    text = "DHAKA, March 11 — Mobile internet has been cut across the country since Sunday."
    [event] = code(pipeline, text)
    assert flat(event) == ("COERCE", "BGD", "BGD", "asserted")
    assert event.date is not None and event.date.start == date(2025, 3, 9)


def test_arson_by_students_amid_protests_is_a_riot(pipeline: Pipeline) -> None:
    text = (
        "NAIROBI, March 11 — Protests over the finance bill spread on Monday. Students "
        "set fire to the headquarters of the ruling party in Nairobi."
    )
    riots = [e for e in code(pipeline, text) if e.mode == "riot"]
    assert [flat(e) for e in riots] == [("PROTEST", "KEN", "KEN", "asserted")]
    assert riots[0].acled is not None and riots[0].acled["event_type"] == "Riots"


def test_a_stated_day_anchors_hours_before(pipeline: Pipeline) -> None:
    text = (
        "PARIS, March 11 — Macron said on Sunday that France would review its posture. "
        "Hours before his speech, Mali expelled the French ambassador."
    )
    [event] = [e for e in code(pipeline, text) if e.type == "SANCTION"]
    assert flat(event) == ("SANCTION", "MLI", "FRA", "asserted")
    assert event.date is not None and event.date.start == date(2025, 3, 9)


def test_calling_an_act_reckless_is_an_accusation(pipeline: Pipeline) -> None:
    text = (
        "Japan's foreign ministry on Monday called the Chinese manoeuvres near the Senkaku "
        "islands reckless."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ACCUSE", "JPN", "CHN", "asserted")


def test_an_actor_inside_a_during_phrase_is_not_the_subject(pipeline: Pipeline) -> None:
    text = (
        "On Monday, Polish jets shot down Russian drones over Lublin. On Tuesday, Tusk said "
        "the drones had entered during a massive Russian attack and called the "
        "incursion an act of aggression."
    )
    accusations = [flat(e) for e in code(pipeline, text) if e.type == "ACCUSE"]
    assert accusations == [("ACCUSE", "POL", "RUS", "asserted")]


def test_a_day_after_a_clause_dates_that_clause_a_day_earlier(pipeline: Pipeline) -> None:
    text = (
        "QUITO, March 11 — Gunmen stormed a prison in Guayaquil on Monday. Hours later the "
        "president declared a curfew, a day after he imposed a state of emergency."
    )
    measures = [e for e in code(pipeline, text) if e.type == "COERCE"]
    assert [(e.mode, e.date.start if e.date else None) for e in measures] == [
        ("curfew", date(2025, 3, 10)),
        ("state of emergency", date(2025, 3, 9)),
    ]


def test_a_denial_does_not_reach_the_next_verb(pipeline: Pipeline) -> None:
    text = (
        "KINSHASA, March 11 — The M23 rebels denied shelling the camp and demanded the "
        "release of their fighters."
    )
    events = code(pipeline, text)
    assert [(e.type, e.modality) for e in events] == [
        ("ASSAULT", "negated"),
        ("REQUEST", "asserted"),
    ]


def test_a_coordinated_subject_is_no_target(pipeline: Pipeline) -> None:
    text = "France and Germany appealed for an end to the fighting in Sudan on Monday."
    [event] = code(pipeline, text)
    assert (event.type, event.source.country if event.source else None) == ("REQUEST", "FRA")
    assert event.target is None or event.target.country != "DEU"


def test_to_demonstrate_resolve_is_no_protest(pipeline: Pipeline) -> None:
    text = "Russia staged the drills on Monday to demonstrate its resolve, officials said."
    assert "PROTEST" not in [e.type for e in code(pipeline, text)]


def test_a_participle_describing_a_noun_is_no_accusation(pipeline: Pipeline) -> None:
    text = (
        "The US Treasury on Monday imposed sanctions on three companies accused of "
        "shipping Iranian oil to Syria."
    )
    assert [flat(e)[:2] for e in code(pipeline, text)] == [("SANCTION", "USA")]


def test_people_arrested_by_police_are_of_the_police_s_country(pipeline: Pipeline) -> None:
    text = "Police in Nairobi arrested more than 200 people on Monday, officials said."
    [event] = code(pipeline, text)
    assert flat(event) == ("COERCE", "KEN", "KEN", "asserted")


def test_an_acronym_names_the_body_spelled_out_before(pipeline: Pipeline) -> None:
    text = (
        "BAMAKO, March 11 — Fighters of the Patriotic Resistance Front attacked an army "
        "post on Monday. On Tuesday the PRF attacked a convoy near Mopti."
    )
    events = code(pipeline, text)
    assert [e.source.name if e.source else None for e in events] == [
        "Patriotic Resistance Front",
        "PRF",
    ]
    assert [flat(e)[:2] for e in events] == [("ASSAULT", "MLI"), ("ASSAULT", "MLI")]


def test_statements_by_different_speakers_stay_apart(pipeline: Pipeline) -> None:
    text = (
        "DHAKA, March 11 — Students demanded the release of their leaders on Monday. "
        "The UN human rights office appealed to the authorities to restore internet access."
    )
    requests = [e for e in code(pipeline, text) if e.type == "REQUEST"]
    assert len(requests) == 2
    assert requests[1].source is not None and requests[1].source.country == "UN"


def test_a_name_inside_a_hyphenated_place_is_no_actor(pipeline: Pipeline) -> None:
    text = "PORT-AU-PRINCE, March 11 — Armed gangs attacked police officers on Monday."
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "HTI", "HTI", "asserted")


def test_a_mediator_is_no_party(pipeline: Pipeline) -> None:
    text = "Armenia and Azerbaijan signed a Qatari-brokered peace deal in Doha on Monday."
    [event] = code(pipeline, text)
    assert flat(event) == ("AGREE", "ARM", "AZE", "asserted")


def test_a_descriptive_noun_before_a_name_is_not_the_actor(pipeline: Pipeline) -> None:
    text = "Rights watchdog Amnesty International accused Israel of war crimes in Gaza."
    [event] = code(pipeline, text)
    assert (event.type, event.source.name if event.source else None) == (
        "ACCUSE",
        "Amnesty International",
    )
    assert event.target is not None and event.target.country == "ISR"


def test_an_aid_agency_s_warning_is_no_threat(pipeline: Pipeline) -> None:
    text = "The UN refugee agency warned on Monday that the camps around Goma were overflowing."
    assert "THREATEN" not in [e.type for e in code(pipeline, text)]


def test_what_a_meeting_will_discuss_is_its_agenda(pipeline: Pipeline) -> None:
    text = "Kenyan and Haitian officials will meet in Nairobi next week to discuss sending troops."
    assert [e.type for e in code(pipeline, text)] == ["CONSULT"]


def test_a_crowd_chanting_slogans_is_a_protest(pipeline: Pipeline) -> None:
    text = (
        "Thousands of teachers gathered outside parliament in Nairobi on Monday, chanting "
        "slogans against the pay freeze."
    )
    [event] = code(pipeline, text)
    assert (event.type, event.place.name if event.place else None) == ("PROTEST", "Nairobi")
    assert event.acled is not None and event.acled["sub_event_type"] == "Peaceful protest"


def test_protesters_wounded_by_police_fire_is_excessive_force(pipeline: Pipeline) -> None:
    text = "Police fired on protesters in Kisumu on Monday, wounding eight demonstrators."
    events = code(pipeline, text)
    assert events[0].acled is not None
    assert events[0].acled["sub_event_type"] == "Excessive force against protesters"


def test_a_troop_withdrawal_is_from_the_other_side(pipeline: Pipeline) -> None:
    text = (
        "BAMAKO, March 11 — JNIM fighters attacked the army base at Boni on Monday and the "
        "Malian troops pulled out of the town on Tuesday."
    )
    retreats = [flat(e) for e in code(pipeline, text) if e.type == "RETREAT"]
    assert retreats == [("RETREAT", "MLI", "MLI", "asserted")]


def test_an_evacuation_is_from_no_one(pipeline: Pipeline) -> None:
    text = (
        "Rival militias clashed in Tripoli on Sunday. The army evacuated 300 families from "
        "the Ain Zara district."
    )
    [evacuation] = [e for e in code(pipeline, text) if e.type == "RETREAT"]
    assert (evacuation.mode, evacuation.target) == ("evacuation", None)


def test_one_town_spelled_two_ways_is_one_strike(pipeline: Pipeline) -> None:
    text = (
        "Russian missiles struck Odesa overnight, killing two people, Ukrainian officials "
        "said. Russia's defence ministry said its strikes on Odessa had hit military sites."
    )
    assaults = [e for e in code(pipeline, text) if e.type == "ASSAULT"]
    assert [flat(e) for e in assaults] == [("ASSAULT", "RUS", "UKR", "asserted")]


def test_an_attack_on_two_towns_is_one_event_per_town(pipeline: Pipeline) -> None:
    text = "Russian missiles struck Kharkiv and Dnipro on Sunday, killing seven people."
    events = code(pipeline, text)
    assert [(flat(e), e.place.name if e.place else None) for e in events] == [
        (("ASSAULT", "RUS", "UKR", "asserted"), "Kharkiv"),
        (("ASSAULT", "RUS", "UKR", "asserted"), "Dnipro"),
    ]
    # the toll is told once for both towns: it is kept on one event, never counted twice
    tolls = [e.fatalities.best for e in events if e.fatalities is not None]
    assert tolls == [7]


def test_the_unlisted_village_an_attack_hit_is_its_place(pipeline: Pipeline) -> None:
    text = (
        "KHARTOUM, March 11 — A drone strike on a market in Um Dawwanban, a town about "
        "30 km east of Khartoum, killed 14 people on Sunday, medics said."
    )
    [event] = code(pipeline, text)
    assert (event.type, event.target.country if event.target else None) == ("ASSAULT", "SDN")
    assert event.place is not None and event.place.name == "Um Dawwanban"
    assert event.place.country == "SDN"
    assert event.fatalities is not None and event.fatalities.best == 14


def test_a_promise_to_refrain_is_a_term_of_the_agreement(pipeline: Pipeline) -> None:
    text = (
        "Armenia and Azerbaijan agreed on Monday that neither side would attack the other's "
        "border posts."
    )
    assert [flat(e) for e in code(pipeline, text)] == [("AGREE", "ARM", "AZE", "asserted")]


def test_destroying_enemy_posts_is_an_attack_by_the_destroyer(pipeline: Pipeline) -> None:
    text = (
        "The Indian army said its troops had killed four militants and destroyed several "
        "Pakistani bunkers on Sunday."
    )
    events = [flat(e) for e in code(pipeline, text)]
    assert ("ASSAULT", "IND", "PAK", "asserted") in events
    assert all(e[1] != "PAK" for e in events), events


def test_destroying_drones_launched_at_one_is_the_launchers_attack(pipeline: Pipeline) -> None:
    text = "Ukrainian air defences destroyed 25 Russian drones over Kharkiv overnight."
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "RUS", "UKR", "asserted")
    assert event.acled is not None and event.acled["sub_event_type"] == "Disrupted weapons use"


def test_calling_an_earlier_act_a_provocation_accuses_its_author(pipeline: Pipeline) -> None:
    text = (
        "Romanian air defences downed two Russian drones over Tulcea county on Sunday. "
        "Bucharest said they had strayed from a Russian attack on Ukraine's port of Izmail "
        "and called the incursion a dangerous provocation."
    )
    accusations = [flat(e) for e in code(pipeline, text) if e.type == "ACCUSE"]
    assert accusations == [("ACCUSE", "ROU", "RUS", "asserted")]


def test_who_is_named_in_a_later_clause_is_not_the_object(pipeline: Pipeline) -> None:
    text = (
        "Japan summoned China's ambassador on Tuesday and lodged a protest after a Chinese "
        "coast guard vessel rammed a Japanese fishing boat near the Senkaku islands."
    )
    assert [flat(e) for e in code(pipeline, text)] == [("ACCUSE", "JPN", "CHN", "asserted")]


def test_unnamed_victims_of_insurgents_at_home_are_their_countrys(pipeline: Pipeline) -> None:
    text = (
        "MOGADISHU, March 11 — Al-Shabaab fighters stormed a hotel in Mogadishu on Friday "
        "and held hostages for hours, police said."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "SOM", "SOM", "asserted")
    assert event.target is not None and event.target.sector == "CVL"
    assert event.place is not None and event.place.name == "Mogadishu"


def test_a_participle_after_a_comma_shares_the_sentences_subject(pipeline: Pipeline) -> None:
    text = (
        "ADEN, May 2 — Houthi fighters backed by Iran overran government positions in Marib "
        "on Friday after days of fighting with troops, killing 30 soldiers, officials said."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "YEM", "YEM", "asserted")
    assert event.source is not None and event.source.name == "Houthi fighters"
    assert event.place is not None and event.place.name == "Marib"
    assert event.fatalities is not None and event.fatalities.best == 30


def test_a_crowd_attacking_an_embassy_is_a_violent_demonstration(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "Hundreds of demonstrators attacked the Swedish embassy in Baghdad.")
    assert flat(event) == ("PROTEST", "IRQ", "SWE", "asserted")
    assert event.mode == "riot"
    assert event.acled is not None and event.acled["sub_event_type"] == "Violent demonstration"


def test_tear_gas_with_no_one_named_is_aimed_at_the_countrys_people(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "Police fired tear gas in central Nairobi on Tuesday.")
    assert flat(event) == ("COERCE", "KEN", "KEN", "asserted")
    assert event.mode == "tear gas"


def test_a_request_to_an_uncoded_addressee_targets_no_one_else(pipeline: Pipeline) -> None:
    text = (
        "Ukrainian drones struck an oil depot in Russia's Bryansk region on Sunday. "
        "President Volodymyr Zelensky urged Western partners to speed up deliveries."
    )
    requests = [flat(e) for e in code(pipeline, text) if e.type == "REQUEST"]
    assert requests == [("REQUEST", "UKR", None, "asserted")]


def test_a_closed_relative_clause_does_not_hold_the_subject(pipeline: Pipeline) -> None:
    text = (
        "Kenya's army, which leads the African Union mission in Somalia, carried out "
        "airstrikes on militant camps in the Gedo region on Friday."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "KEN", "SOM", "asserted")


def test_false_as_the_content_of_an_accusation_is_no_denial(pipeline: Pipeline) -> None:
    text = "Niger's junta accused French broadcasters of false reporting on Monday."
    [event] = code(pipeline, text)
    assert flat(event) == ("ACCUSE", "NER", "FRA", "asserted")


def test_closing_ones_airspace_to_a_countrys_aircraft_is_a_sanction(pipeline: Pipeline) -> None:
    [event] = code(pipeline, "Mali closed its airspace to Algerian aircraft on Monday.")
    assert flat(event) == ("SANCTION", "MLI", "DZA", "asserted")
    assert event.mode == "airspace ban"


def test_a_release_in_exchange_for_prisoners_is_two_releases(pipeline: Pipeline) -> None:
    text = (
        "Armenia and Azerbaijan agreed on Monday to a deal brokered by the United States, "
        "under which Azerbaijan will release 12 detainees in exchange for two Azerbaijani "
        "soldiers."
    )
    releases = sorted(flat(e) for e in code(pipeline, text) if e.type == "CONCEDE")
    assert releases == [("CONCEDE", "ARM", "AZE", "future"), ("CONCEDE", "AZE", "ARM", "future")]


def test_bodies_handed_over_in_return_go_to_the_other_side(pipeline: Pipeline) -> None:
    text = (
        "Israel and Hamas swapped prisoners on Thursday. Hamas said it had also handed over "
        "the bodies of four captives in return for 100 bodies."
    )
    later = [flat(e) for e in code(pipeline, text) if e.mode == "release"]
    assert sorted(later) == [
        ("CONCEDE", "ISR", "PSE", "asserted"),
        ("CONCEDE", "PSE", "ISR", "asserted"),
    ]


def test_the_act_a_group_is_behind_is_background_with_its_toll(pipeline: Pipeline) -> None:
    text = (
        "Pakistan launched airstrikes on hideouts in Afghanistan's Khost province on "
        "Tuesday, saying it had hit the militants behind last week's bombing of a police "
        "station in Bannu that killed 17 officers."
    )
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "PAK", "AFG", "asserted")
    assert event.fatalities is None
    assert event.date is not None and event.date.start == date(2025, 3, 11)


def test_an_offer_to_mediate_is_not_coded(pipeline: Pipeline) -> None:
    text = "Turkey offered to mediate between Russia and Ukraine on Tuesday."
    assert code(pipeline, text) == []


def test_an_agreed_act_with_a_time_between_is_future_and_undated(pipeline: Pipeline) -> None:
    text = "Rwanda and Burundi agreed on Sunday to restore diplomatic relations."
    events = {e.type: e for e in code(pipeline, text)}
    assert flat(events["AGREE"]) == ("AGREE", "RWA", "BDI", "asserted")
    assert events["AGREE"].date is not None and events["AGREE"].date.start == date(2025, 3, 9)
    reopened = [e for t, e in events.items() if t != "AGREE"]
    assert [(e.modality, e.date) for e in reopened] == [("future", None)]


def test_a_relative_clauses_time_does_not_date_the_main_verb(pipeline: Pipeline) -> None:
    text = "Egypt, which signed a defence pact with Sudan last year, condemned the raid on Monday."
    accusations = [e for e in code(pipeline, text) if e.type == "ACCUSE"]
    assert len(accusations) == 1
    assert accusations[0].date is not None and accusations[0].date.start == date(2025, 3, 10)


def test_the_source_named_again_after_the_verb_is_not_its_target(pipeline: Pipeline) -> None:
    text = (
        "German Chancellor Friedrich Merz visited Vilnius on Monday, reaffirming what he "
        "called Germany's unwavering commitment to Lithuania's defence."
    )
    support = [flat(e) for e in code(pipeline, text) if e.type == "SUPPORT"]
    assert support == [("SUPPORT", "DEU", "LTU", "asserted")]


def test_a_countrys_possessive_before_a_modified_group_name_is_the_group(
    pipeline: Pipeline,
) -> None:
    text = "Nigeria's outlawed Boko Haram group attacked a checkpoint on Sunday, police said."
    [event] = code(pipeline, text)
    assert flat(event) == ("ASSAULT", "NGA", None, "asserted")
    assert event.source is not None
    assert (event.source.canonical, event.source.sector) == ("Boko Haram", "REB")
    [event] = code(pipeline, "Yemen's rebel Houthi movement seized a cargo ship on Sunday.")
    assert event.source is not None and event.source.canonical == "Houthis"


def test_a_plural_noun_spelled_like_a_pair_verb_is_no_verb(pipeline: Pipeline) -> None:
    assert code(pipeline, "Turkish navy ships shadowed a Greek supply boat on Sunday.") == []
    [event] = code(pipeline, "Iran ships weapons to the Houthis, the officials said on Sunday.")
    assert event.type == "AID"


def test_water_cannon_from_ships_at_a_supply_boat_is_coercion(pipeline: Pipeline) -> None:
    text = "Chinese coast guard ships fired water cannon at a Vietnamese supply boat on Sunday."
    [event] = code(pipeline, text)
    assert flat(event) == ("COERCE", "CHN", "VNM", "asserted")
    assert event.mode == "water cannon"


def test_a_demonym_before_a_force_on_a_locative_word_is_an_actor(pipeline: Pipeline) -> None:
    text = "Iranian border guards fired on Afghan migrants near Saravan on Sunday."
    [event] = code(pipeline, text)
    assert event.type == "ASSAULT"
    assert event.source is not None
    assert (event.source.country, event.source.sector) == ("IRN", "MIL")


def test_a_past_verb_after_a_denial_and_and_is_asserted(pipeline: Pipeline) -> None:
    text = "Kigali denied the claims and blamed Kinshasa for the fighting on Sunday."
    accusations = [e for e in code(pipeline, text) if e.type == "ACCUSE"]
    assert [flat(e) for e in accusations] == [("ACCUSE", "RWA", "COD", "asserted")]


def test_a_denial_covers_gerunds_joined_by_and(pipeline: Pipeline) -> None:
    text = "The militia denied burning the market and abducting traders on Sunday."
    events = code(pipeline, text)
    assert events and {e.modality for e in events} == {"negated"}
