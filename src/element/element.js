// The <tracker-attachments> element class. A custom element has to be a
// JavaScript class; this one only forwards to the Rust widget handle that
// `hooks.connect` returns, so every decision stays in Rust. No eval, no
// inline styles: it runs under `script-src 'self'; style-src 'self'`.

const FORWARDED_PROPERTIES = ['authorization', 'headers', 'fields', 'strings', 'beforeAdd', 'withCredentials'];

// Spellings of a boolean attribute that mean off, as the widget reads them.
const ON = ['', 'true', '1', 'yes', 'on', 'with-credentials'];

export function defineElement(tag, observed, hooks) {
  if (customElements.get(tag)) {
    return false;
  }

  class TrackerAttachmentsElement extends HTMLElement {
    // A form control: the surrounding form submits the ids, `form="…"` and
    // `<fieldset disabled>` apply, and nothing is put in the light DOM,
    // which a framework may rewrite or hydrate.
    static formAssociated = true;

    #widget = null;
    // None in a browser without ElementInternals (Safari before 16.4), or
    // where a subclass took them first: the widget then keeps hidden
    // inputs in the light DOM for the form, as it did before.
    #internals = (() => {
      try {
        return typeof this.attachInternals === 'function' ? this.attachInternals() : null;
      } catch {
        return null;
      }
    })();
    // What the page set as properties, kept for a widget made later.
    #given = { authorization: null, headers: null, fields: null, strings: null, beforeAdd: null };
    // The widget's way to set what the form submits: the ids under `name`.
    #setFormValue = (name, ids) => {
      if (ids.length === 0) {
        this.#internals.setFormValue(null);
        return;
      }
      const data = new FormData();
      for (const id of ids) {
        data.append(name, id);
      }
      this.#internals.setFormValue(data);
    };

    static get observedAttributes() {
      return observed;
    }

    connectedCallback() {
      // A property set before the element was upgraded sits on the instance
      // and hides the accessor below: move it through the accessor.
      for (const name of FORWARDED_PROPERTIES) {
        if (Object.prototype.hasOwnProperty.call(this, name)) {
          const value = this[name];
          delete this[name];
          this[name] = value;
        }
      }
      if (this.#widget !== null) {
        // Moved: it holds its storage key again, and into another document
        // (an iframe's) its styles must be made again there.
        this.#widget.__reconnected();
      } else {
        const given = this.#given;
        this.#widget = hooks.connect(
          this,
          given.authorization,
          given.headers,
          given.fields,
          given.strings,
          given.beforeAdd,
          this.#internals === null ? null : this.#setFormValue,
        );
        this.#widget?.__setFormDisabled(this.matches(':disabled'));
      }
    }

    disconnectedCallback() {
      if (this.#widget !== null) {
        this.#widget.__detached();
      }
      // Moving the element disconnects and reconnects it within one task,
      // and a framework keeping it across a render may await promises in
      // between (Turbo's data-turbo-permanent takes it out of the old body
      // and puts it in the new one after `await`s): only an element still
      // detached once the task and its promises are done is really gone.
      // A message, not setTimeout: a hidden tab holds timers back a second
      // or more, and a removed widget would upload on meanwhile.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        if (!this.isConnected && this.#widget !== null) {
          const widget = this.#widget;
          this.#widget = null;
          widget.unmount();
          widget.free();
        }
      };
      channel.port2.postMessage(null);
    }

    // Its `disabled` attribute, or a `<fieldset disabled>` around it.
    formDisabledCallback(disabled) {
      this.#widget?.__setFormDisabled(disabled);
    }

    get disabled() {
      return this.hasAttribute('disabled');
    }

    set disabled(on) {
      this.toggleAttribute('disabled', Boolean(on));
    }

    attributeChangedCallback(name, oldValue, newValue) {
      if (this.#widget !== null && oldValue !== newValue) {
        this.#widget.attributeChanged(name);
      }
    }

    get attachmentIds() {
      return this.#widget === null ? [] : this.#widget.attachmentIds;
    }

    get attachments() {
      return this.#widget === null ? [] : this.#widget.attachments;
    }

    get busy() {
      return this.#widget === null ? false : this.#widget.busy;
    }

    // What a form control answers. `name` reflects the attribute; the ids
    // go under `attachmentIds` while it is absent.
    get name() {
      return this.getAttribute('name') ?? '';
    }

    set name(name) {
      this.setAttribute('name', name);
    }

    get type() {
      return tag;
    }

    get form() {
      return this.#internals?.form ?? this.closest('form');
    }

    get labels() {
      return this.#internals?.labels ?? document.createDocumentFragment().childNodes;
    }

    get validity() {
      return this.#internals?.validity;
    }

    get validationMessage() {
      return this.#internals?.validationMessage ?? '';
    }

    get willValidate() {
      return this.#internals?.willValidate ?? false;
    }

    checkValidity() {
      return this.#internals?.checkValidity() ?? true;
    }

    reportValidity() {
      return this.#internals?.reportValidity() ?? true;
    }

    get authorization() {
      return this.#given.authorization;
    }

    set authorization(provider) {
      if (typeof provider !== 'function' && provider != null) {
        console.warn(`${tag}: authorization must be a function; it is ignored`);
      }
      this.#give('authorization', typeof provider === 'function' ? provider : null);
    }

    // (file, {relativePath}) → true or nothing (take it), false or a reason
    // (refuse it); called once per arriving file, before the restrictions.
    get beforeAdd() {
      return this.#given.beforeAdd;
    }

    // Anything but a function or null is ignored: the check stays.
    set beforeAdd(check) {
      if (typeof check !== 'function' && check != null) {
        console.warn(`${tag}: beforeAdd must be a function; it is ignored`);
        return;
      }
      this.#give('beforeAdd', check ?? null);
    }

    // Name → text, sent with every request (a CSRF token); the widget
    // checks them and warns, by name only, about those it will not send.
    get headers() {
      return this.#given.headers;
    }

    set headers(headers) {
      this.#give('headers', headers ?? null);
    }

    // Name → text, added to every `form` mode body.
    get fields() {
      return this.#given.fields;
    }

    set fields(fields) {
      this.#give('fields', fields ?? null);
    }

    // Message key → template (or plural forms): the host's wording. The
    // widget reads it and warns, by key, about entries it cannot use.
    get strings() {
      return this.#given.strings;
    }

    set strings(strings) {
      this.#give('strings', strings ?? null);
    }

    // Reflects the `with-credentials` attribute.
    get withCredentials() {
      const value = this.getAttribute('with-credentials');
      // As the widget reads it: a value it does not know ("cookies")
      // is warned about and sends none.
      return value !== null && ON.includes(value.toLowerCase());
    }

    set withCredentials(on) {
      this.toggleAttribute('with-credentials', Boolean(on));
    }

    addFiles(files) {
      this.#connected('addFiles').addFiles(files);
    }

    openFileDialog() {
      this.#connected('openFileDialog').openFileDialog();
    }

    attachTo(issue) {
      return this.#whenConnected('attachTo', (widget) => widget.attachTo(issue));
    }

    comment(issue, text) {
      return this.#whenConnected('comment', (widget) => widget.comment(issue, text));
    }

    deleteAttachment(attachmentId) {
      return this.#whenConnected('deleteAttachment', (widget) => widget.deleteAttachment(attachmentId));
    }

    clear() {
      if (this.#widget !== null) {
        this.#widget.clear();
      }
    }

    // Keeps a property the page set and hands it to the widget, if any.
    #give(name, value) {
      this.#given[name] = value;
      if (this.#widget !== null) {
        this.#widget[name] = value;
      }
    }

    // The promise-returning methods reject rather than throw, with the
    // widget's error shape.
    #whenConnected(method, call) {
      try {
        return call(this.#connected(method));
      } catch (error) {
        return Promise.reject({ kind: 'cancelled', message: String(error.message ?? error), retryable: false });
      }
    }

    #connected(method) {
      if (this.#widget === null) {
        throw new Error(`<${tag}>.${method}(): the element is not in the document`);
      }
      return this.#widget;
    }
  }

  customElements.define(tag, TrackerAttachmentsElement);
  return true;
}
