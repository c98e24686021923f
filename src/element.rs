//! The JavaScript face: the `<tracker-attachments>` custom element, the
//! `mount(element, options)` function, and the handle both are driven by.
//!
//! The element class itself is a few lines of JavaScript (`element/element.js`,
//! a custom element must be a JS class); it forwards every callback and
//! method to a [`TrackerAttachmentsHandle`]. The widget renders into the
//! host's shadow root with one shared constructable stylesheet, so the
//! page's CSS neither leaks in nor takes from it, and a strict
//! `style-src 'self'` holds. A surrounding `<form>` submits the kept ids
//! ([`form_value`]).

mod attributes;
mod detail;
mod form_value;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{CssStyleSheet, CustomEvent, CustomEventInit, File, HtmlElement, ShadowRoot};

pub use attributes::{
    attribute_name, options_from_attributes, AttributeWarning, ATTRIBUTES, LOCALE_WITHOUT_TABLE,
};

use crate::core::{CustomStrings, HostAnswer};
use crate::ui::{
    BeforeAdd, ControlledWidget, Controller, EventHandler, WidgetEvent, WidgetOptions,
};
use crate::web::{custom_strings, AuthorizationAsk, AuthorizationProvider};
use attributes::ToldWarnings;
use form_value::FormValue;

/// The element's tag name.
pub const TAG: &str = "tracker-attachments";

/// The widget's styles, adopted by every shadow root (minified by build.rs).
const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.min.css"));

#[wasm_bindgen(module = "/src/element/element.js")]
extern "C" {
    #[wasm_bindgen(js_name = defineElement, catch)]
    fn define_element(tag: &str, observed: &Array, hooks: &JsValue) -> Result<bool, JsValue>;
}

thread_local! {
    static STYLE_SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
    /// Storage keys of the widgets alive now, each with the number its
    /// holder took it under (oldest first), to warn about two sharing one.
    static LIVE_KEYS: RefCell<Vec<(u64, String)>> = const { RefCell::new(Vec::new()) };
    /// The number the next key taken is held under.
    static NEXT_KEY_HOLD: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Registers `<tracker-attachments>`. The npm package's `init()` calls it
/// after loading the wasm; calling it again does nothing.
#[wasm_bindgen(js_name = defineTrackerAttachments)]
pub fn define_tracker_attachments() -> Result<bool, JsValue> {
    let hooks = Object::new();
    let connect = Closure::<
        dyn Fn(HtmlElement, JsValue, JsValue, JsValue, JsValue, JsValue, JsValue) -> JsValue,
    >::new(
        |element: HtmlElement,
         authorization: JsValue,
         headers: JsValue,
         fields: JsValue,
         strings: JsValue,
         before_add: JsValue,
         set_form_value: JsValue| {
            let mut properties = Properties {
                authorization: authorization.dyn_into::<Function>().ok(),
                headers: text_pairs(&headers, "headers"),
                fields: text_pairs(&fields, "fields"),
                before_add: before_add.dyn_into::<Function>().ok(),
                ..Properties::default()
            };
            tell_strings(properties.take_strings(custom_strings(&strings)));
            let form_value = FormValue::of(&element, set_form_value);
            match TrackerAttachmentsHandle::attach(
                element,
                Source::Attributes,
                properties,
                form_value,
            ) {
                Ok(handle) => handle.into(),
                Err(error) => {
                    crate::web::console::error("tracker-attachments:", &error);
                    JsValue::NULL
                }
            }
        },
    );
    Reflect::set(&hooks, &"connect".into(), connect.as_ref())?;
    // The element class lives as long as the page; so does its hook.
    connect.forget();
    let observed: Array = ATTRIBUTES.iter().map(|a| JsValue::from(*a)).collect();
    define_element(TAG, &observed, &hooks)
}

/// Mounts the widget into `element` (its shadow root) for hosts that prefer
/// a function to the custom element. `options` takes the attribute names in
/// camelCase (`maxSize`, `persistKey`, …) plus `authorization`, `headers`,
/// `fields`, `strings` and `beforeAdd`.
#[wasm_bindgen]
pub fn mount(element: HtmlElement, options: JsValue) -> Result<TrackerAttachmentsHandle, JsValue> {
    let given = option_pairs(&options);
    let mut properties = Properties {
        authorization: given.authorization.flatten(),
        headers: given.headers.unwrap_or_default(),
        fields: given.fields.unwrap_or_default(),
        before_add: given.before_add.flatten(),
        ..Properties::default()
    };
    if let Some(strings) = given.strings {
        tell_strings(properties.take_strings(strings));
    }
    let form_value = FormValue::of(&element, JsValue::UNDEFINED);
    TrackerAttachmentsHandle::attach(
        element,
        Source::Options(given.pairs),
        properties,
        form_value,
    )
}

/// What the page sets as properties rather than attributes: a function,
/// two objects of name → text, and the wording.
#[derive(Clone, Default)]
struct Properties {
    authorization: Option<Function>,
    /// Sent with every request ([`crate::Credentials::extra_headers`]).
    /// Kept in memory only, never stored or logged: values may be secrets.
    headers: Vec<(String, String)>,
    /// Added to every `form` mode body.
    fields: Vec<(String, String)>,
    /// The host's wording, read (and warned about) when it is set.
    strings: Option<Rc<CustomStrings>>,
    /// The page's check of each arriving file.
    before_add: Option<Function>,
    /// Which slips of `beforeAdd` this widget has told of (a throw, an
    /// unusable answer, a promise): each once per widget, whichever
    /// function made it, or a check that throws for every file of a drop
    /// of thousands would flood the console.
    before_add_warned: Rc<Cell<u8>>,
    /// The warnings told of the strings last set: the same ones set again
    /// (a framework's every render) are not told again.
    strings_told: Vec<String>,
}

impl Properties {
    /// Takes strings as read by [`custom_strings`]; hands back their
    /// warnings to tell, none if they are those told last. Told by the
    /// caller outside any borrow: a page's `console.warn` may call back in.
    #[must_use]
    fn take_strings(
        &mut self,
        (strings, warnings): (Option<CustomStrings>, Vec<String>),
    ) -> Vec<String> {
        self.strings = strings.map(Rc::new);
        if warnings == self.strings_told {
            return Vec::new();
        }
        self.strings_told = warnings.clone();
        warnings
    }
}

fn tell_strings(warnings: Vec<String>) {
    for warning in &warnings {
        crate::web::console::warn(warning);
    }
}

/// Where a widget's settings come from.
#[derive(Clone)]
enum Source {
    /// The host element's attributes, read afresh on every change.
    Attributes,
    /// `mount()`'s options, as attribute names and values.
    Options(Vec<(String, String)>),
}

struct Mounted {
    controller: Controller,
    /// The view's reactive owner. Cleaned up explicitly on unmount: a view
    /// holding a `For` keeps its owner alive past the mount handle's drop,
    /// so dropping the handle alone would leave uploads running.
    owner: Owner,
    /// Dropping it unmounts the view and frees its reactive owner, which
    /// aborts running uploads and revokes every object URL.
    view: Box<dyn std::any::Any>,
    container: HtmlElement,
    host: HtmlElement,
    /// Where the surrounding form finds the ids.
    form_value: Rc<FormValue>,
    source: Source,
    properties: Properties,
    storage_key: String,
    /// The number it holds `storage_key` under (none with `persist: none`,
    /// or while the element is out of the page).
    key_hold: Option<u64>,
    /// The element left the page and may not come back (see `detached`):
    /// a reconfiguration meanwhile takes no hold of a key.
    detached: bool,
    /// Whether `storage_key` was the page's own choice (`persist-key`), not
    /// the one fallen back to (the id, the name, `default`).
    key_given: bool,
    /// The `locale` without a table of words last warned about: told once
    /// per tag, not on every reconfiguration.
    locale_warned: Option<String>,
    /// The attributes' other warnings, told once while their value stays.
    told: ToldWarnings,
}

/// One mounted widget, as the element (or `mount()`'s caller) drives it.
/// Every method is harmless after `unmount()`.
#[wasm_bindgen]
pub struct TrackerAttachmentsHandle {
    mounted: Rc<RefCell<Option<Mounted>>>,
}

#[wasm_bindgen]
impl TrackerAttachmentsHandle {
    /// The ids of the kept temporary attachments (the finished uploads in
    /// modes that attach directly).
    #[wasm_bindgen(getter = attachmentIds)]
    pub fn attachment_ids(&self) -> Array {
        detail::ids_array(
            &self
                .with_controller(|c| c.attachments())
                .unwrap_or_default(),
        )
    }

    /// Whether files are queued, uploading, waiting to retry or still
    /// being read from a drop.
    #[wasm_bindgen(getter)]
    pub fn busy(&self) -> bool {
        self.with_controller(|c| c.is_busy()).unwrap_or(false)
    }

    #[wasm_bindgen(getter)]
    pub fn attachments(&self) -> Array {
        detail::attachments_array(
            &self
                .with_controller(|c| c.attachments())
                .unwrap_or_default(),
        )
    }

    #[wasm_bindgen(getter)]
    pub fn authorization(&self) -> JsValue {
        self.mounted
            .borrow()
            .as_ref()
            .and_then(|m| m.properties.authorization.clone())
            .map_or(JsValue::NULL, JsValue::from)
    }

    /// An (async) function returning the `Authorization` value, called
    /// before every request and retry; `null` goes back to the attributes.
    #[wasm_bindgen(setter)]
    pub fn set_authorization(&self, provider: JsValue) {
        let provider = provider_value(provider);
        self.set_property(|p| p.authorization = provider);
    }

    /// Changes a property the page set, and the widget with it.
    fn set_property(&self, set: impl FnOnce(&mut Properties)) {
        if let Some(mounted) = self.mounted.borrow_mut().as_mut() {
            set(&mut mounted.properties);
        }
        self.reconfigure();
    }

    #[wasm_bindgen(getter = beforeAdd)]
    pub fn before_add(&self) -> JsValue {
        self.mounted
            .borrow()
            .as_ref()
            .and_then(|m| m.properties.before_add.clone())
            .map_or(JsValue::NULL, JsValue::from)
    }

    /// The page's check of each arriving file, `(file, {relativePath})`;
    /// `null` takes every file again; anything else is warned about and
    /// leaves the check as it was.
    #[wasm_bindgen(setter = beforeAdd)]
    pub fn set_before_add(&self, check: JsValue) {
        if let Some(check) = before_add_value(check) {
            self.set_property(|p| p.before_add = check);
        }
    }

    /// Headers sent with every request (`{'X-CSRFToken': token}`); names
    /// the widget owns or browsers forbid are refused with a warning.
    /// `null` sends none.
    #[wasm_bindgen(setter)]
    pub fn set_headers(&self, headers: JsValue) {
        let headers = text_pairs(&headers, "headers");
        self.set_property(|p| p.headers = headers);
    }

    /// The host's wording: message key → template (or plural forms);
    /// `null` goes back to the built-in words. Entries that cannot be used
    /// are left out with a warning naming their key.
    #[wasm_bindgen(setter)]
    pub fn set_strings(&self, strings: JsValue) {
        let strings = custom_strings(&strings);
        let mut warnings = Vec::new();
        self.set_property(|p| warnings = p.take_strings(strings));
        tell_strings(warnings);
    }

    /// Text fields added to every `form` mode body; `null` adds none.
    #[wasm_bindgen(setter)]
    pub fn set_fields(&self, fields: JsValue) {
        let fields = text_pairs(&fields, "fields");
        self.set_property(|p| p.fields = fields);
    }

    /// Takes a `FileList`, an array of `File`s or one `File`; anything else
    /// in it is skipped with a console warning.
    #[wasm_bindgen(js_name = addFiles)]
    pub fn add_files(&self, files: JsValue) {
        let files = files_from_value(&files);
        let taken = self.with_controller(|c| {
            let takes = c.enabled_now();
            c.add_files(files);
            takes
        });
        // Told outside the borrow: a page's `console.warn` may call back in.
        if taken == Some(false) {
            crate::web::console::warn(
                "tracker-attachments: addFiles() on a disabled widget takes no files",
            );
        }
    }

    /// For the element's class, not the page: the form control's disabled
    /// state (its `disabled` attribute or a `<fieldset disabled>` around
    /// it), as the browser tells it.
    #[wasm_bindgen(js_name = __setFormDisabled)]
    pub fn set_form_disabled(&self, disabled: bool) {
        let _ = self.with_controller(|c| c.set_form_disabled(disabled));
    }

    /// Opens the browser's file dialog; call it from a click or key handler.
    #[wasm_bindgen(js_name = openFileDialog)]
    pub fn open_file_dialog(&self) {
        let enabled = self.with_controller(|c| {
            c.open_file_dialog();
            c.enabled_now()
        });
        if enabled == Some(false) {
            crate::web::console::warn(
                "tracker-attachments: openFileDialog() on a disabled widget opens nothing",
            );
        }
    }

    /// Attaches the kept files to `issue`; resolves to the ids attached.
    /// Whatever the arguments, the promise rejects with a typed error
    /// rather than throw (a missing key is `no-issue-key`).
    #[wasm_bindgen(js_name = attachTo)]
    pub fn attach_to(&self, issue: JsValue) -> Promise {
        self.attach_promise(text_of(&issue), String::new())
    }

    /// Posts `text` as a comment on `issue` with the kept files attached
    /// (blank text attaches them as `attachTo` does).
    pub fn comment(&self, issue: JsValue, text: JsValue) -> Promise {
        self.attach_promise(text_of(&issue), text_of(&text))
    }

    /// Deletes the finished upload `attachmentId` from the issue it went
    /// onto (`tracker-issue`, `jira`), asking no confirmation; resolves once
    /// its row has left the list, rejects with a typed error rather than
    /// throw (`not-deleted` with the server's reason, `nothing-to-delete`,
    /// `delete-running`).
    #[wasm_bindgen(js_name = deleteAttachment)]
    pub fn delete_attachment(&self, attachment_id: JsValue) -> Promise {
        let Some(controller) = self.with_controller(|c| *c) else {
            return Promise::reject(&unmounted_error());
        };
        let attachment_id = text_of(&attachment_id);
        future_to_promise(async move {
            match controller.delete_attachment(&attachment_id).await {
                Ok(()) => Ok(JsValue::UNDEFINED),
                Err(error) => Err(error_in_words_of(&controller, &error)),
            }
        })
    }

    /// Stops every upload and empties the list and the kept attachments.
    pub fn clear(&self) {
        let _ = self.with_controller(|c| c.clear());
    }

    /// Changes the options named (the names `mount()` takes); the others
    /// stay as they are, as Uppy's and FilePond's `setOptions` do. `null`
    /// or `undefined` puts one back to its default (for `authorization`:
    /// back to `token`; for `headers`, `fields`, `strings` and `beforeAdd`:
    /// none).
    #[wasm_bindgen(js_name = setOptions)]
    pub fn set_options(&self, options: JsValue) {
        let given = option_pairs(&options);
        let mut warnings = Vec::new();
        if let Some(mounted) = self.mounted.borrow_mut().as_mut() {
            // Only `mount()`'s handles have options to merge: the element's
            // settings are its attributes.
            if let Source::Options(pairs) = &mut mounted.source {
                merge_pairs(pairs, given.pairs, &given.cleared);
            }
            if let Some(authorization) = given.authorization {
                mounted.properties.authorization = authorization;
            }
            if let Some(headers) = given.headers {
                mounted.properties.headers = headers;
            }
            if let Some(fields) = given.fields {
                mounted.properties.fields = fields;
            }
            if let Some(strings) = given.strings {
                warnings = mounted.properties.take_strings(strings);
            }
            if let Some(before_add) = given.before_add {
                mounted.properties.before_add = before_add;
            }
        }
        tell_strings(warnings);
        self.reconfigure();
    }

    /// For the element's class, not the page: the element left the page.
    /// Its storage key is let go of at once, the widget only once the task
    /// is done (element.js), so that a like element put in its place (htmx,
    /// Turbo) takes the key with no warning of two widgets sharing it.
    #[wasm_bindgen(js_name = __detached)]
    pub fn detached(&self) {
        let hold = self.mounted.borrow_mut().as_mut().and_then(|m| {
            m.detached = true;
            m.key_hold.take()
        });
        forget_key(hold);
    }

    /// For the element's class, not the page: the element was inserted
    /// again with its widget alive (moved, maybe into another document).
    /// Its styles follow it, and it holds its storage key again.
    #[wasm_bindgen(js_name = __reconnected)]
    pub fn reconnected(&self) {
        let Some((host, key, persist, held)) = self.mounted.borrow().as_ref().map(|m| {
            (
                m.host.clone(),
                m.storage_key.clone(),
                m.controller.options.try_with_value(|o| o.persist),
                m.key_hold.is_some(),
            )
        }) else {
            return;
        };
        if let Some(root) = host.shadow_root() {
            let _ = adopt_styles(&host, &root);
        }
        if let Some(m) = self.mounted.borrow_mut().as_mut() {
            m.detached = false;
        }
        if let (false, Some(persist)) = (held, persist) {
            let hold = hold_key(&key, persist);
            if let Some(m) = self.mounted.borrow_mut().as_mut() {
                m.key_hold = hold;
            }
        }
    }

    /// The element's attribute `name` changed.
    #[wasm_bindgen(js_name = attributeChanged)]
    pub fn attribute_changed(&self, _name: String) {
        self.reconfigure();
    }

    /// Stops the uploads, frees the widget and removes its DOM.
    pub fn unmount(&self) {
        let Some(mounted) = self.mounted.borrow_mut().take() else {
            return;
        };
        let Mounted {
            owner,
            view,
            container,
            host,
            form_value,
            key_hold,
            ..
        } = mounted;
        // Aborts the uploads (the controller's cleanup), revokes the object
        // URLs and disposes the signals, then takes the DOM away.
        owner.cleanup();
        drop(view);
        container.remove();
        // A shadow root of the page's own (a `mount()` host's) goes back to
        // its own sheets; ours, if the host is mounted again, comes back.
        if let Some(root) = host.shadow_root() {
            let sheets: Array = root
                .adopted_style_sheets()
                .iter()
                .filter(|s| !is_our_sheet(s))
                .collect();
            root.set_adopted_style_sheets(&sheets);
        }
        form_value.clear();
        forget_key(key_hold);
    }
}

/// A handle freed from JavaScript (`free()`, `using`) takes its widget
/// with it, the uploads included, as `unmount()` does.
impl Drop for TrackerAttachmentsHandle {
    fn drop(&mut self) {
        self.unmount();
    }
}

impl TrackerAttachmentsHandle {
    fn attach(
        host: HtmlElement,
        source: Source,
        properties: Properties,
        form_value: FormValue,
    ) -> Result<Self, JsValue> {
        let form_value = Rc::new(form_value);
        let root = shadow_root(&host)?;
        // A second widget in the same shadow root would stack under the
        // first, with two queues and one storage key: refused, as a second
        // React root on one container is, so the page learns of its slip.
        if root.query_selector("[data-ta-mount]")?.is_some() {
            return Err(js_sys::Error::new(
                "tracker-attachments: this element has a widget mounted already; unmount() it first",
            )
            .into());
        }
        let document = host
            .owner_document()
            .ok_or_else(|| JsValue::from("the element has no document"))?;
        let container: HtmlElement = document.create_element("div")?.unchecked_into();
        container.set_attribute("data-ta-mount", "")?;
        root.append_child(&container)?;

        let mounted = Rc::new(RefCell::new(None));
        let (options, warnings, locale_warning) =
            build_options(&host, &form_value, &source, &properties);
        let mut told = ToldWarnings::default();
        tell(told.news(warnings));
        warn_of_locale_later(&mounted, locale_warning);
        let storage_key = crate::web::storage_key(&options.persist_key);
        let key_hold = hold_key(&storage_key, options.persist);
        let given = key_given(&host, &source);
        let slot: Rc<RefCell<Option<(Controller, Owner)>>> = Rc::new(RefCell::new(None));
        let view = {
            let slot = slot.clone();
            let form_value = form_value.clone();
            leptos::mount::mount_to(container.clone(), move || {
                let controller = Controller::new(options);
                if let Some(owner) = Owner::current() {
                    *slot.borrow_mut() = Some((controller, owner));
                }
                // The surrounding <form> submits the ids (the kept ones, or
                // the finished uploads in the modes that keep nothing, as
                // `attachmentIds` has them). Paced like the list's other
                // consumers: at once for a short list, about once a second
                // for thousands of ids.
                Effect::new(move |_| {
                    controller.options_revision.track();
                    controller.kept_revision.track();
                    controller.done_revision.track();
                    let name = controller
                        .options
                        .try_with_value(|o| o.name.clone())
                        .unwrap_or_default();
                    let ids: Vec<String> =
                        controller.attachments().into_iter().map(|a| a.id).collect();
                    form_value.set_disabled(!controller.enabled());
                    form_value.show(&name, &ids);
                });
                view! { <ControlledWidget controller=controller/> }
            })
        };
        let (controller, owner) = slot
            .borrow_mut()
            .take()
            .ok_or_else(|| JsValue::from("the widget did not start"))?;
        *mounted.borrow_mut() = Some(Mounted {
            controller,
            owner,
            view: Box::new(view),
            container,
            host,
            form_value,
            source,
            properties,
            storage_key,
            key_hold,
            detached: false,
            key_given: given,
            locale_warned: None,
            told,
        });
        Ok(Self { mounted })
    }

    fn with_controller<T>(&self, f: impl FnOnce(&Controller) -> T) -> Option<T> {
        let controller = self.mounted.borrow().as_ref().map(|m| m.controller)?;
        // The borrow is released first: the controller may emit an event
        // whose listener calls back into this handle.
        Some(f(&controller))
    }

    /// Builds the options again from their source and hands them over.
    fn reconfigure(&self) {
        // What the options are built from, read and let go of: building
        // them warns on the console, and a page's `console.warn` may call
        // back into this handle.
        let Some((
            controller,
            host,
            form_value,
            source,
            properties,
            old_key,
            old_hold,
            old_key_given,
            detached,
        )) = self.mounted.borrow().as_ref().map(|m| {
            (
                m.controller,
                m.host.clone(),
                m.form_value.clone(),
                m.source.clone(),
                m.properties.clone(),
                m.storage_key.clone(),
                m.key_hold,
                m.key_given,
                m.detached,
            )
        })
        else {
            return;
        };
        let (options, warnings, locale_warning) =
            build_options(&host, &form_value, &source, &properties);
        // Out of the page, the element holds no key: `__reconnected` takes
        // it, should it come back.
        let take = |key: &str| match detached {
            true => None,
            false => hold_key(key, options.persist),
        };
        let news = self
            .mounted
            .borrow_mut()
            .as_mut()
            .map(|m| m.told.news(warnings))
            .unwrap_or_default();
        // Outside the borrow: a page's `console.warn` may call back in.
        tell(news);
        warn_of_locale_later(&self.mounted, locale_warning);
        let key = crate::web::storage_key(&options.persist_key);
        if key == old_key {
            // The same key, now kept or no longer kept (`persist` changed):
            // the widget holds it, or lets it go, from now on.
            let holds = options.persist != crate::web::Persist::None;
            if holds != old_hold.is_some() {
                forget_key(old_hold);
                let hold = take(&key);
                if let Some(m) = self.mounted.borrow_mut().as_mut() {
                    m.key_hold = hold;
                }
            }
            controller.set_options(options);
            return;
        }
        // The old key is free for another widget; the new one may already
        // be another's.
        forget_key(old_hold);
        let hold = take(&key);
        if let Some(m) = self.mounted.borrow_mut().as_mut() {
            m.storage_key = key;
            m.key_hold = hold;
            m.key_given = key_given(&host, &source);
        }
        if old_key_given {
            // The page switched lists (one per issue, say): each keeps
            // its own files.
            controller.set_options(options);
        } else {
            // A key fallen back to was replaced (an `id` or `name` set after
            // the fact): the same list, under its proper key.
            controller.set_options_moving_uploads(options);
        }
    }

    fn attach_promise(&self, issue: String, comment: String) -> Promise {
        let Some(controller) = self.with_controller(|c| *c) else {
            // Unmounted: nothing can be attached from here any more.
            return Promise::reject(&unmounted_error());
        };
        future_to_promise(async move {
            match controller.attach(issue, comment).await {
                Ok(ids) => Ok(ids
                    .iter()
                    .map(|id| JsValue::from(id.as_str()))
                    .collect::<Array>()
                    .into()),
                Err(error) => Err(error_in_words_of(&controller, &error)),
            }
        })
    }
}

/// `error` as a method's promise rejects with it, in the widget's words.
fn error_in_words_of(controller: &Controller, error: &crate::core::UploadError) -> JsValue {
    let words = controller
        .wording
        .try_get_untracked()
        .unwrap_or_else(|| crate::web::wording(None, None));
    detail::error_object(error, &words)
}

/// The rejection of a method called with no widget mounted: in the
/// browser's language, there being no widget to ask.
fn unmounted_error() -> JsValue {
    detail::error_object(
        &crate::core::UploadError::Cancelled,
        &crate::web::wording(None, None),
    )
}

/// Warns that `warning`'s locale has no table of words, after the task
/// that set it, once per tag, and only if the host has given no `strings`
/// by then: a page that writes `locale="de"` in its HTML sets the strings
/// right after `init()` defines (and so connects) the element.
fn warn_of_locale_later(mounted: &Rc<RefCell<Option<Mounted>>>, warning: Option<AttributeWarning>) {
    let Some(warning) = warning else {
        return;
    };
    let mounted = Rc::downgrade(mounted);
    wasm_bindgen_futures::spawn_local(async move {
        crate::web::sleep(0).await;
        let Some(mounted) = mounted.upgrade() else {
            return;
        };
        let due = match mounted.borrow_mut().as_mut() {
            Some(m)
                if m.properties.strings.is_none()
                    && m.locale_warned.as_deref() != Some(warning.value.as_str()) =>
            {
                m.locale_warned = Some(warning.value.clone());
                true
            }
            _ => false,
        };
        // Outside the borrow: a page's `console.warn` may call back in.
        if due {
            crate::web::console::warn(&warning.to_string());
        }
    });
}

/// Puts each of `warnings` on the console.
fn tell(warnings: Vec<AttributeWarning>) {
    for warning in warnings {
        crate::web::console::warn(&warning.to_string());
    }
}

/// The options `source` describes, with events dispatched on `host`, and
/// the page's properties; the warnings of values it could not use, for
/// [`ToldWarnings`]; and the warning that the locale has no table of
/// words, which waits ([`warn_of_locale_later`]).
fn build_options(
    host: &HtmlElement,
    form_value: &Rc<FormValue>,
    source: &Source,
    properties: &Properties,
) -> (
    WidgetOptions,
    Vec<AttributeWarning>,
    Option<AttributeWarning>,
) {
    let (mut options, warnings) = match source {
        // The element's `disabled` is the browser's to judge (`disabled`
        // present is disabled, whatever its value, and so is a
        // `<fieldset disabled>` around it): told by element.js.
        Source::Attributes => options_from_attributes(&|name| {
            (name != "disabled")
                .then(|| host.get_attribute(name))
                .flatten()
        }),
        Source::Options(pairs) => options_from_attributes(&|name| {
            if name == "id" {
                // The host's own id names the stored list, as the
                // element's does.
                return Some(host.id()).filter(|id| !id.is_empty());
            }
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        }),
    };
    // A language without a table is what `strings` is for: no warning
    // once the host gives them.
    let (locale_warnings, warnings): (Vec<_>, Vec<_>) = warnings
        .into_iter()
        .partition(|warning| warning.instead == LOCALE_WITHOUT_TABLE);
    let locale_warning = locale_warnings
        .into_iter()
        .next()
        .filter(|_| properties.strings.is_none());
    options.strings = properties.strings.clone();
    options.authorization = properties.authorization.clone().map(provider_from_function);
    options.before_add = properties
        .before_add
        .clone()
        .map(|check| before_add_from_function(check, properties.before_add_warned.clone()));
    options.credentials.extra_headers = properties.headers.clone();
    options.form_fields = properties.fields.clone();
    let target = host.clone();
    let form_value = form_value.clone();
    let field = options.name.clone();
    // The events' texts are the rows': the same locale and host wording
    // (options are built again whenever either changes).
    let words = crate::web::wording(options.locale.as_ref(), options.strings.clone());
    options.on_event = Some(EventHandler::new(move |event| {
        // The form holds every id before the host hears that the uploads
        // are over (its value follows the list paced, up to a second
        // behind): a listener may submit the form from here.
        if let WidgetEvent::BusyChange {
            busy: false,
            attachment_ids,
            ..
        } = event
        {
            form_value.show(&field, attachment_ids);
        }
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail::event_detail(event, &words));
        if let Ok(dom_event) = CustomEvent::new_with_event_init_dict(event.name(), &init) {
            // A listener that throws is the page's bug, not the upload's.
            let _ = target.dispatch_event(&dom_event);
        }
    }));
    (options, warnings, locale_warning)
}

/// The host's function, awaited before every request, and given
/// `{refused}`: `true` when the server has just refused its last value.
/// Its errors are not echoed: they might carry a token.
fn provider_from_function(function: Function) -> AuthorizationProvider {
    AuthorizationProvider::answering(move |ask: AuthorizationAsk| {
        let function = function.clone();
        async move {
            let context = Object::new();
            let _ = Reflect::set(&context, &"refused".into(), &ask.refused.into());
            let value = function
                .call1(&JsValue::NULL, &context)
                .map_err(|_| "the authorization function threw".to_owned())?;
            let value = JsFuture::from(Promise::resolve(&value))
                .await
                .map_err(|_| "the authorization function's promise was rejected".to_owned())?;
            match value.as_string() {
                Some(header) if !header.trim().is_empty() => Ok(header),
                Some(_) => Err("the authorization function returned an empty string".to_owned()),
                None => Err("the authorization function returned no string".to_owned()),
            }
        }
    })
}

/// An `authorization` value: a function, or `None` for `null` and (with a
/// warning) anything else.
fn provider_value(value: JsValue) -> Option<Function> {
    function_value(value, "authorization")
}

/// A property that takes a function: the function, or `None` for `null`
/// and (with a warning naming `property`) anything else.
fn function_value(value: JsValue, property: &str) -> Option<Function> {
    if !value.is_null() && !value.is_undefined() && !value.is_function() {
        crate::web::console::warn(&format!(
            "tracker-attachments: {property} must be a function; it is ignored"
        ));
    }
    value.dyn_into::<Function>().ok()
}

/// A `beforeAdd` value: `Some(None)` for `null` and `undefined`, the
/// function, or `None` (with a warning) for anything else, which leaves
/// the check as it was: a mistyped value must not drop the page's rules.
fn before_add_value(value: JsValue) -> Option<Option<Function>> {
    if value.is_null() || value.is_undefined() {
        return Some(None);
    }
    let check = function_value(value, "beforeAdd");
    check.is_some().then_some(check)
}

/// The page's `beforeAdd(file, {relativePath})`, asked synchronously. Its
/// answer is read as [`HostAnswer`]; one the widget cannot use (a throw,
/// a number) takes the file, and a promise refuses it. Each of the three
/// slips is told once per widget (`warned` holds which were), a throw with
/// the error it threw, so that one slip told does not hide another.
fn before_add_from_function(check: Function, warned: Rc<Cell<u8>>) -> BeforeAdd {
    const THREW: u8 = 1;
    const UNUSABLE: u8 = 2;
    const PENDING: u8 = 4;
    let first_time = move |slip: u8| {
        let before = warned.get();
        warned.set(before | slip);
        before & slip == 0
    };
    BeforeAdd::with_file(move |meta, file| {
        let context = Object::new();
        if let Some(path) = &meta.relative_path {
            let _ = Reflect::set(&context, &"relativePath".into(), &path.as_str().into());
        }
        let answer = match check.call2(&JsValue::NULL, file, &context) {
            Ok(value) => host_answer(&value),
            Err(thrown) => {
                if first_time(THREW) {
                    crate::web::console::warn_with(
                        "tracker-attachments: beforeAdd threw; the file is taken (told once \
                         per widget):",
                        &thrown,
                    );
                }
                return HostAnswer::Unusable.verdict();
            }
        };
        let warning = match answer {
            HostAnswer::Unusable => Some((
                UNUSABLE,
                "tracker-attachments: beforeAdd returned something other than true, false, \
                 a string or nothing; the file is taken (told once per widget)",
            )),
            HostAnswer::Pending => Some((
                PENDING,
                "tracker-attachments: beforeAdd returned a promise; it must answer at once \
                 (not async), and the file is refused (told once per widget)",
            )),
            _ => None,
        };
        if let Some((_, warning)) = warning.filter(|(slip, _)| first_time(*slip)) {
            crate::web::console::warn(warning);
        }
        answer.verdict()
    })
}

/// What a `beforeAdd` call returned, by its JavaScript type.
fn host_answer(value: &JsValue) -> HostAnswer {
    if value.is_undefined() {
        return HostAnswer::Take;
    }
    if let Some(take) = value.as_bool() {
        return if take {
            HostAnswer::Take
        } else {
            HostAnswer::Refuse
        };
    }
    if let Some(reason) = value.as_string() {
        return HostAnswer::RefuseWith(reason);
    }
    // A thenable, as `await` would treat it: a promise of any realm.
    let then = Reflect::get(value, &"then".into()).ok();
    if value.is_object() && then.is_some_and(|then| then.is_function()) {
        return HostAnswer::Pending;
    }
    HostAnswer::Unusable
}

/// `mount()`'s options object: the attribute-like ones as (attribute
/// name, value) pairs, and the property-like ones when given (`null`
/// given: `Some(None)`, `Some(vec![])`).
#[derive(Default)]
struct OptionPairs {
    pairs: Vec<(String, String)>,
    /// Attribute-like options given as `null` or `undefined`: back to
    /// their defaults.
    cleared: Vec<String>,
    authorization: Option<Option<Function>>,
    headers: Option<Vec<(String, String)>>,
    fields: Option<Vec<(String, String)>>,
    strings: Option<(Option<CustomStrings>, Vec<String>)>,
    before_add: Option<Option<Function>>,
}

/// `pairs` with `given` in place of the pairs of the same names, and
/// without the `cleared` names; the order of first setting is kept.
fn merge_pairs(
    pairs: &mut Vec<(String, String)>,
    given: Vec<(String, String)>,
    cleared: &[String],
) {
    pairs.retain(|(name, _)| !cleared.contains(name));
    for (name, value) in given {
        match pairs.iter_mut().find(|(n, _)| *n == name) {
            Some(pair) => pair.1 = value,
            None => pairs.push((name, value)),
        }
    }
}

fn option_pairs(options: &JsValue) -> OptionPairs {
    let mut given = OptionPairs::default();
    let Some(object) = options.dyn_ref::<Object>() else {
        return given;
    };
    let Some(entries) = crate::web::entries_of(object) else {
        crate::web::console::warn(
            "tracker-attachments: the options could not be read; the defaults are used",
        );
        return given;
    };
    for (key, value) in entries {
        match key.as_str() {
            "authorization" => {
                given.authorization = Some(provider_value(value));
                continue;
            }
            "headers" => {
                given.headers = Some(text_pairs(&value, "headers"));
                continue;
            }
            "fields" => {
                given.fields = Some(text_pairs(&value, "fields"));
                continue;
            }
            "strings" => {
                given.strings = Some(custom_strings(&value));
                continue;
            }
            "beforeAdd" => {
                if let Some(check) = before_add_value(value) {
                    given.before_add = Some(check);
                }
                continue;
            }
            _ => {}
        }
        let name = attribute_name(&key);
        if !ATTRIBUTES.contains(&name.as_str()) || name == "id" {
            crate::web::console::warn(&format!(
                "tracker-attachments: unknown option \"{key}\" is ignored"
            ));
            continue;
        }
        let text = if let Some(text) = value.as_string() {
            text
        } else if value.as_f64().is_some() {
            // JavaScript writes the number: Rust's float formatting would
            // add ~7 KB of gzip to the wasm for this one line.
            String::from(
                js_sys::Number::from(value)
                    .to_string_with_radix(10)
                    .unwrap_or_default(),
            )
        } else if let Some(flag) = value.as_bool() {
            flag.to_string()
        } else if value.is_null() || value.is_undefined() {
            given.cleared.push(name);
            continue;
        } else {
            // A URL, or an array such as `accept: ['image/*', '.pdf']`, has
            // text of its own (`href`, the items joined by commas); a plain
            // object's is `[object Object]`, which would be taken as an
            // address or a type.
            // Read with the exception caught: a `toString` may throw.
            let text = value
                .dyn_ref::<Object>()
                .and_then(|_| crate::web::text_of(&value))
                .filter(|text| !text.starts_with("[object "));
            let Some(text) = text else {
                crate::web::console::warn(&format!(
                        "tracker-attachments: option \"{key}\" takes text, a number or true/false; it is ignored"
                    )
                    );
                continue;
            };
            text
        };
        given.pairs.push((name, text));
    }
    given
}

/// A plain object of name → text as pairs, in the object's order; `null`
/// and `undefined` are none. An entry whose value is not text is left out
/// with a warning naming it (never the value: it may be a secret), as is
/// anything but an object.
fn text_pairs(value: &JsValue, option: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if value.is_null() || value.is_undefined() {
        return pairs;
    }
    let object = value
        .dyn_ref::<Object>()
        .filter(|_| !Array::is_array(value) && !value.is_function());
    let Some(object) = object else {
        crate::web::console::warn(&format!(
            "tracker-attachments: {option} takes an object of names and text; it is ignored"
        ));
        return pairs;
    };
    let Some(entries) = crate::web::entries_of(object) else {
        crate::web::console::warn(&format!(
            "tracker-attachments: {option} could not be read; it is ignored"
        ));
        return pairs;
    };
    for (name, value) in entries {
        match value.as_string() {
            Some(text) => pairs.push((name, text)),
            None => {
                let shown: String = name.chars().take(60).collect();
                crate::web::console::warn(&format!(
                    "tracker-attachments: {option} \"{shown}\" is not text; it is left out"
                ));
            }
        }
    }
    pairs
}

/// A string argument, or empty for anything else (`undefined`, a number).
fn text_of(value: &JsValue) -> String {
    value.as_string().unwrap_or_default()
}

fn files_from_value(value: &JsValue) -> Vec<File> {
    if let Some(file) = crate::web::as_file(value) {
        return vec![file];
    }
    let mut files = Vec::new();
    // Iterated with every exception caught: a Proxy of an array may throw
    // from any of its traps, and must not throw through the wasm. So is a
    // FileList (of any window: a page may hand in its iframe's files),
    // known by its tag, which a page's object may carry too.
    let Some(array) = crate::web::is_array(value) else {
        crate::web::console::warn("tracker-attachments: addFiles() could not read the array");
        return files;
    };
    if array || crate::web::as_file_list(value).is_some() {
        let Ok(Some(items)) = js_sys::try_iter(value) else {
            crate::web::console::warn("tracker-attachments: addFiles() could not read the array");
            return files;
        };
        // Told once with a count: an array of a million holes must not
        // print a million lines.
        let mut skipped = 0_usize;
        for item in items {
            let Ok(item) = item else {
                crate::web::console::warn(
                    "tracker-attachments: addFiles() could not read the rest of the array",
                );
                break;
            };
            match crate::web::as_file(&item) {
                Some(file) => files.push(file),
                None => skipped += 1,
            }
        }
        match skipped {
            0 => {}
            1 => crate::web::console::warn(
                "tracker-attachments: addFiles() skipped an item that is not a File",
            ),
            n => crate::web::console::warn(&format!(
                "tracker-attachments: addFiles() skipped {n} items that are not Files"
            )),
        }
    } else {
        crate::web::console::warn(
            "tracker-attachments: addFiles() takes a FileList, a File or an array of Files",
        );
    }
    files
}

/// The host's open shadow root with the widget's stylesheet, made on first
/// use; an element re-added to the page reuses the one it has.
fn shadow_root(host: &HtmlElement) -> Result<ShadowRoot, JsValue> {
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host
            .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .map_err(|error| {
                // Said in the package's words: the browser's own names
                // neither the element nor what to do instead.
                js_sys::Error::new(&format!(
                    "tracker-attachments: cannot mount into <{}>: it takes no shadow \
                     root of ours (an element such as <input> or <img> takes none, \
                     and one with a closed shadow root keeps it); mount into a <div> \
                     ({})",
                    host.local_name(),
                    crate::web::js_error_text(&error)
                ))
            })?,
    };
    adopt_styles(host, &root)?;
    Ok(root)
}

/// Gives `root` the widget's stylesheet, beside any the page adopted there
/// (a `mount()` host with a shadow root of its own keeps its styles). A
/// constructed sheet applies only in the document whose window made it,
/// and the browser drops it from a shadow root moved into another document
/// (a same-origin iframe's): there a sheet is made by that document's
/// window, and back on the page the page's shared one is adopted again.
fn adopt_styles(host: &HtmlElement, root: &ShadowRoot) -> Result<(), JsValue> {
    let page = web_sys::window().and_then(|w| w.document());
    let home = host.owner_document();
    let adopted = root.adopted_style_sheets();
    let ours_now = adopted.iter().find(is_our_sheet);
    let sheet = match (&page, &home) {
        (Some(page), Some(home)) if page != home => {
            let window = home
                .default_view()
                .ok_or_else(|| JsValue::from_str("a document without a window"))?;
            let constructor: Function =
                Reflect::get(&window, &"CSSStyleSheet".into())?.dyn_into()?;
            // Made by that window already: kept, not parsed again.
            let prototype = Reflect::get(&constructor, &"prototype".into())?;
            if ours_now.as_ref().is_some_and(|s| {
                Reflect::get_prototype_of(s).is_ok_and(|p| JsValue::from(p) == prototype)
            }) {
                return Ok(());
            }
            let sheet: CssStyleSheet =
                Reflect::construct(&constructor, &Array::new())?.unchecked_into();
            sheet.replace_sync(STYLES)?;
            mark_our_sheet(&sheet)?;
            sheet
        }
        _ => STYLE_SHEET.with(|cell| -> Result<CssStyleSheet, JsValue> {
            if let Some(sheet) = cell.borrow().as_ref() {
                return Ok(sheet.clone());
            }
            let sheet = CssStyleSheet::new()?;
            sheet.replace_sync(STYLES)?;
            mark_our_sheet(&sheet)?;
            *cell.borrow_mut() = Some(sheet.clone());
            Ok(sheet)
        })?,
    };
    if ours_now.as_ref() == Some(sheet.as_ref()) {
        return Ok(());
    }
    let sheets: Array = adopted.iter().filter(|s| !is_our_sheet(s)).collect();
    sheets.push(&sheet);
    root.set_adopted_style_sheets(&sheets);
    Ok(())
}

/// Marks a sheet as the widget's, so that one made for another document is
/// told from the page's own sheets in the same shadow root.
const OUR_SHEET_MARK: &str = "__trackerAttachmentsSheet";

fn mark_our_sheet(sheet: &CssStyleSheet) -> Result<(), JsValue> {
    Reflect::set(sheet, &OUR_SHEET_MARK.into(), &JsValue::TRUE).map(|_| ())
}

fn is_our_sheet(sheet: &JsValue) -> bool {
    Reflect::get(sheet, &OUR_SHEET_MARK.into()).is_ok_and(|mark| mark.is_truthy())
}

/// Whether the page named the stored list itself (`persist-key`).
fn key_given(host: &HtmlElement, source: &Source) -> bool {
    let given = match source {
        Source::Attributes => host.get_attribute("persist-key"),
        Source::Options(pairs) => pairs
            .iter()
            .find(|(key, _)| key == "persist-key")
            .map(|(_, value)| value.clone()),
    };
    given.is_some_and(|key| !key.trim().is_empty())
}

/// A widget no longer keeps its list under the key it holds as `hold`.
fn forget_key(hold: Option<u64>) {
    let Some(hold) = hold else {
        return;
    };
    LIVE_KEYS.with(|keys| keys.borrow_mut().retain(|(held, _)| *held != hold));
}

/// Takes `storage_key` for a widget that keeps its list there (`None`
/// with `persist: none`), and warns should an older widget still hold it
/// a moment later: two widgets on one key overwrite each other's list.
/// A moment later, because a page that swaps the element for a like one
/// (htmx, Turbo) may insert the new one before it removes the old.
fn hold_key(storage_key: &str, persist: crate::web::Persist) -> Option<u64> {
    if persist == crate::web::Persist::None {
        return None;
    }
    let hold = NEXT_KEY_HOLD.with(|next| {
        let hold = next.get();
        next.set(hold + 1);
        hold
    });
    LIVE_KEYS.with(|keys| keys.borrow_mut().push((hold, storage_key.to_owned())));
    let key = storage_key.to_owned();
    // Scheduled now, not from a task's first poll: a page's own timer set
    // right after finds the warning told.
    leptos::prelude::set_timeout(
        move || {
            let shared = LIVE_KEYS.with(|keys| {
                let keys = keys.borrow();
                keys.iter().any(|(held, _)| *held == hold)
                    && keys.iter().any(|(held, k)| *held < hold && *k == key)
            });
            // Told outside the borrow: the console may call back in.
            if shared {
                crate::web::console::warn(&format!(
                    "tracker-attachments: two widgets keep their list under \"{key}\"; \
                 give each its own persist-key (or id)"
                ));
            }
        },
        std::time::Duration::ZERO,
    );
    Some(hold)
}

#[cfg(test)]
mod tests {
    use super::merge_pairs;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn merged_options_replace_the_named_keep_the_others_and_drop_the_cleared() {
        let mut kept = pairs(&[("api", "/a"), ("max-size", "5"), ("issue", "DEMO-1")]);
        merge_pairs(
            &mut kept,
            pairs(&[("issue", "DEMO-2"), ("max-files", "3")]),
            &["max-size".to_owned()],
        );
        assert_eq!(
            kept,
            pairs(&[("api", "/a"), ("issue", "DEMO-2"), ("max-files", "3")])
        );
    }
}
