//! Gives every request-level error (parse, validation, limits) a stable `extensions.code`.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};

use crate::domain::Principal;
use crate::error::ErrorCode;

/// Extension factory that tags parse and validation errors with their code, and holds anonymous callers to
/// their lower complexity budget.
pub struct ErrorCodes {
    /// The largest complexity an anonymous caller's query may have.
    pub anonymous_max_complexity: usize,
}

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension { anonymous_max_complexity: self.anonymous_max_complexity })
    }
}

struct ErrorCodesExtension {
    anonymous_max_complexity: usize,
}

fn limit_error(e: ServerError, reason: &str) -> ServerError {
    let mut e = tag(e, ErrorCode::BadUserInput);
    e.extensions.get_or_insert_with(Default::default).set("reason", reason);
    e
}

fn tag(mut err: ServerError, code: ErrorCode) -> ServerError {
    err.extensions.get_or_insert_with(Default::default).set("code", code.as_str());
    err
}

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|e| tag(e, ErrorCode::GraphqlParseFailed))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    // The depth and complexity limits are checked during validation; they are the caller's
                    // input at fault, so they carry BAD_USER_INPUT with a reason.
                    let limit = match e.message.as_str() {
                        "Query is nested too deep." => Some("MAX_DEPTH"),
                        "Query is too complex." => Some("MAX_COMPLEXITY"),
                        _ => None,
                    };
                    match limit {
                        Some(reason) => limit_error(e, reason),
                        None => tag(e, ErrorCode::GraphqlValidationFailed),
                    }
                })
                .collect::<Vec<_>>()
        })?;
        // The schema's limit is the signed-in budget; anonymous callers get a lower one.
        let anonymous = ctx.data_opt::<Principal>().is_none_or(|p| matches!(p, Principal::Anonymous));
        if anonymous && result.complexity > self.anonymous_max_complexity {
            let e = ServerError::new(
                format!(
                    "Query is too complex for an anonymous caller (cost {}, at most {}); sign in or ask for fewer items.",
                    result.complexity, self.anonymous_max_complexity
                ),
                None,
            );
            return Err(vec![limit_error(e, "MAX_COMPLEXITY")]);
        }
        Ok(result)
    }
}
