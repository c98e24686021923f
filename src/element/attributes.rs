//! From the element's attributes (or `mount()`'s options, spelled the same
//! way) to [`WidgetOptions`]. A value that does not parse keeps the default
//! and yields a warning naming the attribute; nothing here can fail.

use std::fmt;

use crate::backend::{AuthScheme, Mode, OrgHeader, MIN_CHUNK_SIZE};
use crate::core::{is_accept_rule, parse_accept, parse_byte_size, Language};
use crate::ui::{Theme, WidgetOptions};
use crate::web::Persist;

/// Every attribute the element reads; changing any of them at run time
/// reconfigures the widget.
pub const ATTRIBUTES: [&str; 29] = [
    "api",
    "mode",
    "issue",
    "token",
    "auth-scheme",
    "org-id",
    "org-header",
    "name",
    "accept",
    "max-size",
    "min-size",
    "max-files",
    "max-total-size",
    "multiple",
    "concurrency",
    "chunk-size",
    "url",
    "field",
    "id-field",
    "locale",
    "theme",
    "persist",
    "persist-key",
    "disabled",
    "page-drop",
    "page-paste",
    "jira-batch",
    "with-credentials",
    "id",
];

/// Uploads at once above this gain nothing (browsers run six connections
/// per origin) and only starve the page's own requests.
const MAX_CONCURRENCY: usize = 6;

/// A value the element could not use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeWarning {
    pub attribute: String,
    pub value: String,
    pub expected: &'static str,
    /// What the widget does instead.
    pub instead: &'static str,
}

/// What a warning's widget does with a value it cannot use.
const DEFAULT_USED: &str = "the default is used";

/// An `accept` rule that matches no file.
const ACCEPT_RULE_DROPPED: &str = "it is left out (with none left, every type is taken)";

/// A `chunk-size` under `MIN_CHUNK_SIZE`: kept, and raised for every file.
const CHUNK_RAISED: &str = "parts of 64 KiB are sent";
const _: () = assert!(MIN_CHUNK_SIZE == 64 * 1024, "CHUNK_RAISED names the size");

/// A `locale` with no built-in table: kept for `lang` and plurals.
pub const LOCALE_WITHOUT_TABLE: &str = "English is shown where the strings option gives no text";

impl fmt::Display for AttributeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Long values are cut: a warning is for a person reading a console.
        let value: String = self.value.chars().take(60).collect();
        write!(
            f,
            "tracker-attachments: {}=\"{}\" is not {}; {}",
            self.attribute, value, self.expected, self.instead
        )
    }
}

/// The warnings one widget has told. Every change of an attribute builds
/// the options again from all of them: a bad value already told about is
/// not told again while it stays, only when it comes back after a good one.
#[derive(Default)]
pub struct ToldWarnings(Vec<AttributeWarning>);

impl ToldWarnings {
    /// Those of `now` not told yet; `now` is what has been told from here.
    pub fn news(&mut self, now: Vec<AttributeWarning>) -> Vec<AttributeWarning> {
        let news = now
            .iter()
            .filter(|warning| !self.0.contains(warning))
            .cloned()
            .collect();
        self.0 = now;
        news
    }
}

/// The options the attributes describe, with a warning per unusable value.
/// `read` returns an attribute's value, `None` when it is absent.
pub fn options_from_attributes(
    read: &dyn Fn(&str) -> Option<String>,
) -> (WidgetOptions, Vec<AttributeWarning>) {
    let mut options = WidgetOptions::default();
    let mut warnings = Vec::new();
    let mut warn = |attribute: &str, value: &str, expected: &'static str| {
        warnings.push(AttributeWarning {
            attribute: attribute.to_owned(),
            value: value.to_owned(),
            expected,
            instead: DEFAULT_USED,
        });
    };
    let text = |name: &str| read(name).map(|v| v.trim().to_owned());

    // An address the widget can send to: http(s), or a path on the page's
    // own origin. `javascript:` or `ftp:` would only have every upload
    // blocked by the browser, with nothing said.
    let usable = crate::core::is_sendable_address;
    if let Some(api) = text("api") {
        if usable(&api) {
            options.api = api.trim_end_matches('/').to_owned();
        } else {
            warn("api", &api, "an http(s) URL or a path such as /tracker");
        }
    }
    if let Some(value) = text("mode") {
        match Mode::parse(&value) {
            Some(mode) => options.mode = mode,
            None => warn(
                "mode",
                &value,
                "one of tracker-temp, tracker-issue, jira, flow, form",
            ),
        }
    }
    if let Some(issue) = text("issue") {
        options.issue = issue;
    }
    // The token is never echoed: no warning can come from it.
    options.credentials.token = text("token").filter(|t| !t.is_empty());
    if let Some(value) = text("auth-scheme") {
        match AuthScheme::parse(&value) {
            Some(scheme) => options.credentials.scheme = Some(scheme),
            None => warn("auth-scheme", &value, "one of OAuth, Bearer, Basic"),
        }
    }
    options.credentials.org_id = text("org-id").filter(|o| !o.is_empty());
    if let Some(value) = text("org-header") {
        match OrgHeader::parse(&value) {
            Some(header) => options.credentials.org_header = header,
            None => warn("org-header", &value, "X-Org-ID or X-Cloud-Org-ID"),
        }
    }
    if let Some(name) = text("name") {
        if name.is_empty() {
            warn("name", &name, "a form field name");
        } else {
            options.name = name;
        }
    }
    let mut dropped_rules = None;
    if let Some(accept) = read("accept") {
        // A rule that matches no file is dropped: kept, it would refuse
        // every file where the page meant to allow some.
        let (rules, unusable): (Vec<String>, Vec<String>) = parse_accept(&accept)
            .into_iter()
            .partition(|r| is_accept_rule(r));
        if !unusable.is_empty() {
            dropped_rules = Some(unusable.join(", "));
        }
        options.restrictions.accept = rules;
    }
    let mut size = |name: &str, expected: &'static str, zero_ok: bool| -> Option<u64> {
        let value = text(name)?;
        match parse_byte_size(&value) {
            Some(bytes) if zero_ok || bytes > 0 => Some(bytes),
            _ => {
                warn(name, &value, expected);
                None
            }
        }
    };
    if let Some(bytes) = size("max-size", "a size such as 10485760, 10MB or 1GiB", false) {
        options.restrictions.max_file_size = Some(bytes);
    }
    if let Some(bytes) = size("min-size", "a size such as 1 or 1KB", true) {
        options.restrictions.min_file_size = Some(bytes);
    }
    if let Some(bytes) = size("max-total-size", "a size such as 100MB", false) {
        options.restrictions.max_total_size = Some(bytes);
    }
    // A part size under the least a part may be is used raised to it, as
    // for every file (`backend::bounded_chunk_size`); the page is told so.
    let mut raised_chunk = None;
    if let Some(bytes) = size("chunk-size", "a size such as 8MiB", false) {
        options.chunk_size = bytes;
        // Only flow mode sends parts: elsewhere the size is said of nothing.
        if bytes < MIN_CHUNK_SIZE && options.mode == Mode::Flow {
            raised_chunk = text("chunk-size");
        }
    }
    // Taken, every file would be refused as too small or too large.
    let limits = &mut options.restrictions;
    let largest = [limits.max_file_size, limits.max_total_size]
        .into_iter()
        .flatten()
        .min();
    if limits
        .min_file_size
        .zip(largest)
        .is_some_and(|(min, max)| min > max)
    {
        limits.min_file_size = None;
        let value = text("min-size").unwrap_or_default();
        warn(
            "min-size",
            &value,
            "a size no larger than the largest file allowed (max-size, max-total-size, 1 GiB by default)",
        );
    }
    if let Some(value) = text("max-files") {
        match value.parse::<usize>() {
            Ok(n) if n > 0 => options.restrictions.max_files = Some(n),
            _ => warn("max-files", &value, "a whole number above 0"),
        }
    }
    if let Some(value) = text("concurrency") {
        match value.parse::<usize>() {
            Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => options.concurrency = n,
            _ => warn("concurrency", &value, "a whole number from 1 to 6"),
        }
    }
    if let Some(value) = text("multiple") {
        match parse_flag(&value, "multiple") {
            Some(on) => options.multiple = on,
            None => warn("multiple", &value, "true or false"),
        }
    }
    if let Some(url) = text("url") {
        if usable(&url) {
            options.form_url = url;
        } else {
            warn("url", &url, "an http(s) URL or a path such as /upload");
        }
    }
    if let Some(field) = text("field") {
        if field.is_empty() {
            warn("field", &field, "a form field name");
        } else {
            options.form_field = field;
        }
    }
    options.form_id_field = text("id-field").filter(|f| !f.is_empty());
    // Told once: a bad `url` was warned about above.
    if options.mode == Mode::Form && options.form_url.is_empty() && text("url").is_none() {
        warn("url", "", "set (form mode posts to it)");
    }
    if let Some(value) = text("locale") {
        match Language::parse(&value) {
            Some(language) => options.locale = Some(language),
            None => warn("locale", &value, "a language tag such as en, ru or de-CH"),
        }
    }
    if let Some(value) = text("theme") {
        match Theme::parse(&value) {
            Some(theme) => options.theme = theme,
            None => warn("theme", &value, "one of auto, light, dark"),
        }
    }
    if let Some(value) = text("disabled") {
        match parse_flag(&value, "disabled") {
            Some(on) => options.disabled = on,
            None => warn("disabled", &value, "true or false"),
        }
    }
    if let Some(value) = text("page-drop") {
        match parse_flag(&value, "page-drop") {
            Some(on) => options.page_drop = on,
            None => warn("page-drop", &value, "true or false"),
        }
    }
    if let Some(value) = text("page-paste") {
        match parse_flag(&value, "page-paste") {
            Some(on) => options.page_paste = on,
            None => warn("page-paste", &value, "true or false"),
        }
    }
    if let Some(value) = text("jira-batch") {
        match parse_flag(&value, "jira-batch") {
            Some(on) => options.jira_batch = on,
            None => warn("jira-batch", &value, "true or false"),
        }
    }
    if let Some(value) = text("with-credentials") {
        match parse_flag(&value, "with-credentials") {
            Some(on) => options.credentials.send_cookies = on,
            None => warn("with-credentials", &value, "true or false"),
        }
    }
    if let Some(value) = text("persist") {
        match Persist::parse(&value) {
            Some(persist) => options.persist = persist,
            None => warn("persist", &value, "one of session, local, none"),
        }
    }
    // Two widgets on a page must not share one stored list: without a
    // `persist-key` the element's id (or its form field name) tells them apart.
    // An empty `persist-key` (a template's unset variable) counts as none.
    let key = text("persist-key")
        .filter(|k| !k.is_empty())
        .or_else(|| text("id").filter(|k| !k.is_empty()));
    if let Some(key) = key {
        options.persist_key = key;
    } else if options.name != WidgetOptions::default().name {
        options.persist_key = options.name.clone();
    }
    if let Some(value) = dropped_rules {
        warnings.push(AttributeWarning {
            attribute: "accept".to_owned(),
            value,
            expected: "a file type such as image/*, application/pdf or .pdf",
            instead: ACCEPT_RULE_DROPPED,
        });
    }
    if let Some(value) = raised_chunk {
        warnings.push(AttributeWarning {
            attribute: "chunk-size".to_owned(),
            value,
            expected: "at least 64 KiB",
            instead: CHUNK_RAISED,
        });
    }
    if let Some(language) = options.locale.as_ref().filter(|l| !l.is_built_in()) {
        // The element drops this one when the host gives strings.
        warnings.push(AttributeWarning {
            attribute: "locale".to_owned(),
            value: language.tag().to_owned(),
            expected: "en or ru",
            instead: LOCALE_WITHOUT_TABLE,
        });
    }
    for (attribute, property) in PROPERTY_ONLY {
        if read(attribute).is_some() {
            warnings.push(AttributeWarning {
                attribute: attribute.to_owned(),
                // Not echoed: `authorization` may be a token.
                value: "…".to_owned(),
                expected: property,
                instead: "it is ignored",
            });
        }
    }
    (options, warnings)
}

/// Properties written as attributes, each with what its warning says. A
/// framework that renders the element before `init()` has defined it
/// (React, Vue) writes objects and functions as attributes; Vue writes
/// `:before-add` as one even after. Unread, the page's own file check
/// would be skipped without a word.
const PROPERTY_ONLY: [(&str, &str); 6] = [
    ("before-add", BEFORE_ADD_IS_A_PROPERTY),
    ("beforeadd", BEFORE_ADD_IS_A_PROPERTY),
    (
        "authorization",
        "read as an attribute: authorization is a property, set from script",
    ),
    (
        "headers",
        "read as an attribute: headers is a property, set from script",
    ),
    (
        "fields",
        "read as an attribute: fields is a property, set from script",
    ),
    (
        "strings",
        "read as an attribute: strings is a property, set from script",
    ),
];
const BEFORE_ADD_IS_A_PROPERTY: &str =
    "read as an attribute: beforeAdd is a property, set from script (in Vue, :beforeAdd)";

/// A boolean attribute: present-and-empty or its own name mean on, as in
/// HTML; `false`/`0`/`no`/`off` turn a default-on feature off.
fn parse_flag(value: &str, name: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        other if other == name => Some(true),
        _ => None,
    }
}

/// `maxSize` → `max-size`: `mount()` takes the attribute names in camelCase.
pub fn attribute_name(option: &str) -> String {
    let mut name = String::with_capacity(option.len() + 4);
    for c in option.chars() {
        if c.is_ascii_uppercase() {
            name.push('-');
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> (WidgetOptions, Vec<AttributeWarning>) {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        options_from_attributes(&|name| map.get(name).cloned())
    }

    #[test]
    fn no_attributes_give_the_defaults() {
        let (options, warnings) = parse(&[]);
        let defaults = WidgetOptions::default();
        assert!(warnings.is_empty());
        assert_eq!(options.mode, defaults.mode);
        assert_eq!(options.concurrency, defaults.concurrency);
        assert_eq!(options.restrictions, defaults.restrictions);
        assert_eq!(options.persist_key, "default");
        assert!(options.multiple);
    }

    #[test]
    fn properties_written_as_attributes_are_warned_about_without_their_values() {
        let (_, warnings) = parse(&[
            ("headers", "[object Object]"),
            ("before-add", "check"),
            ("authorization", "OAuth secret"),
        ]);
        let told: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(told.len(), 3, "{told:?}");
        assert!(
            told.iter().any(|w| w.contains("beforeAdd is a property")),
            "{told:?}"
        );
        assert!(told
            .iter()
            .any(|w| w.starts_with("tracker-attachments: headers=")));
        assert!(told
            .iter()
            .all(|w| !w.contains("secret") && w.ends_with("it is ignored")));
    }

    #[test]
    fn an_address_the_widget_cannot_send_to_is_warned_about() {
        for bad in [
            "javascript:alert(1)",
            "ftp://files.example",
            "not a url",
            "data:,x",
            "https:",
            "http://127.0.0.1:99999",
        ] {
            let (options, warnings) = parse(&[("api", bad), ("url", bad), ("mode", "form")]);
            assert_eq!(options.api, WidgetOptions::default().api, "{bad}");
            let warned: Vec<&str> = warnings.iter().map(|w| w.attribute.as_str()).collect();
            assert_eq!(warned, ["api", "url"], "{bad}: {warnings:?}");
        }
        for good in [
            "https://tracker.example",
            "/tracker",
            "//127.0.0.1:1",
            "api",
        ] {
            let (options, warnings) = parse(&[("api", good)]);
            assert_eq!(options.api, good);
            assert!(warnings.is_empty(), "{good}: {warnings:?}");
        }
    }

    #[test]
    fn every_attribute_lands_in_its_option() {
        let (options, warnings) = parse(&[
            ("api", "https://tracker.example/"),
            ("mode", "Jira"),
            ("issue", " PROJ-7 "),
            ("token", "secret"),
            ("auth-scheme", "bearer"),
            ("org-id", "42"),
            ("org-header", "X-Cloud-Org-ID"),
            ("name", "ids"),
            ("accept", "image/*, .pdf"),
            ("max-size", "10MB"),
            ("min-size", "1"),
            ("max-files", "3"),
            ("max-total-size", "1GiB"),
            ("multiple", "false"),
            ("concurrency", "2"),
            ("chunk-size", "4MiB"),
            ("url", "/upload"),
            ("field", "attachment"),
            ("id-field", "data.id"),
            ("persist", "local"),
            ("persist-key", "form-1"),
            ("locale", "ru-RU"),
            ("theme", "dark"),
            ("page-drop", ""),
            ("page-paste", "true"),
            ("jira-batch", "true"),
            ("with-credentials", ""),
        ]);
        assert_eq!(warnings, []);
        assert_eq!(options.api, "https://tracker.example");
        assert_eq!(options.mode, Mode::Jira);
        assert_eq!(options.issue, "PROJ-7");
        assert_eq!(options.credentials.token.as_deref(), Some("secret"));
        assert_eq!(options.credentials.scheme, Some(AuthScheme::Bearer));
        assert_eq!(options.credentials.org_id.as_deref(), Some("42"));
        assert_eq!(options.credentials.org_header, OrgHeader::XCloudOrgId);
        assert_eq!(options.name, "ids");
        assert_eq!(options.restrictions.accept, ["image/*", ".pdf"]);
        assert_eq!(options.restrictions.max_file_size, Some(10 << 20));
        assert_eq!(options.restrictions.min_file_size, Some(1));
        assert_eq!(options.restrictions.max_files, Some(3));
        assert_eq!(options.restrictions.max_total_size, Some(1 << 30));
        assert!(!options.multiple);
        assert_eq!(options.concurrency, 2);
        assert_eq!(options.chunk_size, 4 << 20);
        assert_eq!(options.form_url, "/upload");
        assert_eq!(options.form_field, "attachment");
        assert_eq!(options.form_id_field.as_deref(), Some("data.id"));
        assert_eq!(options.persist, Persist::Local);
        assert_eq!(options.persist_key, "form-1");
        assert_eq!(options.locale, Some(crate::core::Locale::Ru.into()));
        assert_eq!(options.theme, Theme::Dark);
        assert!(options.page_drop);
        assert!(options.page_paste);
        assert!(options.jira_batch);
        assert!(options.credentials.send_cookies);
    }

    #[test]
    fn a_min_size_over_the_max_size_is_left_out() {
        let (options, warnings) = parse(&[("max-size", "1KB"), ("min-size", "2KB")]);
        assert_eq!(options.restrictions.min_file_size, None);
        assert_eq!(options.restrictions.max_file_size, Some(1024));
        let named: Vec<(&str, &str)> = warnings
            .iter()
            .map(|w| (w.attribute.as_str(), w.value.as_str()))
            .collect();
        assert_eq!(named, [("min-size", "2KB")]);
        // The total bounds every file too, and so does the default.
        let (options, warnings) = parse(&[("max-total-size", "1KB"), ("min-size", "2KB")]);
        assert_eq!(options.restrictions.min_file_size, None);
        assert_eq!(warnings.len(), 1);
        let (options, warnings) = parse(&[("min-size", "2GiB")]);
        assert_eq!(options.restrictions.min_file_size, None);
        assert_eq!(warnings.len(), 1);
        // Equal bounds take files of that one size.
        let (options, warnings) = parse(&[("max-size", "1KB"), ("min-size", "1024")]);
        assert_eq!(options.restrictions.min_file_size, Some(1024));
        assert_eq!(warnings, []);
    }

    #[test]
    fn bad_values_warn_by_name_and_keep_the_default() {
        let (options, warnings) = parse(&[
            ("max-size", "lots"),
            ("mode", "s3"),
            ("concurrency", "0"),
            ("max-files", "-2"),
            ("multiple", "sometimes"),
            ("persist", "forever"),
            ("auth-scheme", "Digest"),
            ("org-header", "X-Org"),
            ("chunk-size", "0"),
            ("locale", "not a language"),
            ("theme", "night"),
            ("page-drop", "maybe"),
            ("page-paste", "no way"),
            ("jira-batch", "often"),
            ("with-credentials", "cookies"),
        ]);
        let defaults = WidgetOptions::default();
        let named: Vec<&str> = warnings.iter().map(|w| w.attribute.as_str()).collect();
        assert_eq!(
            named,
            [
                "mode",
                "auth-scheme",
                "org-header",
                "max-size",
                "chunk-size",
                "max-files",
                "concurrency",
                "multiple",
                "locale",
                "theme",
                "page-drop",
                "page-paste",
                "jira-batch",
                "with-credentials",
                "persist"
            ]
        );
        assert_eq!(options.restrictions, defaults.restrictions);
        assert_eq!(options.mode, defaults.mode);
        assert_eq!(options.concurrency, defaults.concurrency);
        assert_eq!(options.chunk_size, defaults.chunk_size);
        assert_eq!(options.persist, defaults.persist);
        assert!(options.multiple);
        assert_eq!(options.locale, None);
        assert_eq!(options.theme, Theme::Auto);
        assert!(!options.page_drop);
        assert!(!options.page_paste);
        assert!(!options.jira_batch);
        assert!(!options.credentials.send_cookies);
        let text = warnings[0].to_string();
        assert!(text.contains("mode=\"s3\""), "{text}");
    }

    #[test]
    fn accept_rules_that_match_no_file_are_left_out_with_a_warning() {
        let (options, warnings) = parse(&[("accept", "5, .pdf, pdf")]);
        assert_eq!(options.restrictions.accept, [".pdf"]);
        assert_eq!(warnings.len(), 1);
        let text = warnings[0].to_string();
        assert!(text.contains("accept=\"5, pdf\""), "{text}");
        // None left: every type is taken, as with no attribute.
        let (options, warnings) = parse(&[("accept", "5")]);
        assert!(options.restrictions.accept.is_empty());
        assert_eq!(warnings[0].attribute, "accept");
    }

    #[test]
    fn a_language_without_a_table_is_kept_with_a_warning() {
        let (options, warnings) = parse(&[("locale", "de-CH")]);
        let language = options.locale.expect("the tag is kept");
        assert_eq!(language.tag(), "de-CH");
        assert!(!language.is_built_in());
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].attribute, "locale");
        assert_eq!(warnings[0].instead, LOCALE_WITHOUT_TABLE);
        let text = warnings[0].to_string();
        assert!(text.contains("locale=\"de-CH\""), "{text}");
        assert!(!text.contains("default is used"), "{text}");
        // A built-in language warns about nothing.
        assert_eq!(parse(&[("locale", "ru-RU")]).1, []);
    }

    #[test]
    fn a_warning_is_told_once_while_its_value_stays() {
        let mut told = ToldWarnings::default();
        let bad_size = parse(&[("max-size", "lots")]).1;
        assert_eq!(told.news(bad_size.clone()), bad_size);
        // Another attribute changed; the bad size is still there.
        assert_eq!(
            told.news(parse(&[("max-size", "lots"), ("issue", "DEMO-2")]).1),
            []
        );
        // A new bad value is news; the one that stayed is not.
        let both = parse(&[("max-size", "lots"), ("mode", "s3")]).1;
        let news = told.news(both);
        assert_eq!(news.len(), 1);
        assert_eq!(news[0].attribute, "mode");
        // Put right, then wrong again: told again.
        assert_eq!(told.news(parse(&[("max-size", "5 MB")]).1), []);
        assert_eq!(told.news(bad_size.clone()), bad_size);
    }

    #[test]
    fn form_mode_without_url_warns() {
        let (_, warnings) = parse(&[("mode", "form")]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].attribute, "url");
    }

    #[test]
    fn the_token_is_never_echoed() {
        let (options, warnings) = parse(&[("token", "very-secret")]);
        assert_eq!(warnings, []);
        assert!(!format!("{options:?}").contains("very-secret"));
    }

    #[test]
    fn persistence_keys_come_from_the_element_when_not_set() {
        assert_eq!(parse(&[("id", "bug-form")]).0.persist_key, "bug-form");
        assert_eq!(parse(&[("name", "files")]).0.persist_key, "files");
        assert_eq!(
            parse(&[("id", "a"), ("persist-key", "b")]).0.persist_key,
            "b"
        );
        assert_eq!(
            parse(&[("id", "a"), ("persist-key", " ")]).0.persist_key,
            "a"
        );
        assert_eq!(
            parse(&[("name", "f"), ("persist-key", "")]).0.persist_key,
            "f"
        );
    }

    /// A part size under the least is kept and raised for each file, as
    /// before, and now said: the page asked for something it will not get.
    #[test]
    fn a_part_size_under_the_least_warns_that_it_is_raised() {
        let (options, warnings) = parse(&[("mode", "flow"), ("chunk-size", "1KB")]);
        assert_eq!(Some(options.chunk_size), parse_byte_size("1KB"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(
            warnings[0].to_string(),
            "tracker-attachments: chunk-size=\"1KB\" is not at least 64 KiB; parts of 64 KiB are sent"
        );
        for enough in ["64KiB", "65536", "8MiB"] {
            let (_, warnings) = parse(&[("mode", "flow"), ("chunk-size", enough)]);
            assert!(warnings.is_empty(), "{enough}: {warnings:?}");
        }
        let (_, warnings) = parse(&[("mode", "flow"), ("chunk-size", "65535")]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        // No parts are sent in the other modes: nothing to say.
        let (_, warnings) = parse(&[("chunk-size", "1KB")]);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn boolean_attribute_spellings() {
        assert!(parse(&[("multiple", "")]).0.multiple);
        assert!(parse(&[("multiple", "multiple")]).0.multiple);
        assert!(!parse(&[("multiple", "off")]).0.multiple);
    }

    #[test]
    fn option_names_become_attribute_names() {
        assert_eq!(attribute_name("maxSize"), "max-size");
        assert_eq!(attribute_name("persistKey"), "persist-key");
        assert_eq!(attribute_name("api"), "api");
        assert_eq!(attribute_name("maxTotalSize"), "max-total-size");
    }
}
