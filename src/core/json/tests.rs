use super::*;

fn s(text: &str) -> Json {
    Json::String(text.to_owned())
}

fn n(text: &str) -> Json {
    Json::Number(text.to_owned())
}

#[test]
fn reads_every_kind_of_value() {
    let text = r#" {"a": [1, -2.5e+3, true, false, null], "b": {"c": "d"}, "": 0} "#;
    assert_eq!(
        Json::parse(text),
        Ok(Json::Object(vec![
            (
                "a".into(),
                Json::Array(vec![
                    n("1"),
                    n("-2.5e+3"),
                    Json::Bool(true),
                    Json::Bool(false),
                    Json::Null
                ])
            ),
            ("b".into(), Json::Object(vec![("c".into(), s("d"))])),
            ("".into(), n("0")),
        ]))
    );
    assert_eq!(Json::parse("[]"), Ok(Json::Array(vec![])));
    assert_eq!(Json::parse("{ }"), Ok(Json::Object(vec![])));
}

#[test]
fn reads_escapes_and_unicode() {
    assert_eq!(
        Json::parse(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\u0416\ud83d\ude00 ж""#),
        Ok(s("a\"b\\c/d\u{8}\u{c}\n\r\t\u{e9}\u{416}\u{1f600} ж"))
    );
    assert_eq!(Json::parse(r#""\u00E9""#), Ok(s("\u{e9}")));
}

#[test]
fn refuses_what_is_not_json() {
    for text in [
        "",
        "   ",
        "{",
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{a:1}",
        "{1:1}",
        "'a'",
        "\"open",
        "\"tab\there\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\ud800\"",
        "\"\\ud800\\u0041\"",
        "\"\\udc00\"",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "NaN",
        "tru",
        "nul",
        "1 2",
        "{} x",
        "\u{feff}{}",
    ] {
        assert!(Json::parse(text).is_err(), "{text:?}");
    }
    let error = Json::parse("[1, x]").unwrap_err();
    assert_eq!(error.offset, 4);
    assert_eq!(error.to_string(), "expected a value at byte 4");
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(Json::parse(&nested(MAX_DEPTH)).is_ok());
    assert!(Json::parse(&nested(MAX_DEPTH + 1)).is_err());
    // Deep enough to overflow the stack without the limit.
    assert!(Json::parse(&"{\"a\":".repeat(100_000)).is_err());
    assert!(Json::parse(&"[".repeat(1_000_000)).is_err());
}

#[test]
fn numbers_keep_their_text_and_u64_is_strict() {
    assert_eq!(n("5678").as_u64(), Some(5678));
    assert_eq!(n("18446744073709551615").as_u64(), Some(u64::MAX));
    for text in ["18446744073709551616", "-1", "-0", "1.0", "1e3", "3.5"] {
        assert_eq!(Json::parse(text).unwrap().as_u64(), None, "{text}");
    }
    assert_eq!(s("5").as_u64(), None);
    assert_eq!(
        Json::parse("123456789012345678901234567890"),
        Ok(n("123456789012345678901234567890"))
    );
}

#[test]
fn get_takes_the_last_of_repeated_keys() {
    let value = Json::parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
    assert_eq!(value.get("a"), Some(&n("3")));
    assert_eq!(value.get("c"), None);
    assert_eq!(n("1").get("a"), None);
    assert_eq!(value.sorted_members(), vec![("a", &n("3")), ("b", &n("2"))]);
}

#[test]
fn writes_compact_json_with_sorted_keys() {
    let value =
        Json::parse(r#"{"z": [1, "x\n"], "a": {"k": null, "b": true}, "a": false}"#).unwrap();
    assert_eq!(value.to_text(), r#"{"a":false,"z":[1,"x\n"]}"#);
}

#[test]
fn escapes_strings_as_serde_json_does() {
    let mut out = String::new();
    write_string(&mut out, "q\" b\\ / é\u{1}\u{1f}\u{7f}\t\u{8}\u{c}\r\n");
    assert_eq!(
        out,
        "\"q\\\" b\\\\ / é\\u0001\\u001f\u{7f}\\t\\b\\f\\r\\n\""
    );
    assert_eq!(
        out,
        serde_json::to_string("q\" b\\ / é\u{1}\u{1f}\u{7f}\t\u{8}\u{c}\r\n").unwrap()
    );
}

#[test]
fn fields_read_like_a_derived_struct() {
    let value = Json::parse(r#"{"id": "7", "other": 1, "size": null}"#).unwrap();
    let [id, name, size] = value.fields(["id", "name", "size"]).unwrap();
    assert_eq!(required_string(id, "id"), Ok("7".to_owned()));
    assert_eq!(
        required_string(name, "name"),
        Err(FieldError::Missing("name"))
    );
    assert_eq!(optional_string(size, "size"), Ok(None));
    assert_eq!(
        u64_field(size, "size", Some(0)),
        Err(FieldError::WrongType("size"))
    );
    assert_eq!(u64_field(name, "name", Some(0)), Ok(0));
    assert_eq!(
        u64_field(name, "name", None),
        Err(FieldError::Missing("name"))
    );
    assert_eq!(
        optional_string(Some(&n("1")), "x"),
        Err(FieldError::WrongType("x"))
    );

    let twice = Json::parse(r#"{"id": "1", "id": "2"}"#).unwrap();
    assert_eq!(twice.fields(["id"]), Err(FieldError::Duplicate("id")));
    assert_eq!(
        FieldError::Duplicate("id").to_string(),
        "duplicate field `id`"
    );
    assert_eq!(Json::Null.fields(["id"]), Err(FieldError::NotAnObject));
}

/// Differential tests against serde_json, the reader this one replaces.
#[cfg(not(target_arch = "wasm32"))]
mod against_serde_json {
    use proptest::prelude::*;

    use super::*;

    /// The same value in serde_json's model: numbers compared by what
    /// serde_json makes of the text or by the text serde_json writes (its
    /// float parsing is not exact, so a written float may read back one
    /// unit off), objects as its sorted map.
    fn same(ours: &Json, theirs: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (ours, theirs) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::Number(text), Value::Number(number)) => {
                let written = number.to_string();
                serde_json::from_str::<Value>(text).ok().as_ref() == Some(theirs)
                    || *text == written
            }
            (Json::String(a), Value::String(b)) => a == b,
            (Json::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
            }
            (object @ Json::Object(_), Value::Object(map)) => {
                let members = object.sorted_members();
                members.len() == map.len()
                    && members
                        .iter()
                        .zip(map)
                        .all(|((k, v), (mk, mv))| k == mk && same(v, mv))
            }
            _ => false,
        }
    }

    /// Text that is often JSON and often nearly JSON.
    fn json_like() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just(",".to_owned()),
            Just(":".to_owned()),
            Just(" ".to_owned()),
            Just("\"k\"".to_owned()),
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("fals".to_owned()),
            "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?",
            "[-+.eE0-9]{1,6}",
            "\"([a-zé\\\\\"/ ]|\\\\[\"\\\\/bfnrtx]|\\\\u[0-9a-fA-F]{4}|[\\x00-\\x1f])*\"?",
        ];
        prop::collection::vec(token, 0..24).prop_map(|parts| parts.concat())
    }

    /// Well-formed JSON, to reach deep values and long objects.
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            "\\PC*".prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-c]{0,2}", inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// A number too large for a double is the one text serde_json refuses
    /// and this reader keeps.
    fn overflows_a_double(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text)
            .err()
            .is_some_and(|e| e.to_string().contains("number out of range"))
    }

    #[test]
    fn same_nesting_limit() {
        for depth in [MAX_DEPTH, MAX_DEPTH + 1] {
            let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            for text in [arrays, objects] {
                assert_eq!(
                    Json::parse(&text).is_ok(),
                    serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                    "{depth}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn accepts_and_refuses_alike(text in json_like()) {
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            let ours = Json::parse(&text);
            match (&ours, &theirs) {
                (Ok(ours), Ok(theirs)) => prop_assert!(same(ours, theirs), "{text:?}"),
                (Err(_), Err(_)) => {}
                (Ok(_), Err(_)) if overflows_a_double(&text) => {}
                _ => prop_assert!(false, "{text:?}: ours {ours:?}, serde_json {theirs:?}"),
            }
        }

        #[test]
        fn reads_what_serde_json_writes(value in json_value()) {
            let compact = serde_json::to_string(&value).unwrap();
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            for text in [&compact, &pretty] {
                let ours = Json::parse(text);
                prop_assert!(ours.as_ref().is_ok_and(|v| same(v, &value)), "{text}");
            }
            // And writes it back byte for byte (serde_json's numbers are
            // already in its own shortest form).
            prop_assert_eq!(Json::parse(&compact).unwrap().to_text(), compact);
        }

        #[test]
        fn merge_sort_is_a_stable_sort(keys in prop::collection::vec("[a-d]{0,2}", 0..40)) {
            let mut ours: Vec<(&str, usize)> = keys.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
            let mut theirs = ours.clone();
            merge_sort_by_key(&mut ours);
            theirs.sort_by(|a, b| a.0.cmp(b.0));
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn escapes_any_string_like_serde_json(text in "\\PC*|[\\x00-\\x20\"\\\\]*") {
            let mut ours = String::new();
            write_string(&mut ours, &text);
            prop_assert_eq!(&ours, &serde_json::to_string(&text).unwrap());
            prop_assert_eq!(Json::parse(&ours), Ok(Json::String(text)));
        }
    }
}
