//! Request parts the handlers read, with rejections as problem details: query strings
//! ([`Q`]) and the reader's language (`?lang=`, then `Accept-Language`, then English).

use super::error::{AppError, AppResult, Kind};
use crate::catalog::LANGS;
use axum::extract::{FromRequestParts, Query};
use axum::http::{HeaderMap, header, request::Parts};
use serde::de::DeserializeOwned;

/// A query string deserialized into `T`; 400 with the reason when it does not fit.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Q(q.0))
            .map_err(|e| AppError::new(Kind::InvalidParameter, e.body_text()))
    }
}

/// The catalog language named by `tag` (`zh`, `zh-CN`, `pt_BR`...); 400 for others.
pub fn parse_lang(tag: &str) -> AppResult<&'static str> {
    primary(tag).ok_or_else(|| {
        AppError::new(
            Kind::UnknownLanguage,
            format!("unknown language `{tag}`; use one of {}", LANGS.join(", ")),
        )
        .with("languages", LANGS.to_vec())
    })
}

fn primary(tag: &str) -> Option<&'static str> {
    let first = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGS.iter().copied().find(|l| *l == first)
}

/// The best catalog language of an `Accept-Language` header, if it names one.
pub fn accept_language(headers: &HeaderMap) -> Option<&'static str> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, &'static str)> = None;
    for range in value.split(',').take(32) {
        let mut params = range.split(';');
        let tag = params.next().unwrap_or("").trim();
        let q = params
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1.0, |q| q.trim().parse::<f32>().unwrap_or(0.0));
        if q.is_nan() || q <= 0.0 {
            continue;
        }
        let lang = if tag == "*" { Some("en") } else { primary(tag) };
        if let Some(lang) = lang
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// `?lang=` when given (400 if unknown), else `Accept-Language`, else English.
pub fn negotiate(explicit: Option<&str>, headers: &HeaderMap) -> AppResult<&'static str> {
    match explicit {
        Some(tag) => parse_lang(tag),
        None => Ok(accept_language(headers).unwrap_or("en")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn negotiates_languages() {
        assert_eq!(
            accept_language(&with("zh-CN,zh;q=0.9,en;q=0.8")),
            Some("zh")
        );
        assert_eq!(accept_language(&with("fr, de;q=0.5, en;q=0.7")), Some("en"));
        assert_eq!(accept_language(&with("fr")), None);
        assert_eq!(accept_language(&with("ko;q=0, pt-BR")), Some("pt"));
        assert_eq!(negotiate(Some("ru"), &with("zh")).unwrap(), "ru");
        assert_eq!(negotiate(None, &HeaderMap::new()).unwrap(), "en");
        assert_eq!(
            negotiate(Some("fr"), &HeaderMap::new()).unwrap_err().kind,
            Kind::UnknownLanguage
        );
    }
}
