use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use super::timer::Alarm;
use super::RawResponse;
use crate::backend::Credentials;
use crate::core::UploadError;

type HeaderFuture = Pin<Box<dyn Future<Output = Result<String, String>>>>;

/// What the widget tells the provider as it asks for a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthorizationAsk {
    /// The server has just refused the last value given (401): a host that
    /// caches its token fetches a new one rather than give it again.
    pub refused: bool,
}

/// How long the provider may take to answer by default.
pub const DEFAULT_PROVIDER_TIMEOUT_MS: u64 = 30_000;

/// The host's source of the `Authorization` value, awaited before every
/// request and every retry: tokens expire mid-upload, and a value read once
/// at the start is the first complaint of other uploaders' users. An
/// answer that does not come within its time limit is a failure: a token
/// fetch that never settles would hold its upload at "Uploading 0 B", and
/// the widget busy, for good.
#[derive(Clone)]
pub struct AuthorizationProvider {
    provide: Rc<dyn Fn(AuthorizationAsk) -> HeaderFuture>,
    timeout_ms: u64,
}

impl AuthorizationProvider {
    pub fn new<F, Fut>(provide: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<String, String>> + 'static,
    {
        Self::answering(move |_| provide())
    }

    /// A provider told whether its last value was refused.
    pub fn answering<F, Fut>(provide: F) -> Self
    where
        F: Fn(AuthorizationAsk) -> Fut + 'static,
        Fut: Future<Output = Result<String, String>> + 'static,
    {
        Self {
            provide: Rc::new(move |ask| Box::pin(provide(ask)) as HeaderFuture),
            timeout_ms: DEFAULT_PROVIDER_TIMEOUT_MS,
        }
    }

    /// The same provider with another time limit on each answer.
    pub fn with_timeout_ms(self, timeout_ms: u64) -> Self {
        Self { timeout_ms, ..self }
    }

    pub async fn header(&self) -> Result<String, String> {
        self.ask(AuthorizationAsk::default()).await
    }

    async fn header_after_refusal(&self) -> Result<String, String> {
        self.ask(AuthorizationAsk { refused: true }).await
    }

    async fn ask(&self, ask: AuthorizationAsk) -> Result<String, String> {
        let mut answer = (self.provide)(ask);
        // Cleared when the answer wins: one call per request and retry.
        let mut limit = Alarm::set(self.timeout_ms);
        let seconds = self.timeout_ms.div_ceil(1000);
        poll_fn(move |cx| {
            if let Poll::Ready(answer) = answer.as_mut().poll(cx) {
                return Poll::Ready(answer);
            }
            match Pin::new(&mut limit).poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(format!("no answer within {seconds} s"))),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }
}

impl fmt::Debug for AuthorizationProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizationProvider")
    }
}

impl PartialEq for AuthorizationProvider {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.provide, &other.provide) && self.timeout_ms == other.timeout_ms
    }
}

/// The credentials for the next request: `base` with the provider's current
/// value, when there is a provider.
pub async fn fresh_credentials(
    base: &Credentials,
    provider: Option<&AuthorizationProvider>,
) -> Result<Credentials, UploadError> {
    let Some(provider) = provider else {
        return Ok(base.clone());
    };
    with_header(base, provider.header().await)
}

fn with_header(
    base: &Credentials,
    value: Result<String, String>,
) -> Result<Credentials, UploadError> {
    match value {
        Ok(value) => Ok(Credentials {
            authorization: Some(value),
            ..base.clone()
        }),
        Err(reason) => Err(UploadError::Browser(format!(
            "the authorization provider failed: {reason}"
        ))),
    }
}

/// Sends a request built by `send` from fresh credentials. When the server
/// refuses them (401) and they came from a provider, the provider is asked
/// once more, told of the refusal, and the request goes again: a token
/// that expired mid-upload costs a second request, not the file. A 401 is
/// the server's answer before it takes anything, so sending again attaches
/// nothing twice. `resend_if` is asked first: not for a request the user
/// cancelled meanwhile, or a widget gone.
pub async fn send_authorized<'a, F, Fut>(
    base: &Credentials,
    provider: Option<&AuthorizationProvider>,
    resend_if: &dyn Fn() -> bool,
    send: F,
) -> Result<RawResponse, UploadError>
where
    F: Fn(Credentials) -> Fut + 'a,
    Fut: Future<Output = Result<RawResponse, UploadError>> + 'a,
{
    // One state machine for every caller, not one per caller's closure:
    // each copy would cost the wasm a few hundred bytes.
    let send = move |credentials| Box::pin(send(credentials)) as SendFuture<'a>;
    send_with_refresh(base, provider, resend_if, &send).await
}

type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<RawResponse, UploadError>> + 'a>>;

async fn send_with_refresh<'a>(
    base: &Credentials,
    provider: Option<&AuthorizationProvider>,
    resend_if: &dyn Fn() -> bool,
    send: &dyn Fn(Credentials) -> SendFuture<'a>,
) -> Result<RawResponse, UploadError> {
    let answer = send(fresh_credentials(base, provider).await?).await;
    match (provider, &answer) {
        (Some(provider), Ok(raw)) if raw.status == 401 && resend_if() => {
            // A provider that cannot refresh leaves the server's refusal
            // as the answer: it says more than the provider's failure.
            match with_header(base, provider.header_after_refusal().await) {
                Ok(credentials) => send(credentials).await,
                Err(_) => answer,
            }
        }
        _ => answer,
    }
}
