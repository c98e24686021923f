//! Russian: every word the widget shows. Counts agree with their nouns and
//! verbs through [`Locale::plural`]: 1 файл, 2 файла, 5 файлов, 21 файл.

use super::{Locale, Messages, PluralCategory};

/// The form of a word or phrase for `n`: one (1, 21), few (2–4, 22) and many
/// (0, 5–20, 25); `other` (fractions) takes the few form.
fn pick(n: usize, one: &'static str, few: &'static str, many: &'static str) -> &'static str {
    match Locale::Ru.plural(n as f64) {
        PluralCategory::One => one,
        PluralCategory::Few | PluralCategory::Other => few,
        PluralCategory::Zero | PluralCategory::Two | PluralCategory::Many => many,
    }
}

fn files(n: usize) -> String {
    format!("{n} {}", pick(n, "файл", "файла", "файлов"))
}

pub static MESSAGES: Messages = Messages {
    tag: "ru",

    decimal_separator: ",",
    group_separator: "\u{a0}",
    byte_units: ["Б", "КБ", "МБ", "ГБ", "ТБ", "ПБ"],
    hours: "ч",
    minutes: "мин",
    seconds: "с",
    no_time: "–",

    drop_zone_label: "Перетащите файлы сюда или выберите: нажмите Enter, чтобы выбрать файлы",
    drop_here: "Перетащите файлы сюда или ",
    browse: "выберите",
    page_drop: "Отпустите файлы, чтобы загрузить их",

    list_label: "Файлы",
    waiting: "В очереди",
    uploading: "Загружается",
    waiting_for_network: "Ждёт подключения к сети",
    uploading_of: |sent, total| format!("Отправлено {sent} из {total}"),
    retrying: |error| format!("{error} — пробуем ещё раз"),
    uploaded: "Загружено",
    cancelled: "Отменено",
    progress_label: |name| format!("Ход загрузки {name}"),
    cancel: "Отменить",
    retry: "Повторить",
    retry_now: "Повторить сейчас",
    remove: "Убрать",
    cancel_file: |name| format!("Отменить загрузку {name}"),
    retry_file: |name| format!("Повторить загрузку {name}"),
    retry_now_file: |name| format!("Повторить загрузку {name} сейчас"),
    remove_file: |name| format!("Убрать {name} из списка"),
    in_folder: |path| format!("в папке {path}"),
    delete_from_issue: "Удалить из задачи",
    delete_file: |name, issue| format!("Удалить {name} из задачи {issue}"),
    delete_question: |name, issue| format!("Удалить {name} из задачи {issue}?"),
    delete: "Удалить",
    keep: "Оставить",
    deleting: "Удаляется…",

    summary: |done, counted, sent, total| {
        format!("Загружено {done} из {counted} · {sent} из {total}")
    },
    speed_and_time_left: |speed, left| format!("{speed}/с · осталось {left}"),
    offline: "Нет подключения к сети: загрузка продолжится, когда оно восстановится",
    back_online: "Подключение восстановлено: загрузка продолжается",
    // No «все»: «все 21 …» does not agree.
    retry_failed: |n| {
        let what = pick(
            n,
            "неудачную загрузку",
            "неудачные загрузки",
            "неудачных загрузок",
        );
        format!("Повторить {n} {what}")
    },
    // With 2–4 a masculine noun's adjective takes the genitive plural:
    // «2 отклонённых файла».
    remove_refused: |n| {
        let what = pick(
            n,
            "отклонённый файл",
            "отклонённых файла",
            "отклонённых файлов",
        );
        format!("Убрать {n} {what}")
    },
    cancel_all: |n| {
        let what = pick(n, "загрузку", "загрузки", "загрузок");
        format!("Отменить {n} {what}")
    },

    files_added: |n| {
        let verb = pick(n, "Добавлен", "Добавлено", "Добавлено");
        format!("{verb} {}", files(n))
    },
    file_uploaded: |name| format!("Файл «{name}» загружен"),
    file_failed: |name, error| format!("Файл «{name}» не загружен: {error}"),
    files_uploaded: |n| {
        let verb = pick(n, "Загружен", "Загружено", "Загружено");
        format!("{verb} {}", files(n))
    },
    files_failed: |n| format!("Не удалось загрузить {}", files(n)),
    files_retrying: |n| format!("Отправляем заново {}", files(n)),
    files_removed: |n| {
        let verb = pick(n, "Убран", "Убрано", "Убрано");
        format!("{verb} из списка {}", files(n))
    },
    // «загрузка 21 файла», «2 файлов», «5 файлов»: the genitive.
    files_cancelled: |n| {
        format!(
            "Отменена загрузка {n} {}",
            pick(n, "файла", "файлов", "файлов")
        )
    },
    file_deleted: |name, issue| format!("Файл «{name}» удалён из задачи {issue}"),
    file_not_deleted: |name, error| format!("Файл «{name}» не удалён: {error}"),
    unreadable: |n| format!("Не удалось прочитать {} из перетащенной папки", files(n)),

    kept_label: "Загружены, но ещё не прикреплены",
    kept_title: "Готовы к прикреплению",
    remove_kept: |name| format!("Убрать {name} из списка"),
    comment_label: "Комментарий (необязательно)",
    attach_to: |issue| format!("Прикрепить к {issue}"),
    attaching: "Прикрепляем…",
    attached: |n, issue| {
        let verb = pick(n, "прикреплён", "прикреплены", "прикреплено");
        format!("{} {verb} к {issue}", files(n))
    },
    comment_posted: |issue| format!("Комментарий добавлен к {issue}"),
    attach_failed: |error| format!("Не удалось прикрепить: {error}"),
    no_issue_key: "Не указан ключ задачи, к которой прикрепить файлы",
    attach_running: "Файлы уже прикрепляются",
    stalled: |s| format!("Загрузка не двигается {s}\u{a0}с: соединение, похоже, зависло"),
    not_started: |s| {
        format!("Загрузка не началась за {s}\u{a0}с: нет соединения или ответа сервера")
    },
    file_changed: "Файл изменился или был перемещён после добавления; добавьте его снова",
    not_taken_back: |reason| {
        format!(
            "Файл остался прикреплён: сервер получил его до отмены, а удалить не удалось: {reason}"
        )
    },
    answer_lost: |error| {
        format!("{error} после отправки всего файла: он, возможно, уже прикреплён, проверьте задачу, прежде чем повторять")
    },
    not_deleted: |reason| format!("Файл остался в задаче: удалить не удалось: {reason}"),
    nothing_to_delete:
        "Среди файлов, загруженных здесь в задачу, нет файла с таким идентификатором",
    delete_running: "Этот файл уже удаляется",
    not_taken_back_unknown: "Файл остался прикреплён: сервер получил его до отмены, \
        а по его ответу не понять, какое вложение удалить",
    kept_expired: |n| {
        let verb = pick(
            n,
            "устарел или уже прикреплён",
            "устарели или уже прикреплены",
            "устарели или уже прикреплены",
        );
        format!("{} {verb}", files(n))
    },

    too_large: |size, max| format!("Слишком большой: {size} (не больше {max})"),
    too_small: |size, min| format!("Слишком маленький: {size} (не меньше {min})"),
    too_many_files: |max| format!("Слишком много файлов (не больше {max})"),
    total_too_large: |max| format!("Все файлы вместе больше {max}"),
    type_not_accepted: |accept| format!("Файлы такого типа не принимаются (можно: {accept})"),
    duplicate: "Уже в списке",
    refused_by_host: "Страница не принимает этот файл",

    // These details come from the browser and our own parsers, in English:
    // a Russian sentence is worth more to the reader than a technical half
    // in another language. Hosts still get them in the error's `message`.
    network_error: |_detail| "Ошибка сети: связь с сервером прервалась".to_owned(),
    http_status: |status| format!("Ошибка HTTP {status}"),
    invalid_response: |_detail| "Неожиданный ответ сервера".to_owned(),
    browser_error: |_detail| "Браузер не смог отправить файл".to_owned(),
    needs_issue: |_mode| "Не указана задача для загрузки: страница её не назвала".to_owned(),
    no_comments: |mode| {
        format!("В режиме {mode} комментарии не отправляются: у его сервера их нет")
    },
};
