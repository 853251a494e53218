//! JSON over HTTP to a deployment's services (market, scheduler, results), whose base URLs come
//! from the chain file: one shared client, and every failure as [`Error::Service`] or
//! [`Error::NoServiceUrl`].

use crate::{
    Poco,
    error::{Error, Result, Service},
};
use serde::de::DeserializeOwned;
use std::fmt::Display;
use url::Url;

/// The [`Error::Service`] of a request to `url` of `service` that failed for `reason`.
pub(crate) fn service_error(service: Service, url: &Url, reason: impl Display) -> Error {
    Error::Service { service, url: url.to_string(), reason: reason.to_string() }
}

impl Poco {
    /// The HTTP client shared by every request to the services.
    pub(crate) const fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `path` (absolute, e.g. `/v1/tasks/0x…`) on `service`, or [`Error::NoServiceUrl`] when the
    /// chain file names no URL for it.
    pub(crate) fn service_url(&self, service: Service, path: &str) -> Result<Url> {
        let spec = &self.chain().spec;
        let base = match service {
            Service::Market => spec.market_url.as_ref(),
            Service::Scheduler => spec.scheduler_url.as_ref(),
            Service::Results => spec.results_url.as_ref(),
        }
        .ok_or_else(|| Error::NoServiceUrl { chain: self.chain().name.clone(), service })?;
        base.join(path).map_err(|error| service_error(service, base, error))
    }

    /// `GET path` on `service` as JSON: `None` on 404, [`Error::Service`] on any other failure
    /// (unreachable, another status, a body that is not the expected JSON).
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        service: Service,
        path: &str,
    ) -> Result<Option<T>> {
        let url = self.service_url(service, path)?;
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(|error| service_error(service, &url, error))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(service_error(service, &url, format!("HTTP {status}: {body}")));
        }
        response.json().await.map(Some).map_err(|error| service_error(service, &url, error))
    }
}
