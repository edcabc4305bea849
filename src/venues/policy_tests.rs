//! The OSM wiki's `dog=*`, `dog:conditional` and conditional-restrictions
//! examples, good and bad.
use super::*;

fn ok(raw: &str) -> DogConditional {
    DogConditional::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

#[test]
fn wiki_dog_values() {
    for (dog, place, leash) in [
        ("yes", DogsWhere::SomeAreas, Leash::Unknown),
        ("designated", DogsWhere::SomeAreas, Leash::Unknown),
        ("leashed", DogsWhere::SomeAreas, Leash::Required),
        ("unleashed", DogsWhere::SomeAreas, Leash::NotRequired),
        ("outside", DogsWhere::OutsideOnly, Leash::Unknown),
        ("no", DogsWhere::NotAllowed, Leash::Unknown),
    ] {
        assert_eq!(DogPolicy::from_osm_dog(dog), Some((place, leash)), "{dog}");
    }
    assert_eq!(DogPolicy::from_osm_dog("maybe"), None);
    assert_eq!(DogPolicy::from_osm_dog("Yes"), None);
}

#[test]
fn wiki_conditional_examples_read() {
    // dog:conditional on the wiki (beaches, parks) and the
    // conditional-restrictions page's time conditions.
    for raw in [
        "no @ (Jun-Aug)",
        "yes @ (Nov-Mar)",
        "no @ (May 01-Sep 30)",
        "no @ (Mo-Fr 11:30-14:00)",
        "leashed @ (Jun-Aug)",
        "no @ (Sa,Su)",
        "no @ (06:00-20:00)",
        "no @ (2018 May 22-2018 Oct 07)",
        "no @ (Mo-Fr 06:00-11:00,17:00-19:00;Sa 03:30-19:00)",
        "yes @ (sunrise-sunset)",
        "no @ (Mo-Fr 07:00-09:00); leashed @ (Sa-Su 10:00-12:00)",
        "no @ Mo-Fr 11:30-14:00",
        "no @ (PH)",
    ] {
        ok(raw);
    }
    let c = ok("no @ (Mo-Fr 06:00-11:00,17:00-19:00;Sa 03:30-19:00); leashed @ (Jun-Aug)");
    assert_eq!(c.rules().len(), 2);
    assert_eq!(c.rules()[0].when, "Mo-Fr 06:00-11:00,17:00-19:00;Sa 03:30-19:00");
}

#[test]
fn wiki_conditions_that_are_not_times_are_refused() {
    use ConditionalError::*;
    let err = |raw: &str| DogConditional::parse(raw).unwrap_err();
    assert!(matches!(err("no @ wet"), BadTime(w) if w == "wet"));
    assert!(matches!(err("no @ (weight>7.5)"), BadTime(_)));
    assert!(matches!(err("no @ (10:00-18:00 AND length>5)"), BadTime(_)));
    assert!(matches!(err("no @ (snow)"), BadTime(_)));
    assert!(matches!(err("no @ (Mo-Fr 25:00-26:99)"), BadTime(_)));
    assert!(matches!(err("destination @ (Sa-Su 10:00-12:00)"), UnknownValue(v) if v == "destination"));
    assert!(matches!(err("no (Mo-Fr 11:30-14:00)"), NoAt(_)));
    assert!(matches!(err("@ (Mo-Fr)"), NoAt(_)));
    assert!(matches!(err("no @ (Mo-Fr 11:30-14:00"), Unbalanced(_)));
    assert!(matches!(err("no @ (Jun-Aug);"), EmptyRule));
    assert!(matches!(err("no @ ()"), BadTime(_)));
    assert!(matches!(err(&"no @ (Jun-Aug); ".repeat(20)), TooLong));
    assert!(matches!(
        err("no @ (Jun); ".repeat(9).trim_end_matches("; ")),
        TooMany
    ));
    // The messages are sentences a person can act on.
    assert_eq!(
        err("no @ wet").to_string(),
        "\"wet\" is not a time we can read. Write it like opening hours, for example \"Mo-Fr 11:30-14:00\" or \"Jun-Aug\"."
    );
}

#[test]
fn says_it_in_words() {
    assert_eq!(
        ok("no @ (Mo-Fr 11:30-14:00)").words(),
        ["Not allowed Mon–Fri 11:30–14:00"]
    );
    assert_eq!(
        ok("leashed @ (Jun-Aug); outside @ (Sa,Su 10:00-12:00)").words(),
        ["On a leash Jun–Aug", "Outside only Sat, Sun 10:00–12:00"]
    );
    assert_eq!(ok("no@Mo-Fr 11:30-14:00").to_osm(), "no @ (Mo-Fr 11:30-14:00)");
    assert_eq!(time_words("PH off"), "public holidays closed");
}

#[test]
fn forms_and_osm_round_trip() {
    let form = PolicyForm {
        dogs_where: "not_allowed".into(),
        size_limit: "any".into(),
        leash: "unknown".into(),
        conditional: " no @ (Mo-Fr 11:30-14:00) ".into(),
    };
    let p = form.read().unwrap();
    assert_eq!(p.osm_dog(Some("yes")), "no");
    assert_eq!(p.key(), "not_allowed|any|unknown|no @ (Mo-Fr 11:30-14:00)");
    let bad = PolicyForm {
        dogs_where: "inside".into(),
        ..form.clone()
    };
    assert_eq!(bad.read().unwrap_err(), PolicyError::Choice);
    let inside = |leash| DogPolicy {
        place: DogsWhere::Everywhere,
        size: SizeLimit::Any,
        leash,
        conditional: None,
    };
    assert_eq!(inside(Leash::Required).osm_dog(Some("yes")), "leashed");
    assert_eq!(inside(Leash::Unknown).osm_dog(Some("designated")), "designated");
    assert_eq!(inside(Leash::NotRequired).osm_dog(Some("leashed")), "yes");
    assert_eq!(inside(Leash::Unknown).osm_dog(None), "yes");
}
