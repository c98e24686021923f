// Hand-written types of the tracker-attachments package.
// `Symbol.dispose` (the handle's, for `using`) needs TypeScript 5.2 or later.
/// <reference lib="esnext.disposable" />

/** One stored file, with the field names of Tracker's own answer. */
export interface Attachment {
  id: string;
  name: string;
  size: number;
  mimetype?: string;
  /** URL of the file's content on the server. */
  content?: string;
  /** URL of the server's thumbnail, when it made one. */
  thumbnail?: string;
  createdAt?: string;
}

/** The file an event is about. */
export interface UploadFile {
  /** The row's id inside this widget. */
  id: number;
  name: string;
  size: number;
  /** The browser's MIME type guess; may be empty. */
  type: string;
  /** Path inside a dropped folder. */
  relativePath?: string;
}

/** Why an upload or attach failed. */
export interface UploadError {
  kind:
    | 'network'
    | 'http'
    | 'invalid-response'
    | 'cancelled'
    | 'browser'
    | 'needs-issue'
    | 'kept-expired'
    | 'no-issue-key'
    | 'attach-running'
    | 'stalled'
    /** Not begun to send within the start limit (a connection or preflight that never answers); retried. */
    | 'not-started'
    /**
     * The browser no longer reads the file: it changed on disk (a log still
     * being written), or was moved or deleted, after it was added. Not
     * retried: it is to be added again.
     */
    | 'file-changed'
    /**
     * A file cancelled after the server had all of it, which the widget
     * then failed to delete from the issue (Jira, `tracker-issue`): it stays
     * attached. The row says so too.
     */
    | 'not-taken-back'
    /**
     * The whole file had gone to an upload that attaches it to an issue
     * (Jira, `tracker-issue`), then the answer was lost (a broken
     * connection, 500 or 502) and the issue's attachments could not tell
     * whether it arrived, or a gateway answered 504: the file may be
     * attached, so it is not retried by itself.
     */
    | 'answer-lost'
    /** The restrictions refused the file before a byte was sent (`upload-error` only). */
    | 'refused'
    /**
     * The page's `beforeAdd` refused the file before the restrictions saw
     * it (`upload-error` only); `message` is its reason, or the generic
     * words (`refusedByHost`) when it gave none.
     */
    | 'refused-by-host'
    /**
     * `deleteAttachment()`: the server did not delete the file (`status` and
     * `message` say why); it is still on the issue, and its row says so.
     * `retryable` tells whether trying again may help.
     */
    | 'not-deleted'
    /**
     * `deleteAttachment()`: no finished upload of this widget has that id in
     * a mode that attaches to an issue (`tracker-issue`, `jira`).
     */
    | 'nothing-to-delete'
    /** `deleteAttachment()`: the file is being deleted already. */
    | 'delete-running'
    /**
     * `comment()` with text in `jira` or `form` mode, whose endpoints have
     * no comments: nothing was sent.
     */
    | 'no-comments';
  /** A sentence a person can act on. */
  message: string;
  /**
   * The HTTP status: for `'http'`; the failed deletion's for
   * `'not-taken-back'` and `'not-deleted'`; the lost answer's for
   * `'answer-lost'` (none for a broken connection).
   */
  status?: number;
  /** Whether trying again may help (network errors, stalls, 408, 429, 500, 502, 503, 504). */
  retryable: boolean;
}

export type Mode = 'tracker-temp' | 'tracker-issue' | 'jira' | 'flow' | 'form';

/** What the widget tells the `authorization` function as it asks. */
export interface AuthorizationAsk {
  /**
   * The server has just answered 401 to the value this function gave last:
   * return a new token rather than a cached one. The request then goes
   * once more; a second 401 fails it.
   */
  refused: boolean;
}

/**
 * Returns the whole `Authorization` value, e.g. `"OAuth y0_…"`; called
 * before every request and retry. If it throws, rejects, gives anything
 * but a non-empty string or has not answered within 30 seconds, that
 * upload fails with kind `'browser'` and is not retried (after a 401, the
 * 401 stands).
 */
export type AuthorizationProvider = (ask: AuthorizationAsk) => string | Promise<string>;

/** What the widget tells the `beforeAdd` function of the file. */
export interface BeforeAddContext {
  /** Path inside a dropped folder (`photos/2024/a.jpg`); absent otherwise. */
  relativePath?: string;
}

/**
 * The page's own check of each arriving file, called synchronously once
 * per file, in the order they are listed, before the restrictions (a file
 * it refuses takes no place under `maxFiles` or `maxTotalSize`). `true` or
 * nothing takes the file; `false` refuses it with the generic words
 * (`refusedByHost`); a string refuses it with that reason, shown as text on
 * one line, cut at 200 characters. Refused files get a `refused` row and an
 * `upload-error` of kind `'refused-by-host'`. If it throws or returns
 * anything else, the file is taken and the console warns once per widget:
 * a bug in the check must not lose the user's files. A promise (an `async`
 * function) refuses the file with the generic words, and the console warns
 * once: the check must answer at once, and one meant to keep files out
 * must not let them in.
 */
export type BeforeAdd = (file: File, context: BeforeAddContext) => boolean | string | undefined | void;

/**
 * A counted message: one template, or CLDR plural forms chosen by the
 * widget language's plural rule (`Intl.PluralRules` for languages other
 * than `en` and `ru`); a form not given falls back to `other`.
 */
export type TrackerAttachmentsPlural =
  | string
  | { zero?: string; one?: string; two?: string; few?: string; many?: string; other: string };

/**
 * The host's wording (the `strings` option and property): every key is
 * optional and replaces one built-in message. Templates fill `{name}`
 * placeholders (those listed per key; any other `{word}` stays as
 * written), and the result is always shown as text, never HTML. Sizes and
 * times arrive formatted. Entries that cannot be used are left out with a
 * console warning naming the key.
 */
export interface TrackerAttachmentsStrings {
  /** Numbers: `.` in `1.5 MB`. */
  decimalSeparator?: string;
  /** Between digit groups of an exact size: `52,428,801 B`. */
  groupSeparator?: string;
  /** Six unit names, bytes to petabytes: `['B', 'KB', 'MB', 'GB', 'TB', 'PB']`. */
  byteUnits?: readonly [string, string, string, string, string, string];
  /** Time units: `h`, `min`, `s`. */
  hours?: string;
  minutes?: string;
  seconds?: string;
  /** A time that cannot be told: `–`. */
  noTime?: string;
  /** The drop zone's accessible name (start it with the visible words). */
  dropZoneLabel?: string;
  /** The drop zone's text before the browse link: `Drop files here or `. */
  dropHere?: string;
  browse?: string;
  /** Over the page while files are dragged over it (`page-drop`). */
  pageDrop?: string;
  /** The file list's accessible name. */
  listLabel?: string;
  waiting?: string;
  uploading?: string;
  waitingForNetwork?: string;
  /** `{sent}`, `{total}`. */
  uploadingOf?: string;
  /** `{error}`: the error to be retried. */
  retrying?: string;
  uploaded?: string;
  cancelled?: string;
  /** `{name}`. */
  progressLabel?: string;
  cancel?: string;
  retry?: string;
  retryNow?: string;
  remove?: string;
  /** Row buttons' accessible names: `{name}`. */
  cancelFile?: string;
  retryFile?: string;
  /** `{name}`: the label of "Retry now" on a file waiting for its next try. */
  retryNowFile?: string;
  removeFile?: string;
  /** `{path}`: the folder a dropped file lay in. */
  inFolder?: string;
  /** A finished row's second button in `tracker-issue` and `jira` modes. */
  deleteFromIssue?: string;
  /** Its accessible name: `{name}`, `{issue}`. */
  deleteFile?: string;
  /** The row's question before deleting: `{name}`, `{issue}`. */
  deleteQuestion?: string;
  /** The question's answers. */
  delete?: string;
  keep?: string;
  /** The row's status while the deletion waits for the server. */
  deleting?: string;
  /** `{count}` files, `{done}` done, `{sent}` of `{total}` bytes. */
  summary?: TrackerAttachmentsPlural;
  /** `{speed}`, `{left}`. */
  speedAndTimeLeft?: string;
  offline?: string;
  backOnline?: string;
  /** Bulk buttons: `{count}`. */
  retryFailed?: TrackerAttachmentsPlural;
  removeRefused?: TrackerAttachmentsPlural;
  cancelAll?: TrackerAttachmentsPlural;
  /** Live region: `{count}`. */
  filesAdded?: TrackerAttachmentsPlural;
  /** `{name}`. */
  fileUploaded?: string;
  /** `{name}`, `{error}`. */
  fileFailed?: string;
  /** `{count}`. */
  filesUploaded?: TrackerAttachmentsPlural;
  filesFailed?: TrackerAttachmentsPlural;
  filesRetrying?: TrackerAttachmentsPlural;
  filesRemoved?: TrackerAttachmentsPlural;
  filesCancelled?: TrackerAttachmentsPlural;
  /** `{count}` files of a dropped folder that could not be read. */
  unreadable?: TrackerAttachmentsPlural;
  /** `{name}`, `{issue}`. */
  fileDeleted?: string;
  /** `{name}`, `{error}`: why the file is still on the issue. */
  fileNotDeleted?: string;
  keptLabel?: string;
  keptTitle?: string;
  /** `{name}`. */
  removeKept?: string;
  commentLabel?: string;
  /** `{issue}`. */
  attachTo?: string;
  attaching?: string;
  /** `{count}`, `{issue}`. */
  attached?: TrackerAttachmentsPlural;
  /** `{issue}`: a comment posted with no kept file to attach. */
  commentPosted?: string;
  /** `{error}`. */
  attachFailed?: string;
  /** `{count}`. */
  keptExpired?: TrackerAttachmentsPlural;
  noIssueKey?: string;
  attachRunning?: string;
  /** `{seconds}` without progress. */
  stalled?: TrackerAttachmentsPlural;
  /** `{seconds}` waited without the upload beginning. */
  notStarted?: TrackerAttachmentsPlural;
  /** The file changed or was moved after it was added. */
  fileChanged?: string;
  /** `{error}`: why removing a file cancelled too late failed. */
  notTakenBack?: string;
  notTakenBackUnknown?: string;
  /** `{error}`. */
  answerLost?: string;
  /** `{error}`: why deleting a file from its issue failed. */
  notDeleted?: string;
  nothingToDelete?: string;
  deleteRunning?: string;
  /** `{size}`, `{max}`. */
  tooLarge?: string;
  /** `{size}`, `{min}`. */
  tooSmall?: string;
  /** `{max}` files. */
  tooManyFiles?: TrackerAttachmentsPlural;
  /** `{max}` bytes. */
  totalTooLarge?: string;
  /** `{accept}`. */
  typeNotAccepted?: string;
  duplicate?: string;
  /** A file the page's `beforeAdd` refused without a reason. */
  refusedByHost?: string;
  /** `{detail}`. */
  networkError?: string;
  /** `{status}`. */
  httpStatus?: string;
  /** `{detail}`. */
  invalidResponse?: string;
  browserError?: string;
  /** `{mode}`. */
  needsIssue?: string;
  /** `{mode}`: `comment()` with text in `jira` or `form` mode. */
  noComments?: string;
}

/**
 * `mount()`'s options: the element's attributes in camelCase. Sizes take
 * bytes or units (`"10MB"`, `"1.5GiB"`).
 */
export interface TrackerAttachmentsOptions {
  /** API base URL; default: the page's origin. */
  api?: string | URL;
  mode?: Mode;
  /** Issue key for `tracker-issue` and `jira` modes, and for attaching later. */
  issue?: string;
  /** Development only: production pages use a proxy or `authorization`. */
  token?: string;
  /**
   * `OAuth` for Tracker and `Bearer` for Jira unless set; `Basic` takes
   * Jira's `email:api_token` as it is or base64-encoded.
   */
  authScheme?: 'OAuth' | 'Bearer' | 'Basic';
  orgId?: string;
  orgHeader?: 'X-Org-ID' | 'X-Cloud-Org-ID';
  /** Form field name under which the surrounding form submits the kept ids (default `attachmentIds`). */
  name?: string;
  /** `accept` list: `.pdf`, `image/*`, `text/csv`, comma-separated or an array. */
  accept?: string | string[];
  /** Bytes, or `10MB`, `1.5GiB` (`KB`, `MB`, `GB` are units of 1024). */
  maxSize?: number | string;
  minSize?: number | string;
  maxFiles?: number;
  maxTotalSize?: number | string;
  /** `false`: the file dialog picks one file (use `maxFiles: 1` to allow one in all). */
  multiple?: boolean;
  /** Uploads at once, 1–6 (default 3). */
  concurrency?: number;
  /** Part size of `flow` mode (default 8 MiB; at least 64 KiB, a smaller one warning and raised; at most 10,000 parts a file). */
  chunkSize?: number | string;
  /** Target URL of `form` mode. */
  url?: string | URL;
  /** File field name of `form` mode (default `file`). */
  field?: string;
  /**
   * JSON field (dotted path) with the id in a `form` answer, else its `id`;
   * an answer that is one short word of text with a digit (FilePond's `text/plain` id)
   * is the id itself; otherwise the row gets `local-<n>`.
   */
  idField?: string;
  /**
   * Headers sent with every request in every mode (uploads, parts, JSON
   * calls, thumbnails), e.g. `{'X-CSRFToken': token}`. Names the widget
   * sets itself (`Authorization`, `Content-Type`, `X-Org-ID`,
   * `X-Cloud-Org-ID`, `X-Atlassian-Token`, `If-Match`), names browsers
   * forbid (`Cookie`, `Origin`, `Sec-*`, …), names that are no HTTP token,
   * and values with a line break or characters beyond Latin-1 are not
   * sent: the console names them (never
   * the value). Values are never logged or stored. Left out,
   * `setOptions()` keeps the ones set; `null` removes them.
   */
  headers?: Record<string, string> | null;
  /**
   * Text fields added before the file to every `form` mode body (as
   * Dropzone's `params`, Uppy's `meta`); the other modes' bodies are fixed
   * by their APIs. Left out, `setOptions()` keeps the ones set.
   */
  fields?: Record<string, string> | null;
  /**
   * Send the browser's cookies to an API on another origin (XHR
   * `withCredentials`, fetch `credentials: 'include'`); default off. The
   * server must answer with `Access-Control-Allow-Credentials: true` and
   * its own origin, not `*`.
   */
  withCredentials?: boolean;
  /**
   * Any BCP 47 tag. `en` and `ru` (`ru-RU`…) have built-in words; another
   * tag sets `lang` and the plural rules, and shows English where
   * `strings` gives no text.
   */
  locale?: 'en' | 'ru' | (string & {});
  /** `auto` (default) follows the system's light or dark; `light` or `dark` pins one. */
  theme?: 'auto' | 'light' | 'dark';
  /** The host's wording; left out, `setOptions()` keeps it; `null` removes it. */
  strings?: TrackerAttachmentsStrings | null;
  persist?: 'session' | 'local' | 'none';
  persistKey?: string;
  /** Take no new files (drop, paste, dialog, `addFiles()`); uploads under way go on. */
  disabled?: boolean;
  /** Drop files anywhere on the page. */
  pageDrop?: boolean;
  /** Take files pasted anywhere on the page, not only with focus inside the widget. */
  pagePaste?: boolean;
  /** `jira` mode: up to 60 small files (16 MiB together) per request. */
  jiraBatch?: boolean;
  /** `null` goes back to `token`; left out, `setOptions()` keeps the one set. */
  authorization?: AuthorizationProvider | null;
  /** The page's check of each arriving file; left out, `setOptions()` keeps it; `null` removes it. */
  beforeAdd?: BeforeAdd | null;
}

export interface AttachmentsChangeDetail {
  attachmentIds: string[];
  attachments: Attachment[];
}
/** Sent at most every 200 ms per file, and always once every byte is sent. */
export interface UploadProgressDetail {
  file: UploadFile;
  loaded: number;
  total: number;
}
export interface UploadSuccessDetail {
  file: UploadFile;
  attachment: Attachment;
}
export interface UploadErrorDetail {
  file: UploadFile;
  error: UploadError;
}
export interface AttachedDetail {
  issue: string;
  attachmentIds: string[];
}
/**
 * Files began to upload (`busy`), or every file is done, failed, refused or
 * cancelled and no drop is still being read (a form may be submitted now).
 */
export interface BusyChangeDetail {
  busy: boolean;
  /** Files that failed for good. */
  failed: number;
  /**
   * `attachmentIds` as of now. When `busy` turns `false`, the form's hidden
   * inputs already hold them, so a listener may submit the form. Also told
   * (`busy: false`) when the element is removed while busy.
   */
  attachmentIds: string[];
}

/** Events of the element (and of `mount()`'s host element); they bubble and cross shadow roots. */
export interface TrackerAttachmentsEventMap {
  'attachments-change': CustomEvent<AttachmentsChangeDetail>;
  'upload-progress': CustomEvent<UploadProgressDetail>;
  'upload-success': CustomEvent<UploadSuccessDetail>;
  'upload-error': CustomEvent<UploadErrorDetail>;
  attached: CustomEvent<AttachedDetail>;
  'busy-change': CustomEvent<BusyChangeDetail>;
}

/** What both the element and `mount()`'s handle offer. */
export interface TrackerAttachmentsMethods {
  /** Ids of the kept temporary attachments (finished uploads in direct modes). */
  readonly attachmentIds: string[];
  readonly attachments: Attachment[];
  /** Whether files are queued, uploading, waiting to retry or still being read from a drop. */
  readonly busy: boolean;
  /** Called before every request and retry; `null` goes back to `token`. */
  authorization: AuthorizationProvider | null;
  addFiles(files: FileList | File[] | File): void;
  /** Opens the file dialog; call it from a click or key handler. */
  openFileDialog(): void;
  /**
   * Attaches the kept files to an issue; resolves to the ids attached,
   * rejects with an `UploadError` (never throws, unless `mount()`'s
   * handle was freed). Only `tracker-temp` and
   * `flow` keep files to attach; `tracker-issue` still attaches those a
   * widget kept itself before a switch to it (in this page's life);
   * `jira` and `form` resolve `[]`.
   */
  attachTo(issueKey: string): Promise<string[]>;
  /**
   * Posts a comment with the kept files attached (blank text attaches them
   * as `attachTo` does); resolves to their ids. With none kept, the comment
   * alone is posted on Tracker; in `jira` and `form` modes, whose endpoints
   * have no comments, text rejects with `no-comments` and nothing is sent.
   */
  comment(issueKey: string, text: string): Promise<string[]>;
  /**
   * Deletes a finished upload from the issue it went onto (`tracker-issue`,
   * `jira`; T6 or J6), with the widget's credentials and without asking
   * (the row's own "Delete from issue" asks first). Resolves once the row
   * has left the list and `attachmentIds` (the `attachments-change` that
   * tells it follows, paced as every one is); an attachment gone from the
   * issue already counts as deleted. Rejects with an `UploadError` (never
   * throws, unless `mount()`'s handle was freed): `not-deleted` with the server's reason, the file still on the
   * issue and its row saying so; `nothing-to-delete`; `delete-running`;
   * `cancelled` when the element is not connected (or the handle unmounted).
   */
  deleteAttachment(attachmentId: string): Promise<void>;
  /**
   * Stops every upload and empties the list and the kept attachments
   * where they are shown (hidden in `jira` and `form` modes, they stay). In
   * the `tracker-issue` and `jira` modes, a file whose bytes were already
   * all sent is deleted from the issue once the server has answered.
   */
  clear(): void;
}

export interface TrackerAttachmentsElement extends HTMLElement, TrackerAttachmentsMethods {
  /** Headers sent with every request (see `TrackerAttachmentsOptions.headers`). */
  headers: Record<string, string> | null;
  /** Text fields added to every `form` mode body. */
  fields: Record<string, string> | null;
  /** The host's wording; `null` goes back to the built-in words. */
  strings: TrackerAttachmentsStrings | null;
  /** The page's check of each arriving file; `null` removes it, anything but a function warns and is ignored. */
  beforeAdd: BeforeAdd | null;
  /** Reflects the `with-credentials` attribute. */
  withCredentials: boolean;
  /** Reflects the `disabled` attribute (a `<fieldset disabled>` around it disables it too). */
  disabled: boolean;
  /** Reflects the `name` attribute (empty while absent: the ids go under `attachmentIds`). */
  name: string;
  /** `'tracker-attachments'`, as `type` names other controls' kinds. */
  readonly type: string;
  /** The form it submits its ids with (its ancestor, or the one its `form` attribute names). */
  readonly form: HTMLFormElement | null;
  readonly labels: NodeList;
  readonly validity: ValidityState;
  readonly validationMessage: string;
  readonly willValidate: boolean;
  checkValidity(): boolean;
  reportValidity(): boolean;
  addEventListener<K extends keyof TrackerAttachmentsEventMap>(
    type: K,
    listener: (this: TrackerAttachmentsElement, event: TrackerAttachmentsEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof TrackerAttachmentsEventMap>(
    type: K,
    listener: (this: TrackerAttachmentsElement, event: TrackerAttachmentsEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** What `setOptions()` takes: any of `mount()`'s options, each also `null`. */
export type TrackerAttachmentsOptionChanges = {
  [K in keyof TrackerAttachmentsOptions]?: TrackerAttachmentsOptions[K] | null;
};

/** `mount()`'s handle. */
export interface TrackerAttachmentsHandle extends TrackerAttachmentsMethods {
  /**
   * Changes the options it names; the others stay as they are. `null` (or
   * `undefined`) puts an option back to its default.
   */
  setOptions(options: TrackerAttachmentsOptionChanges): void;
  /** Stops the uploads and removes the widget. */
  unmount(): void;
  /**
   * Frees the handle, unmounting the widget if it still is. A handle that
   * is merely dropped keeps its widget mounted. After it, the handle's
   * other methods and properties throw (its promise-returning methods
   * included); `unmount()` and `free()` do nothing.
   */
  free(): void;
  /**
   * `free()`, at the end of a `using` block. Only where the runtime has
   * `Symbol.dispose`; elsewhere call `free()` or `unmount()`.
   */
  [Symbol.dispose](): void;
}

/** What `init()` loads the wasm from: a URL, a fetch of it (or its promise), its bytes or a compiled module. */
export type WasmSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/** Loads the wasm (from next to this file unless `wasm` says where) and defines the element. */
export function init(wasm?: WasmSource | Promise<WasmSource>): Promise<void>;
export default init;

/**
 * Mounts the widget into `element`'s shadow root; call after `await init()`.
 * Throws if `element` has a widget mounted already (`unmount()` it first).
 */
export function mount(element: HTMLElement, options?: TrackerAttachmentsOptions): TrackerAttachmentsHandle;

declare global {
  interface HTMLElementTagNameMap {
    'tracker-attachments': TrackerAttachmentsElement;
  }
  // On the element, and (as they bubble out of it) on the document and
  // the window.
  interface HTMLElementEventMap extends TrackerAttachmentsEventMap {}
  interface DocumentEventMap extends TrackerAttachmentsEventMap {}
  interface WindowEventMap extends TrackerAttachmentsEventMap {}
}
