//! What the log may say about a failed request to an OpenID provider. Response bodies (a token response
//! carries access, refresh and ID tokens) and parser messages (serde quotes the offending value) are never
//! included: only the kind of failure, the provider's error code and the path of an unparseable field.

/// The HTTP client error of the provider requests.
type HttpError = openidconnect::HttpClientError<openidconnect::reqwest::Error>;

/// A failed code exchange.
pub(crate) fn token_error(
    e: &openidconnect::RequestTokenError<
        HttpError,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> String {
    use openidconnect::RequestTokenError as E;
    match e {
        E::ServerResponse(r) => format!("the provider answered error `{:?}`", r.error()),
        E::Request(r) => format!("request failed: {}", http_error(r)),
        E::Parse(p, _body) => format!("unparseable token response (at `{}`)", p.path()),
        E::Other(_) => "unexpected token response".to_owned(),
    }
}

/// A failed discovery.
pub(crate) fn discovery_error(e: &openidconnect::DiscoveryError<HttpError>) -> String {
    use openidconnect::DiscoveryError as E;
    match e {
        E::Request(r) => format!("request failed: {}", http_error(r)),
        E::Response(status, _body, _) => format!("the provider answered status {status}"),
        E::Parse(p) => format!("unparseable metadata (at `{}`)", p.path()),
        _ => "invalid provider metadata".to_owned(),
    }
}

/// A failed userinfo request.
pub(crate) fn userinfo_error(e: &openidconnect::UserInfoError<HttpError>) -> String {
    use openidconnect::UserInfoError as E;
    match e {
        E::Request(r) => format!("request failed: {}", http_error(r)),
        E::Response(status, _body, _) => format!("the provider answered status {status}"),
        E::Parse(p) => format!("unparseable userinfo (at `{}`)", p.path()),
        _ => "invalid userinfo response".to_owned(),
    }
}

/// An HTTP client error without URLs or bodies: whether it timed out, could not connect, or else.
fn http_error(e: &HttpError) -> &'static str {
    match e {
        openidconnect::HttpClientError::Reqwest(r) if r.is_timeout() => "timed out",
        openidconnect::HttpClientError::Reqwest(r) if r.is_connect() => "cannot connect",
        openidconnect::HttpClientError::Reqwest(_) => "HTTP error",
        _ => "HTTP client error",
    }
}
