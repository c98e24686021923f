use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::backend::Credentials;
use crate::core::UploadError;

type HeaderFuture = Pin<Box<dyn Future<Output = Result<String, String>>>>;

/// The host's source of the `Authorization` value, awaited before every
/// request and every retry: tokens expire mid-upload, and a value read once
/// at the start is the first complaint of other uploaders' users.
#[derive(Clone)]
pub struct AuthorizationProvider(Rc<dyn Fn() -> HeaderFuture>);

impl AuthorizationProvider {
    pub fn new<F, Fut>(provide: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<String, String>> + 'static,
    {
        Self(Rc::new(move || Box::pin(provide()) as HeaderFuture))
    }

    pub async fn header(&self) -> Result<String, String> {
        (self.0)().await
    }
}

impl fmt::Debug for AuthorizationProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizationProvider")
    }
}

impl PartialEq for AuthorizationProvider {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
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
    match provider.header().await {
        Ok(value) => Ok(Credentials {
            authorization: Some(value),
            ..base.clone()
        }),
        Err(reason) => Err(UploadError::Browser(format!(
            "the authorization provider failed: {reason}"
        ))),
    }
}
