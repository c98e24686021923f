use super::*;

#[test]
fn tags_choose_the_language() {
    assert_eq!(Locale::from_tag("ru"), Some(Locale::Ru));
    assert_eq!(Locale::from_tag("ru-RU"), Some(Locale::Ru));
    assert_eq!(Locale::from_tag("RU"), Some(Locale::Ru));
    assert_eq!(Locale::from_tag(" ru_ru "), Some(Locale::Ru));
    assert_eq!(Locale::from_tag("en-GB"), Some(Locale::En));
    assert_eq!(Locale::from_tag("en"), Some(Locale::En));
    assert_eq!(Locale::from_tag("de-DE"), None);
    assert_eq!(Locale::from_tag(""), None);
    assert_eq!(Locale::from_tag("rus"), None);
    assert_eq!(Locale::negotiate(["de", "ru-RU", "en"]), Locale::Ru);
    assert_eq!(Locale::negotiate(["fr"]), Locale::En);
    assert_eq!(Locale::negotiate([]), Locale::En);
    for locale in Locale::ALL {
        assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
    }
}

#[test]
fn russian_plurals() {
    use PluralCategory::*;
    let cases = [
        (0.0, Many),
        (1.0, One),
        (2.0, Few),
        (4.0, Few),
        (5.0, Many),
        (11.0, Many),
        (12.0, Many),
        (14.0, Many),
        (21.0, One),
        (22.0, Few),
        (25.0, Many),
        (101.0, One),
        (111.0, Many),
        (1.5, Other),
    ];
    for (n, category) in cases {
        assert_eq!(Locale::Ru.plural(n), category, "{n}");
    }
    assert_eq!(Locale::Ru.plural(f64::NAN), Other);
}

#[test]
fn english_plurals() {
    assert_eq!(Locale::En.plural(1.0), PluralCategory::One);
    for n in [0.0, 2.0, 5.0, 11.0, 21.0, 1.5] {
        assert_eq!(Locale::En.plural(n), PluralCategory::Other, "{n}");
    }
}

#[test]
fn counted_files_agree_in_russian() {
    let added = Locale::Ru.messages().files_added;
    assert_eq!(added(1), "Добавлен 1 файл");
    assert_eq!(added(2), "Добавлено 2 файла");
    assert_eq!(added(5), "Добавлено 5 файлов");
    assert_eq!(added(11), "Добавлено 11 файлов");
    assert_eq!(added(21), "Добавлен 21 файл");
    assert_eq!(added(22), "Добавлено 22 файла");
    let attached = Locale::Ru.messages().attached;
    assert_eq!(attached(1, "DEMO-1"), "1 файл прикреплён к DEMO-1");
    assert_eq!(attached(3, "DEMO-1"), "3 файла прикреплены к DEMO-1");
    assert_eq!(attached(12, "DEMO-1"), "12 файлов прикреплено к DEMO-1");
    let en = Locale::En.messages().files_added;
    assert_eq!(en(1), "1 file added");
    assert_eq!(en(2), "2 files added");
    assert_eq!(en(0), "0 files added");
}

#[test]
fn bulk_buttons_count_in_both_locales() {
    let (en, ru) = (Locale::En.messages(), Locale::Ru.messages());
    let cases: [(usize, &str, &str, &str, &str); 8] = [
        (
            0,
            "Retry all 0 failed uploads",
            "Remove all 0 refused files",
            "Повторить 0 неудачных загрузок",
            "Убрать 0 отклонённых файлов",
        ),
        (
            1,
            "Retry 1 failed upload",
            "Remove 1 refused file",
            "Повторить 1 неудачную загрузку",
            "Убрать 1 отклонённый файл",
        ),
        (
            2,
            "Retry all 2 failed uploads",
            "Remove all 2 refused files",
            "Повторить 2 неудачные загрузки",
            "Убрать 2 отклонённых файла",
        ),
        (
            4,
            "Retry all 4 failed uploads",
            "Remove all 4 refused files",
            "Повторить 4 неудачные загрузки",
            "Убрать 4 отклонённых файла",
        ),
        (
            5,
            "Retry all 5 failed uploads",
            "Remove all 5 refused files",
            "Повторить 5 неудачных загрузок",
            "Убрать 5 отклонённых файлов",
        ),
        (
            11,
            "Retry all 11 failed uploads",
            "Remove all 11 refused files",
            "Повторить 11 неудачных загрузок",
            "Убрать 11 отклонённых файлов",
        ),
        (
            21,
            "Retry all 21 failed uploads",
            "Remove all 21 refused files",
            "Повторить 21 неудачную загрузку",
            "Убрать 21 отклонённый файл",
        ),
        (
            9800,
            "Retry all 9800 failed uploads",
            "Remove all 9800 refused files",
            "Повторить 9800 неудачных загрузок",
            "Убрать 9800 отклонённых файлов",
        ),
    ];
    for (n, en_retry, en_remove, ru_retry, ru_remove) in cases {
        assert_eq!((en.retry_failed)(n), en_retry);
        assert_eq!((en.remove_refused)(n), en_remove);
        assert_eq!((ru.retry_failed)(n), ru_retry);
        assert_eq!((ru.remove_refused)(n), ru_remove);
    }
    assert_eq!((en.cancel_all)(1), "Cancel 1 upload");
    assert_eq!((en.cancel_all)(7), "Cancel all 7 uploads");
    assert_eq!((ru.cancel_all)(21), "Отменить 21 загрузку");
    assert_eq!((ru.cancel_all)(3), "Отменить 3 загрузки");
    assert_eq!((ru.cancel_all)(11), "Отменить 11 загрузок");
    assert_eq!((ru.retry_failed)(22), "Повторить 22 неудачные загрузки");
    assert_eq!((ru.remove_refused)(112), "Убрать 112 отклонённых файлов");
}

#[test]
fn bulk_news_agrees_with_its_count() {
    let (en, ru) = (Locale::En, Locale::Ru);
    let told = |locale: Locale, news: Announcement| locale.announcement(&news);
    assert_eq!(told(en, Announcement::Retrying(1)), "Retrying 1 file");
    assert_eq!(
        told(en, Announcement::Removed(200)),
        "200 files removed from the list"
    );
    assert_eq!(
        told(ru, Announcement::Retrying(3)),
        "Отправляем заново 3 файла"
    );
    assert_eq!(told(ru, Announcement::Removed(1)), "Убран из списка 1 файл");
    assert_eq!(
        told(ru, Announcement::Removed(21)),
        "Убран из списка 21 файл"
    );
    assert_eq!(
        told(ru, Announcement::Removed(5)),
        "Убрано из списка 5 файлов"
    );
    assert_eq!(told(en, Announcement::Cancelled(3)), "3 files cancelled");
    assert_eq!(
        told(ru, Announcement::Cancelled(21)),
        "Отменена загрузка 21 файла"
    );
    assert_eq!(
        told(ru, Announcement::Cancelled(2)),
        "Отменена загрузка 2 файлов"
    );
}

#[test]
fn sizes_in_both_locales() {
    let cases: [(u64, &str, &str); 7] = [
        (0, "0\u{a0}B", "0\u{a0}Б"),
        (1023, "1,023\u{a0}B", "1\u{a0}023\u{a0}Б"),
        (1536, "1.5\u{a0}KB", "1,5\u{a0}КБ"),
        (1536 * 1024, "1.5\u{a0}MB", "1,5\u{a0}МБ"),
        (20 * 1024 * 1024, "20\u{a0}MB", "20\u{a0}МБ"),
        (1 << 30, "1.0\u{a0}GB", "1,0\u{a0}ГБ"),
        (u64::MAX, "16384\u{a0}PB", "16384\u{a0}ПБ"),
    ];
    for (bytes, en, ru) in cases {
        assert_eq!(Locale::En.bytes(bytes), en);
        assert_eq!(Locale::Ru.bytes(bytes), ru);
    }
}

#[test]
fn times_in_both_locales() {
    let cases: [(f64, &str, &str); 8] = [
        (0.2, "1\u{a0}s", "1\u{a0}с"),
        (59.0, "59\u{a0}s", "59\u{a0}с"),
        (60.0, "1\u{a0}min", "1\u{a0}мин"),
        (125.0, "2\u{a0}min 5\u{a0}s", "2\u{a0}мин 5\u{a0}с"),
        (
            3600.0 + 180.0 + 7.0,
            "1\u{a0}h 3\u{a0}min",
            "1\u{a0}ч 3\u{a0}мин",
        ),
        (7200.0, "2\u{a0}h", "2\u{a0}ч"),
        (f64::NAN, "–", "–"),
        (-1.0, "–", "–"),
    ];
    for (seconds, en, ru) in cases {
        assert_eq!(Locale::En.duration(seconds), en);
        assert_eq!(Locale::Ru.duration(seconds), ru);
    }
}

fn every_refusal() -> Vec<Refusal> {
    vec![
        Refusal::TooLarge {
            size: 3 << 30,
            max: 1 << 30,
        },
        Refusal::TooSmall { size: 0, min: 1 },
        Refusal::TooManyFiles { max: 5 },
        Refusal::TotalTooLarge { max: 100 << 20 },
        Refusal::TypeNotAccepted {
            accept: ".png, .jpg".into(),
        },
        Refusal::Duplicate,
        Refusal::ByHost { reason: None },
    ]
}

/// Details in Russian, so that any Latin letter left is the table's.
fn every_error() -> Vec<UploadError> {
    vec![
        UploadError::Network("соединение сброшено".into()),
        UploadError::Http {
            status: 503,
            message: String::new(),
        },
        UploadError::Http {
            status: 404,
            message: "Задача не найдена.".into(),
        },
        UploadError::InvalidResponse("пустой ответ".into()),
        UploadError::Cancelled,
        UploadError::Browser("нет окна".into()),
        UploadError::NeedsIssue {
            mode: "jira".into(),
        },
        UploadError::KeptExpired { count: 3 },
        UploadError::NoIssueKey,
        UploadError::AttachRunning,
        UploadError::Stalled { seconds: 30 },
        UploadError::NotStarted { seconds: 30 },
        UploadError::FileChanged,
        UploadError::NotTakenBack {
            reason: Some(Box::new(UploadError::Http {
                status: 403,
                message: String::new(),
            })),
        },
        UploadError::NotTakenBack { reason: None },
        UploadError::AnswerLost(Box::new(UploadError::Http {
            status: 504,
            message: String::new(),
        })),
        UploadError::NotDeleted(Box::new(UploadError::Http {
            status: 403,
            message: String::new(),
        })),
        UploadError::NothingToDelete,
        UploadError::DeleteRunning,
        UploadError::NoComments {
            mode: "jira".into(),
        },
    ]
}

fn latin_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        // Names of things that are not translated.
        .filter(|w| !["HTTP", "Enter", "jira", "issue"].contains(w))
        .collect()
}

#[test]
fn every_refusal_and_error_reads_in_both_locales() {
    for refusal in every_refusal() {
        for locale in Locale::ALL {
            assert!(!locale.refusal(&refusal).trim().is_empty(), "{refusal:?}");
        }
        let ru = Locale::Ru.refusal(&refusal);
        let left: Vec<_> = latin_words(&ru)
            .into_iter()
            .filter(|w| !["png", "jpg"].contains(w))
            .collect();
        assert!(left.is_empty(), "English left in {ru:?}: {left:?}");
        assert_ne!(ru, Locale::En.refusal(&refusal));
    }
    for error in every_error() {
        for locale in Locale::ALL {
            assert!(!locale.error(&error).trim().is_empty(), "{error:?}");
        }
        let ru = Locale::Ru.error(&error);
        assert!(latin_words(&ru).is_empty(), "English left in {ru:?}");
    }
    assert_eq!(
        Locale::Ru.refusal(&Refusal::TooLarge {
            size: 3 << 30,
            max: 1 << 30
        }),
        "Слишком большой: 3,0\u{a0}ГБ (не больше 1,0\u{a0}ГБ)"
    );
    // A server's message stays as the server wrote it.
    let server = UploadError::Http {
        status: 404,
        message: "Issue does not exist.".into(),
    };
    assert_eq!(
        Locale::Ru.error(&server),
        "Issue does not exist. (HTTP 404)"
    );
}

#[test]
fn english_details_stay_out_of_the_russian_ui() {
    // As the browser layer and the parsers write them.
    for error in [
        UploadError::Network("the connection failed (error)".into()),
        UploadError::InvalidResponse("Jira's answer does not list a.txt".into()),
        UploadError::Browser("file handle lost".into()),
    ] {
        let ru = Locale::Ru.error(&error);
        assert!(latin_words(&ru).is_empty(), "English left in {ru:?}");
        let en = Locale::En.error(&error);
        let detail = match &error {
            UploadError::Network(d) | UploadError::InvalidResponse(d) | UploadError::Browser(d) => {
                d
            }
            _ => unreachable!(),
        };
        assert!(en.contains(detail.as_str()), "{en:?} keeps the detail");
        // The host's message keeps it in every locale.
        assert!(error.to_string().contains(detail.as_str()));
    }
}

#[test]
fn display_stays_english() {
    assert_eq!(
        Refusal::Duplicate.to_string(),
        Locale::En.refusal(&Refusal::Duplicate)
    );
    assert_eq!(UploadError::Cancelled.to_string(), "Cancelled");
}

/// Every sentence of the Russian table, with sample values: none may be
/// left in English, and each must differ from the English one.
#[test]
fn russian_table_has_no_english() {
    let (ru, en) = (Locale::Ru.messages(), Locale::En.messages());
    let fixed = |m: &Messages| {
        vec![
            m.drop_here,
            m.browse,
            m.page_drop,
            m.list_label,
            m.waiting,
            m.uploading,
            m.waiting_for_network,
            m.offline,
            m.back_online,
            m.uploaded,
            m.cancelled,
            m.cancel,
            m.retry,
            m.remove,
            m.kept_label,
            m.kept_title,
            m.comment_label,
            m.attaching,
            m.duplicate,
            m.refused_by_host,
            m.delete_from_issue,
            m.delete,
            m.keep,
            m.deleting,
            m.nothing_to_delete,
            m.delete_running,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    let built = |m: &Messages| {
        vec![
            m.drop_zone_label.to_owned(),
            (m.uploading_of)("1", "2"),
            (m.retrying)("ошибка"),
            (m.progress_label)("отчёт"),
            (m.cancel_file)("отчёт"),
            (m.retry_file)("отчёт"),
            (m.remove_file)("отчёт"),
            (m.in_folder)("папка"),
            (m.summary)(1, 2, "1", "2"),
            (m.speed_and_time_left)("1", "2"),
            (m.retry_failed)(3),
            (m.remove_refused)(3),
            (m.files_added)(3),
            (m.file_uploaded)("отчёт"),
            (m.file_failed)("отчёт", "ошибка"),
            (m.files_uploaded)(2),
            (m.files_failed)(2),
            (m.files_retrying)(2),
            (m.files_removed)(2),
            (m.unreadable)(2),
            (m.remove_kept)("отчёт"),
            (m.attach_to)("ЗАДАЧА-1"),
            (m.attached)(2, "ЗАДАЧА-1"),
            (m.comment_posted)("ЗАДАЧА-1"),
            (m.attach_failed)("ошибка"),
            (m.kept_expired)(2),
            (m.delete_file)("отчёт", "ЗАДАЧА-1"),
            (m.delete_question)("отчёт", "ЗАДАЧА-1"),
            (m.file_deleted)("отчёт", "ЗАДАЧА-1"),
            (m.file_not_deleted)("отчёт", "ошибка"),
            (m.not_deleted)("ошибка"),
        ]
    };
    let ru_all: Vec<String> = fixed(ru).into_iter().chain(built(ru)).collect();
    let en_all: Vec<String> = fixed(en).into_iter().chain(built(en)).collect();
    for (r, e) in ru_all.iter().zip(&en_all) {
        assert!(!r.trim().is_empty());
        assert!(!e.trim().is_empty());
        assert_ne!(r, e);
        assert!(latin_words(r).is_empty(), "English left in {r:?}");
    }
}

#[test]
fn announcements_follow_the_locale() {
    let failed = Announcement::Failed {
        name: "a.txt".into(),
        error: UploadError::Cancelled,
    };
    assert_eq!(Locale::En.announcement(&failed), "a.txt failed: Cancelled");
    assert_eq!(
        Locale::Ru.announcement(&failed),
        "Файл «a.txt» не загружен: Отменено"
    );
    assert_eq!(
        Locale::Ru.announcement(&Announcement::FolderRead {
            added: 2,
            unreadable: 1
        }),
        "Добавлено 2 файла. Не удалось прочитать 1 файл из перетащенной папки"
    );
    assert_eq!(
        Locale::Ru.announcements(&[Announcement::WentOffline]),
        "Нет подключения к сети: загрузка продолжится, когда оно восстановится"
    );
    assert_eq!(
        Locale::En.announcement(&Announcement::BackOnline),
        "Back online: uploads resume"
    );
}

#[test]
fn a_file_left_attached_says_why_in_the_readers_language() {
    let refused = UploadError::NotTakenBack {
        reason: Some(Box::new(UploadError::Http {
            status: 403,
            message: "You may not delete attachments.".into(),
        })),
    };
    assert_eq!(
        Locale::En.error(&refused),
        "Still attached: the server had the file before the cancel, and removing it failed: \
         You may not delete attachments. (HTTP 403)"
    );
    assert_eq!(
        Locale::Ru.error(&refused),
        "Файл остался прикреплён: сервер получил его до отмены, а удалить не удалось: \
         You may not delete attachments. (HTTP 403)"
    );
    // The deletion's own failure reads as any error does in that language.
    let offline = UploadError::NotTakenBack {
        reason: Some(Box::new(UploadError::Network("connection reset".into()))),
    };
    let ru = Locale::Ru.error(&offline);
    assert!(ru.starts_with("Файл остался прикреплён"), "{ru}");
    assert!(latin_words(&ru).is_empty(), "English left in {ru:?}");
    assert!(Locale::En
        .error(&offline)
        .ends_with("Network error: connection reset"));
}

#[test]
fn a_file_not_deleted_says_it_is_still_on_the_issue_and_why() {
    let refused = UploadError::NotDeleted(Box::new(UploadError::Http {
        status: 403,
        message: "You may not delete attachments.".into(),
    }));
    assert_eq!(
        Locale::En.error(&refused),
        "Still on the issue: deleting it failed: You may not delete attachments. (HTTP 403)"
    );
    assert_eq!(
        Locale::Ru.error(&refused),
        "Файл остался в задаче: удалить не удалось: You may not delete attachments. (HTTP 403)"
    );
    // The live region names the file and says the reason once.
    let news = Announcement::NotDeleted {
        name: "a.txt".into(),
        error: refused,
    };
    assert_eq!(
        Locale::En.announcement(&news),
        "a.txt was not deleted: You may not delete attachments. (HTTP 403)"
    );
    let deleted = Announcement::Deleted {
        name: "a.txt".into(),
        issue: "DEMO-1".into(),
    };
    assert_eq!(
        Locale::En.announcement(&deleted),
        "a.txt deleted from DEMO-1"
    );
    assert_eq!(
        Locale::Ru.announcement(&deleted),
        "Файл «a.txt» удалён из задачи DEMO-1"
    );
}

#[test]
fn a_refusal_never_shows_two_equal_sizes() {
    let over = |size: u64, max: u64, locale: Locale| {
        locale.refusal(&crate::core::Refusal::TooLarge { size, max })
    };
    // Rounded apart: as usual.
    assert_eq!(
        over(60 << 20, 50 << 20, Locale::En),
        "Too large: 60\u{a0}MB (at most 50\u{a0}MB)"
    );
    // One byte over 50 MiB reads "50 MB" both times rounded: exact instead.
    assert_eq!(
        over((50 << 20) + 1, 50 << 20, Locale::En),
        "Too large: 52,428,801\u{a0}B (at most 52,428,800\u{a0}B)"
    );
    assert_eq!(
        over((50 << 20) + 1, 50 << 20, Locale::Ru),
        "Слишком большой: 52\u{a0}428\u{a0}801\u{a0}Б (не больше 52\u{a0}428\u{a0}800\u{a0}Б)"
    );
    let under = Locale::En.refusal(&crate::core::Refusal::TooSmall {
        size: 1023 * 1024 + 1,
        min: 1023 * 1024 + 2,
    });
    assert_eq!(
        under,
        "Too small: 1,047,553\u{a0}B (at least 1,047,554\u{a0}B)"
    );
}

mod custom_wording {
    use super::super::custom::CustomStrings;
    use super::super::keys::KEYS;
    use super::*;
    use crate::core::json::Json;
    use std::rc::Rc;

    fn strings(json: &str) -> (CustomStrings, Vec<StringsWarning>) {
        CustomStrings::parse(&Json::parse(json).expect("test JSON"))
    }

    fn wording(language: &str, json: &str, rule: Option<PluralRule>) -> Wording {
        let (custom, warnings) = strings(json);
        assert_eq!(warnings, [], "{json}");
        Wording::new(
            Language::parse(language).unwrap(),
            Some(Rc::new(custom)),
            rule,
        )
    }

    /// Polish, as `Intl.PluralRules` answers for whole numbers.
    fn polish() -> PluralRule {
        PluralRule::new(|n| {
            let i = n as u64;
            match (i % 10, i % 100) {
                _ if i == 1 => PluralCategory::One,
                (2..=4, r) if !(12..=14).contains(&r) => PluralCategory::Few,
                _ => PluralCategory::Many,
            }
        })
    }

    #[test]
    fn names_the_host_did_not_word_start_with_the_words_it_did() {
        let arabic = wording(
            "ar",
            r#"{"dropHere":"أسقط الملفات هنا أو ","browse":"تصفح","remove":"إزالة","cancel":"إلغاء",
                "retryFile":"أعد {name}"}"#,
            None,
        );
        assert_eq!(arabic.text(Key::DropZoneLabel), "أسقط الملفات هنا أو تصفح");
        let remove = arabic.say(Key::RemoveFile, &["a.txt"], |m| (m.remove_file)("a.txt"));
        assert_eq!(remove, "إزالة a.txt");
        let kept = arabic.say(Key::RemoveKept, &["a.txt"], |m| (m.remove_kept)("a.txt"));
        assert_eq!(kept, "إزالة a.txt");
        let cancel = arabic.say(Key::CancelFile, &["a.txt"], |m| (m.cancel_file)("a.txt"));
        assert_eq!(cancel, "إلغاء a.txt");
        // A name the host worded is its own; one whose words it left to
        // the table stays the table's.
        let retry = arabic.say(Key::RetryFile, &["a.txt"], |m| (m.retry_file)("a.txt"));
        assert_eq!(retry, "أعد a.txt");
        let delete = arabic.say(Key::DeleteFile, &["a.txt", "DEMO-1"], |m| {
            (m.delete_file)("a.txt", "DEMO-1")
        });
        assert_eq!(
            delete,
            (Locale::En.messages().delete_file)("a.txt", "DEMO-1")
        );
        // With none of the shown words worded, the built-in name.
        let plain = wording("en", r#"{"keep":"Keep it"}"#, None);
        assert_eq!(
            plain.text(Key::DropZoneLabel),
            Locale::En.messages().drop_zone_label
        );
    }

    #[test]
    fn the_lang_tag_is_the_language_of_the_words_shown() {
        let german = || Language::parse("de-CH").unwrap();
        // No words of its own: English stands in, and is tagged so.
        assert_eq!(Wording::new(german(), None, None).tag(), "en");
        assert_eq!(wording("de-CH", "{}", None).tag(), "en");
        // The host's German words: German, even where English fills gaps.
        assert_eq!(
            wording("de-CH", r#"{"browse":"durchsuchen"}"#, None).tag(),
            "de-CH"
        );
        assert_eq!(Wording::from(Locale::Ru).tag(), "ru");
        assert_eq!(Wording::new(Locale::En.into(), None, None).tag(), "en");
    }

    #[test]
    fn the_direction_is_that_of_the_words_shown() {
        let hebrew = r#"{"browse":"עיון"}"#;
        assert_eq!(wording("he", hebrew, None).dir(), "rtl");
        assert_eq!(wording("ar-EG", hebrew, None).dir(), "rtl");
        assert_eq!(wording("fa", hebrew, None).dir(), "rtl");
        assert_eq!(wording("az-Arab", hebrew, None).dir(), "rtl");
        assert_eq!(wording("yi", hebrew, None).dir(), "rtl");
        assert_eq!(wording("ji", hebrew, None).dir(), "rtl");
        // Written in Latin letters, or not a right-to-left language.
        assert_eq!(wording("ar-Latn", hebrew, None).dir(), "ltr");
        assert_eq!(wording("hr", hebrew, None).dir(), "ltr");
        assert_eq!(wording("de", hebrew, None).dir(), "ltr");
        // Hebrew asked for, no words given: English is shown.
        assert_eq!(
            Wording::new(Language::parse("he").unwrap(), None, None).dir(),
            "ltr"
        );
        assert_eq!(Wording::from(Locale::Ru).dir(), "ltr");
    }

    #[test]
    fn templates_fill_named_placeholders_and_leave_the_rest() {
        let names = ["size", "max"];
        assert_eq!(
            fill("{size} > {max}; {size}", &names, &["2 MB", "1 MB"]),
            "2 MB > 1 MB; 2 MB"
        );
        assert_eq!(
            fill("{name} is {size}", &names, &["3 KB"]),
            "{name} is 3 KB"
        );
        assert_eq!(fill("{ {size}} {", &names, &["1"]), "{ 1} {");
        assert_eq!(fill("{size", &names, &["1"]), "{size");
        assert_eq!(fill("{}{max}", &names, &["a"]), "{}");
        assert_eq!(fill("Größe: {size}", &names, &["1 Б"]), "Größe: 1 Б");
        assert_eq!(fill("", &names, &[]), "");
    }

    #[test]
    fn plural_forms_fall_back_to_other() {
        let forms = PluralForms {
            one: Some("one".into()),
            few: Some("few".into()),
            other: "other".into(),
            ..PluralForms::default()
        };
        assert_eq!(forms.pick(PluralCategory::One), "one");
        assert_eq!(forms.pick(PluralCategory::Few), "few");
        for missing in [
            PluralCategory::Zero,
            PluralCategory::Two,
            PluralCategory::Many,
            PluralCategory::Other,
        ] {
            assert_eq!(forms.pick(missing), "other", "{missing:?}");
        }
        for name in ["zero", "one", "two", "few", "many", "other"] {
            assert!(PluralCategory::from_name(name).is_some(), "{name}");
        }
        assert_eq!(PluralCategory::from_name("several"), None);
    }

    #[test]
    fn every_message_field_has_a_key_named_after_it() {
        // `keys.rs` also fails to compile when `Messages` gains a field the
        // table lacks; this checks the names hosts write.
        assert_eq!(KEYS.len(), Key::ALL.len());
        for (at, (spec, key)) in KEYS.iter().zip(Key::ALL).enumerate() {
            assert_eq!(*key as usize, at);
            let mut camel = String::new();
            let mut upper = false;
            for c in spec.field.chars() {
                match c {
                    '_' => upper = true,
                    c if upper => {
                        camel.push(c.to_ascii_uppercase());
                        upper = false;
                    }
                    c => camel.push(c),
                }
            }
            assert_eq!(spec.name, camel);
            assert_eq!(Key::from_name(spec.name), Some(*key));
            if spec.kind == KeyKind::Count {
                assert!(!spec.placeholders.is_empty(), "{}", spec.name);
            }
        }
        // Text keys give the field they are named after.
        let en = Locale::En.messages();
        assert_eq!(Key::Browse.builtin_text(en), en.browse);
        assert_eq!(Key::DropHere.builtin_text(en), en.drop_here);
        assert_eq!(Key::from_name("tag"), None);
    }

    #[test]
    fn every_key_can_be_overridden_by_its_name() {
        for spec in KEYS {
            let value = match spec.kind {
                KeyKind::Units => Json::Array(vec![Json::String("u".into()); 6]),
                _ => Json::String("t".into()),
            };
            let json = Json::Object(vec![(spec.name.to_owned(), value)]);
            let (custom, warnings) = CustomStrings::parse(&json);
            assert_eq!(warnings, [], "{}", spec.name);
            assert!(!custom.is_empty(), "{}", spec.name);
        }
    }

    #[test]
    fn bad_entries_are_reported_by_key_and_left_out() {
        let (custom, warnings) = strings(
            r#"{"dropHere": "Dateien hier ablegen oder ",
                "dropHear": "typo",
                "browse": 7,
                "filesAdded": {"one": "{count} Datei"},
                "filesFailed": {"one": "x", "several": "y", "other": "z"},
                "tooLarge": {"other": "not counted"},
                "byteUnits": ["B", "KB"],
                "retryFailed": {"one": "Eine erneut", "other": "Alle {count} erneut"}}"#,
        );
        let keys: Vec<&str> = warnings.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "dropHear",
                "browse",
                "filesAdded",
                "filesFailed",
                "tooLarge",
                "byteUnits"
            ]
        );
        assert!(custom.get(Key::DropHere).is_some());
        assert!(custom.get(Key::RetryFailed).is_some());
        for key in [
            Key::Browse,
            Key::FilesAdded,
            Key::FilesFailed,
            Key::TooLarge,
            Key::ByteUnits,
        ] {
            assert_eq!(custom.get(key), None, "{key:?}");
        }
        let text = warnings[2].to_string();
        assert!(text.contains("\"filesAdded\" has no \"other\""), "{text}");
        assert!(text.contains("built-in text is used"), "{text}");

        let (custom, warnings) = strings(r#"["dropHere"]"#);
        assert!(custom.is_empty());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].to_string().contains("strings takes an object"));

        // Left out, the built-in text speaks.
        let w = Wording::new(Locale::En.into(), Some(Rc::new(custom)), None);
        assert_eq!(w.text(Key::Browse), "browse");
    }

    #[test]
    fn a_language_without_a_table_speaks_the_hosts_words_and_english_elsewhere() {
        let w = wording(
            "de",
            r#"{"dropHere": "Dateien hier ablegen oder ",
                "tooLarge": "{name} ist zu groß: {size} (höchstens {max})",
                "decimalSeparator": ",",
                "byteUnits": ["B", "kB", "MB", "GB", "TB", "PB"]}"#,
            None,
        );
        assert_eq!(w.tag(), "de");
        assert_eq!(w.text(Key::DropHere), "Dateien hier ablegen oder ");
        assert_eq!(w.text(Key::Browse), "browse");
        assert_eq!(
            w.refusal(&Refusal::TooLarge {
                size: 2048 + 512,
                max: 1024
            }),
            "{name} ist zu groß: 2,5\u{a0}kB (höchstens 1,0\u{a0}kB)"
        );
        // Without a rule, every count takes `other`; English stays English.
        assert_eq!(w.plural(1.0), PluralCategory::Other);
        assert_eq!(w.announcement(&Announcement::FilesAdded(1)), "1 file added");
    }

    #[test]
    fn a_host_refusal_shows_its_reason_as_written_or_the_reworded_generic_words() {
        let reason = Refusal::ByHost {
            reason: Some("<b>Already on DEMO-1</b>".into()),
        };
        let generic = Refusal::ByHost { reason: None };
        for locale in Locale::ALL {
            assert_eq!(locale.refusal(&reason), "<b>Already on DEMO-1</b>");
        }
        assert_eq!(Locale::En.refusal(&generic), "Refused by this page");
        let w = wording("en", r#"{"refusedByHost": "Not here, sorry"}"#, None);
        assert_eq!(w.refusal(&generic), "Not here, sorry");
        assert_eq!(w.refusal(&reason), "<b>Already on DEMO-1</b>");
    }

    #[test]
    fn counted_messages_choose_their_plural_form() {
        let forms = r#"{"filesAdded": {"one": "Dodano {count} plik",
                                       "few": "Dodano {count} pliki",
                                       "many": "Dodano {count} plików",
                                       "other": "Dodano {count} pliku"},
                        "summary": "{done}/{count} · {sent}/{total}"}"#;
        let w = wording("pl", forms, Some(polish()));
        let added = |n| w.announcement(&Announcement::FilesAdded(n));
        assert_eq!(added(1), "Dodano 1 plik");
        assert_eq!(added(3), "Dodano 3 pliki");
        assert_eq!(added(5), "Dodano 5 plików");
        assert_eq!(added(22), "Dodano 22 pliki");
        assert_eq!(
            w.count(
                Key::Summary,
                4,
                &["1", "1\u{a0}KB", "2\u{a0}KB"],
                |_| unreachable!()
            ),
            "1/4 · 1\u{a0}KB/2\u{a0}KB"
        );
        // A built-in language keeps its own rule: Russian `few` for 3.
        let ru = wording(
            "ru",
            r#"{"filesAdded": {"few": "несколько: {count}", "other": "{count}"}}"#,
            Some(PluralRule::new(|_| PluralCategory::Other)),
        );
        assert_eq!(
            ru.announcement(&Announcement::FilesAdded(3)),
            "несколько: 3"
        );
        assert_eq!(ru.announcement(&Announcement::FilesAdded(5)), "5");
    }

    #[test]
    fn language_tags_are_checked_by_form() {
        for good in ["de", "pt-BR", "sr-Latn-RS", "de_CH", "zh-Hant-TW", "haw"] {
            assert!(Language::parse(good).is_some(), "{good}");
        }
        for bad in [
            "",
            "d",
            "deutsch-!",
            "de--CH",
            "1de",
            "de-CH-toolongsubtag",
            "abcd",
        ] {
            assert_eq!(Language::parse(bad), None, "{bad}");
        }
        assert_eq!(Language::parse("de_CH").unwrap().tag(), "de-CH");
        let ru = Language::parse("ru-RU").unwrap();
        assert!(ru.is_built_in());
        assert_eq!(ru.table(), Locale::Ru);
    }
}
